// Probing through the real command, with the real worker and onnxruntime, on a fixture model: what
// the panel posts to its (real) webview, the examples behind a cell, and "open example" landing on
// the record's line in the dataset editor.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import type { ExampleView } from '../../../src/contract/result';
import { TOKEN_POSITIONS, type TokenPositionName } from '../../../src/contract/types';
import type { HeatmapPanel } from '../../../src/extension/panel/heatmapPanel';
import type { ProbeOutcome } from '../../../src/extension/probeCommand';
import { plantedRows, writeCsv, writeJsonl, type WrittenDataset } from '../support/datasets';
import { extension, fixtureModel, nextPost, postedResult, workspaceFolder } from './environment';

const MODEL = 'tiny-llama-unfused-extdata';
const col = (name: TokenPositionName): number => TOKEN_POSITIONS.indexOf(name);

/** Drives a cell click through the panel's message handling and returns the examples it posts. */
async function selectCell(panel: HeatmapPanel, layer: number, token: number): Promise<ExampleView[]> {
  const reply = nextPost(panel, 'examples');
  await panel.handleMessageForTesting({ type: 'selectCell', layer, token });
  const message = await reply;
  assert.deepEqual([message.layer, message.token], [layer, token]);
  assert.equal(panel.lastPostedExamples, message);
  return message.examples;
}

/** Drives an example click and returns the editor it opened. */
async function openExample(panel: HeatmapPanel, rowIndex: number): Promise<vscode.TextEditor> {
  await panel.handleMessageForTesting({ type: 'openExample', rowIndex });
  const editor = vscode.window.activeTextEditor;
  assert.ok(editor, 'no active text editor after opening an example');
  return editor;
}

function assertSelectsLine(editor: vscode.TextEditor, dataset: WrittenDataset, rowIndex: number): void {
  assert.equal(editor.document.uri.fsPath, dataset.file);
  const line = dataset.lines[rowIndex];
  const expected = editor.document.lineAt(line - 1).range;
  assert.equal(editor.selection.start.line + 1, line, `row ${rowIndex} starts at line ${line}`);
  assert.ok(editor.selection.isEqual(new vscode.Selection(expected.start, expected.end)), 'the whole line is selected');
  assert.ok(editor.visibleRanges.some((r) => r.contains(expected)), 'the line is scrolled into view');
}

