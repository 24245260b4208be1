// The column quick pick, answered through the workbench's own quick-input commands: the choice is
// remembered for the file (the next run asks nothing), and Layer Probe: Reset Column Choices makes it
// ask again.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import type { ProbeOutcome } from '../../../src/extension/probeCommand';
import { plantedRows } from '../support/datasets';
import { extension, fixtureModel, workspaceFolder } from './environment';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Runs Probe Dataset… on `file`; `answer` (if given) answers each column quick pick once it is shown
 * (the extension's onDidAskColumns), moving down `moves` items before accepting. Answering on a timer
 * instead raced the pick's opening: an accept that landed first took the first item.
 */
async function probe(file: string, answer?: { moves: number }): Promise<{ outcome: ProbeOutcome | undefined; asked: string[] }> {
  const asked: string[] = [];
  const answering: Promise<void>[] = [];
  const subscription = extension().exports.onDidAskColumns((role) => {
    asked.push(role);
    if (!answer) return;
    answering.push(
      (async () => {
        await sleep(500); // the pick's items reach the workbench right after it opens; give it time to render
        for (let i = 0; i < answer.moves; i++) await vscode.commands.executeCommand('workbench.action.quickOpenSelectNext');
        await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
      })(),
    );
  });
  try {
    const outcome = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(file));
    await Promise.all(answering);
    return { outcome, asked };
  } finally {
    subscription.dispose();
  }
}

describe('column choices', () => {
  let file: string;

  before(async () => {
    const folder = workspaceFolder();
    await extension().activate();
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', fixtureModel('tiny-llama-unfused-extdata'), vscode.ConfigurationTarget.Workspace);
    // `prompt` and `question` are equally good prompt columns, neither containing the other: asked.
    const rows = plantedRows(60).map((r, i) => ({ ...r, question: `item ${i}` }));
    file = path.join(folder.uri.fsPath, 'two-prompts.jsonl');
    fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    await vscode.commands.executeCommand('layerProbe.resetColumnChoices');
  });

  after(async () => {
    await vscode.commands.executeCommand('layerProbe.resetColumnChoices');
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(file, { force: true });
  });

  it('asks once, remembers the choice for the file, and asks again after Reset Column Choices', async function () {
    this.timeout(240_000);
    // The second candidate (question), picked in the quick pick.
    const first = await probe(file, { moves: 1 });
    assert.deepEqual(first.asked, ['prompt'], 'one quick pick, for the prompt column');
    assert.ok(first.outcome, 'the first run ended without a result');
    assert.equal(first.outcome.result.dataset.columns.prompt, 'question');

    // Nobody answers now: the run must not ask (a quick pick left open would hold it until this times out).
    const second = await Promise.race([probe(file), sleep(90_000).then(() => assert.fail('the second run asked for the columns again'))]);
    assert.ok(second.outcome, 'the second run waited for an answer or failed');
    assert.deepEqual(second.asked, [], 'the second run asked nothing');
    assert.equal(second.outcome.result.dataset.columns.prompt, 'question', 'the remembered choice');

    const forgot = await vscode.commands.executeCommand<number>('layerProbe.resetColumnChoices');
    assert.equal(forgot, 1);
    // Asked again: the first candidate (prompt) accepted this time.
    const third = await probe(file, { moves: 0 });
    assert.deepEqual(third.asked, ['prompt']);
    assert.ok(third.outcome, 'the third run ended without a result');
    assert.equal(third.outcome.result.dataset.columns.prompt, 'prompt');
  });
});
