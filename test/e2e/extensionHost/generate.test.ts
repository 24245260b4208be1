// From a raw benchmark to the heatmap through the real commands: Probe Dataset… on a question file
// (no model answers) generates the answers in the worker with the trained toy model, opens them beside,
// probes them, and the panel shows the baselines and where the answers came from.
import * as assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import type { GenerateOutcome, ProbeOutcome } from '../../../src/extension/probeCommand';
import { extension, fixtureModel, postedResult, workspaceFolder } from './environment';

const LIMIT = 200;

function fixtureQuestions(): string {
  return path.resolve(fixtureModel('toy-facts-llama'), '..', '..', 'datasets', 'toy-facts', 'facts_questions_only.jsonl');
}

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('a raw benchmark: generate, then probe', () => {
  let folder: vscode.WorkspaceFolder;
  const questions = fixtureQuestions();
  const before_ = sha(questions);

  before(async () => {
    folder = workspaceFolder();
    await extension().activate();
    await vscode.workspace
      .getConfiguration('layerProbe', folder.uri)
      .update('modelFolder', fixtureModel('toy-facts-llama'), vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  let outcome: ProbeOutcome;

  it('Probe Dataset… on the question file generates the answers, opens them beside and shows the heatmap with its baselines', async function () {
    this.timeout(240_000);
    const result = await vscode.commands.executeCommand<ProbeOutcome | GenerateOutcome | undefined>(
      'layerProbe.probeDataset',
      vscode.Uri.file(questions),
      { generate: { limit: LIMIT } },
    );
    assert.ok(result && 'result' in result, 'no heatmap');
    outcome = result;
    const answersFile = result.result.dataset.file;
    assert.notEqual(answersFile, questions);
    assert.match(path.basename(answersFile), new RegExp(`^facts_questions_only-toy-facts-llama-qa-first${LIMIT}-[0-9a-f]{12}\\.jsonl$`));
    assert.equal(result.result.dataset.rowsRead, LIMIT);
    assert.equal(sha(questions), before_, 'the benchmark file is unchanged');
    // The answers file is open in an editor (beside the panel).
    const open = vscode.window.visibleTextEditors.map((e) => e.document.uri.fsPath);
    assert.ok(open.includes(answersFile), `answers not open: ${open.join(', ')}`);

    const first = JSON.parse(fs.readFileSync(answersFile, 'utf8').split('\n')[0]) as Record<string, unknown>;
    assert.ok(Array.isArray(first.input_output_ids) && Array.isArray(first.token_logits), 'ids and token scores recorded');

    const baselines = result.result.baselines;
    assert.ok(baselines, 'baselines scored');
    assert.equal(baselines.tokenScores, 'generation');
    const view = await postedResult(result.panel);
    assert.ok(view.baselines && view.baselines.length > 0, 'the panel has the baseline strip');
    assert.ok(view.bestBaseline && view.bestBaseline.auc > 0.5, `best baseline ${JSON.stringify(view.bestBaseline)}`);
    assert.ok(view.answers, 'the panel knows where the answers came from');
    assert.equal(view.answers.kind, 'qa');
    assert.equal(view.answers.benchmarkFile, questions);
    assert.match(view.answers.correctnessRule, /alias/);
    assert.match(view.answers.exactAnswers, /heuristic/);
    assert.match(view.answers.promptFormat, /base prompt/);
    assert.ok(view.answers.accuracy > 0.3 && view.answers.accuracy < 0.8, `accuracy ${view.answers.accuracy}`);
  });

  it('Generate Answers… again with the same options reuses the finished answers file at once', async function () {
    this.timeout(60_000);
    assert.ok(outcome, 'the first test did not run');
    const answersFile = outcome.result.dataset.file;
    const written = fs.statSync(answersFile).mtimeMs;
    const again = await vscode.commands.executeCommand<ProbeOutcome | GenerateOutcome | undefined>(
      'layerProbe.generateAnswers',
      vscode.Uri.file(questions),
      { generate: { limit: LIMIT } },
    );
    assert.ok(again && 'summary' in again, 'no generation outcome');
    assert.equal(again.summary.outFile, outcome.result.dataset.file);
    assert.equal(again.summary.rows, LIMIT);
    // Reused, not generated again: the file was not rewritten.
    assert.equal(fs.statSync(answersFile).mtimeMs, written);
    assert.equal(again.summary.resumed, 0);
  });

  it('Generate Answers… on a file that already has labelled answers says to probe it instead', async function () {
    this.timeout(60_000);
    const answered = outcome.result.dataset.file;
    const copy = path.join(folder.uri.fsPath, 'answered.jsonl');
    fs.copyFileSync(answered, copy);
    try {
      const none = await vscode.commands.executeCommand('layerProbe.generateAnswers', vscode.Uri.file(copy), { generate: {} });
      assert.equal(none, undefined);
    } finally {
      fs.rmSync(copy);
    }
  });
});