describe('probing through the command, on a fixture model', () => {
  let folder: vscode.WorkspaceFolder;

  before(async () => {
    folder = workspaceFolder();
    await extension().activate();
    // The model is pre-set in the workspace settings: no prompt.
    await vscode.workspace
      .getConfiguration('layerProbe', folder.uri)
      .update('modelFolder', fixtureModel(MODEL), vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  it('refuses to run with an invalid setting instead of falling back to its default', async function () {
    this.timeout(30_000);
    const config = vscode.workspace.getConfiguration('layerProbe', folder.uri);
    const dataset = writeJsonl(folder.uri.fsPath, 'invalid-setting.jsonl', plantedRows(40));
    await config.update('testFraction', 1.5, vscode.ConfigurationTarget.Workspace);
    try {
      const started = Date.now();
      const outcome = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(dataset.file));
      assert.equal(outcome, undefined, 'no run with testFraction 1.5');
      assert.ok(Date.now() - started < 5_000, 'refused before any work');
    } finally {
      await config.update('testFraction', undefined, vscode.ConfigurationTarget.Workspace);
      fs.rmSync(dataset.file);
    }
  });

  describe('a planted JSONL dataset', () => {
    let dataset: WrittenDataset;
    let outcome: ProbeOutcome;

    before(async function () {
      this.timeout(120_000);
      dataset = writeJsonl(folder.uri.fsPath, 'planted.jsonl', plantedRows(240));
      const result = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(dataset.file));
      assert.ok(result, 'the command returned no outcome (cancelled or failed: see the Layer Probe output channel)');
      outcome = result;
    });

    it('probes every layer and token position of the model', () => {
      const { result } = outcome;
      assert.equal(result.model.name, MODEL);
      assert.equal(result.model.numLayers, 4);
      assert.deepEqual(result.layers, [0, 1, 2, 3]);
      assert.deepEqual(result.tokens, [...TOKEN_POSITIONS]);
      assert.equal(result.dataset.file, dataset.file);
      assert.equal(result.dataset.rowsRead, 240);
      assert.equal(result.nTrain + result.nTest, 240);
      assert.equal(result.nTest, 48);
    });

    it('posts the result matrices to the real webview once it is ready', async () => {
      const { panel, result } = outcome;
      const view = await postedResult(panel);
      assert.equal(panel.isReady, true);
      assert.deepEqual(view.layers, [0, 1, 2, 3]);
      assert.deepEqual(view.tokens, [...TOKEN_POSITIONS]);
      assert.deepEqual(view.metrics, result.metrics);
      assert.deepEqual([view.nTrain, view.nTest], [result.nTrain, result.nTest]);
      assert.equal(panel.panel.title, `${MODEL} · planted.jsonl · mlp_out`);
      assert.equal(panel.panel.visible, true);
      // The planted signal, as the panel shows it: chance before the answer, near-perfect on the word.
      for (const layer of view.layers) {
        for (const name of ['last_q', 'first_answer', 'second_answer', '-8'] as const) {
          const auc = view.metrics.auc[layer][col(name)];
          assert.ok(auc !== null && Math.abs(auc - 0.5) <= 0.2, `layer ${layer} ${name}: AUC ${auc} should be near chance`);
        }
        const onWord = view.metrics.auc[layer][col('exact_answer_last')];
        assert.ok(onWord !== null && onWord >= 0.95, `layer ${layer} exact_answer_last: AUC ${onWord}`);
      }
    });

    it('answers a cell click with that probe\'s held-out examples, most error-like first', async () => {
      const { panel, result } = outcome;
      await postedResult(panel);
      const token = col('exact_answer_last');
      const examples = await selectCell(panel, 2, token);
      assert.equal(examples.length, result.nTest);
      assert.deepEqual(
        examples.map((e) => e.rowIndex).sort((a, b) => a - b),
        [...result.test.rowIndex].sort((a, b) => a - b),
      );
      for (let i = 1; i < examples.length; i++) assert.ok(examples[i - 1].score <= examples[i].score, 'sorted by P(correct)');
      for (const example of examples) {
        const row = dataset.rows[example.rowIndex];
        const i = result.test.rowIndex.indexOf(example.rowIndex);
        assert.equal(example.label, row.correct, `row ${example.rowIndex}: label from the dataset`);
        assert.equal(example.line, dataset.lines[example.rowIndex], `row ${example.rowIndex}: line in the file`);
        assert.equal(example.score, result.test.scores[2][token][i]);
        assert.equal(example.misclassified, (example.score > 0.5 ? 1 : 0) !== example.label);
        // The probed token is the planted word itself.
        assert.equal(example.pieces[example.probedIndex].trim(), row.exact_answer, `row ${example.rowIndex}: probed token`);
        // The list's texts: the prompt (no raw_question column), answer and exact answer; no gold column.
        assert.deepEqual(
          [example.question, example.modelAnswer, example.exactAnswer, example.goldAnswer],
          [row.prompt, row.model_answer, row.exact_answer, undefined],
          `row ${example.rowIndex}: texts`,
        );
      }
      // On the word the probe separates the classes: the errors come first.
      const errors = examples.filter((e) => e.label === 0).length;
      assert.ok(examples.slice(0, errors).every((e) => e.label === 0), 'every error ranks below every correct answer');
    });

    it('opens an example on its line in the dataset, beside the panel', async () => {
      const { panel } = outcome;
      await postedResult(panel);
      const examples = await selectCell(panel, 1, col('-1'));
      // A row after the blank lines, so its line is neither its index nor its index + 1.
      const example = examples.find((e) => e.rowIndex > 100);
      assert.ok(example, 'no held-out example after row 100');
      const editor = await openExample(panel, example.rowIndex);
      assertSelectsLine(editor, dataset, example.rowIndex);
      assert.equal(dataset.lines[example.rowIndex], example.rowIndex + 3);
      assert.equal(editor.document.lineAt(editor.selection.start.line).text, JSON.stringify(dataset.rows[example.rowIndex]));
      assert.notEqual(editor.viewColumn, panel.panel.viewColumn, 'the dataset opens beside the heatmap');
    });

    it('keeps the dataset file unchanged', () => {
      const text = fs.readFileSync(dataset.file, 'utf8');
      assert.equal(text.split('\n').length - 1, 242);
      const saved = fs.readdirSync(path.dirname(dataset.file)).filter((f) => f !== 'planted.jsonl' && f !== '.vscode' && f !== 'notes.txt');
      assert.deepEqual(saved, [], 'nothing is written next to the dataset');
    });
  });

  describe('a Windows-1252 CSV, read with layerProbe.encoding', () => {
    let dataset: WrittenDataset;
    let outcome: ProbeOutcome;

    before(async function () {
      this.timeout(120_000);
      const rows = plantedRows(80, 4242).map((r) => ({ ...r, prompt: r.prompt.replace(/^/, 'Café: ') }));
      dataset = writeCsv(folder.uri.fsPath, 'planted-cp1252.csv', rows);
      // The same text in Windows-1252 (é is 0xE9 there, as in Latin-1): not UTF-8, so the default would refuse it.
      fs.writeFileSync(dataset.file, Buffer.from(fs.readFileSync(dataset.file, 'utf8'), 'latin1'));
      await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('encoding', 'windows-1252', vscode.ConfigurationTarget.Workspace);
      const result = await extension().exports.probeDataset(vscode.Uri.file(dataset.file));
      assert.ok(result && 'result' in result, 'probeDataset returned no probing outcome');
      outcome = result;
    });

    after(async () => {
      await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('encoding', undefined, vscode.ConfigurationTarget.Workspace);
    });

    it('probes the decoded text and opens an example decoded as the run read it', async () => {
      const { result, panel } = outcome;
      assert.equal(result.settings.options.encoding, 'windows-1252');
      assert.equal(result.dataset.rowsRead, 80);
      await postedResult(panel);
      const [example] = await selectCell(panel, 1, col('-1'));
      const editor = await openExample(panel, example.rowIndex);
      assertSelectsLine(editor, dataset, example.rowIndex);
      assert.equal(editor.document.encoding, 'windows1252');
      assert.equal(editor.document.lineAt(dataset.lines[example.rowIndex] - 1).text.slice(0, 6), '"Café:');
    });
  });

  describe('a CSV dataset with quoted multi-line fields', () => {
    let dataset: WrittenDataset;
    let outcome: ProbeOutcome;

    before(async function () {
      this.timeout(120_000);
      dataset = writeCsv(folder.uri.fsPath, 'planted.csv', plantedRows(120, 777));
      // Through the API activate() returns this time (what the command calls).
      const result = await extension().exports.probeDataset(vscode.Uri.file(dataset.file));
      assert.ok(result && 'result' in result, 'probeDataset returned no probing outcome');
      outcome = result;
    });

    it('reads every record, whatever lines it spans', async () => {
      const { result, panel } = outcome;
      assert.equal(result.dataset.format, 'csv');
      assert.equal(result.dataset.rowsRead, 120);
      assert.equal(result.test.line.length, result.nTest);
      result.test.rowIndex.forEach((row, i) => assert.equal(result.test.line[i], dataset.lines[row], `row ${row}`));
      const view = await postedResult(panel);
      assert.equal(view.dataset.file, dataset.file);
      assert.equal(panel.panel.title, `${MODEL} · planted.csv · mlp_out`);
    });

    it('opens an example on the line where its record starts, not at row + 2', async () => {
      const { panel } = outcome;
      await postedResult(panel);
      const examples = await selectCell(panel, 3, col('exact_answer_first'));
      const example = examples.reduce((a, b) => (b.rowIndex > a.rowIndex ? b : a));
      const line = dataset.lines[example.rowIndex];
      assert.ok(line > example.rowIndex + 2 + 100, `row ${example.rowIndex} starts at line ${line}`);
      const editor = await openExample(panel, example.rowIndex);
      assertSelectsLine(editor, dataset, example.rowIndex);
      const firstPromptLine = dataset.rows[example.rowIndex].prompt.split('\n')[0];
      assert.equal(editor.document.lineAt(line - 1).text, `"${firstPromptLine}`);
    });
  });
});
