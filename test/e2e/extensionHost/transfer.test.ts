// Compare: Train on A, Test on B… in the extension: two runs of one model on two datasets, the command
// run in the worker, and the matrix the panel posts to its webview checked against the two result files.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import type { HeatmapPanel } from '../../../src/extension/panel/heatmapPanel';
import type { ProbeOutcome } from '../../../src/extension/probeCommand';
import { plantedRows, writeJsonl } from '../support/datasets';
import { extension, fixtureModel, nextPost, workspaceFolder } from './environment';

const MODEL = 'tiny-llama-unfused-extdata';

interface Written {
  metrics: { auc: (number | null)[][] };
  nTrain: number;
  nTest: number;
  settings: { options: { seed: number } };
}

describe('train on A, test on B', () => {
  let folder: vscode.WorkspaceFolder;
  const datasets: string[] = [];
  const outcomes: ProbeOutcome[] = [];

  before(async function () {
    this.timeout(180_000);
    folder = workspaceFolder();
    await extension().activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const config = vscode.workspace.getConfiguration('layerProbe', folder.uri);
    await config.update('modelFolder', fixtureModel(MODEL), vscode.ConfigurationTarget.Workspace);
    // Two datasets (other rows, other labels) probed with two seeds.
    for (const [name, seed] of [['transfer-a.jsonl', 11], ['transfer-b.jsonl', 12]] as const) {
      const file = writeJsonl(folder.uri.fsPath, name, plantedRows(100, seed)).file;
      datasets.push(file);
      await config.update('seed', seed % 10, vscode.ConfigurationTarget.Workspace);
      const outcome = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(file));
      assert.ok(outcome, `run of ${name} failed: see the Layer Probe output channel`);
      outcomes.push(outcome);
    }
    await config.update('seed', undefined, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('layerProbe', folder.uri);
    await config.update('modelFolder', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const file of datasets) fs.rmSync(file, { force: true });
    for (const o of outcomes) fs.rmSync(path.dirname(o.resultFile), { recursive: true, force: true });
  });

  it('the panel gets transfer − in-domain cell by cell, B\'s own AUC from its result, all from the activation cache', async function () {
    this.timeout(120_000);
    const [a, b] = outcomes.map((o) => o.resultFile);
    const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as Written;
    const panel = await vscode.commands.executeCommand<HeatmapPanel | undefined>('layerProbe.transferRuns', vscode.Uri.file(a), vscode.Uri.file(b));
    assert.ok(panel, 'no transfer panel: see the Layer Probe output channel');
    const { comparison } = await nextPost(panel, 'comparison', 60_000);
    const aucB = read(b).metrics.auc;
    assert.ok(comparison.transfer, 'a transfer comparison');
    assert.equal(comparison.transfer.title, 'trained on transfer-a.jsonl, tested on transfer-b.jsonl');
    assert.equal(comparison.transfer.trainedOn.resultFile, a);
    assert.equal(comparison.transfer.nTrain, read(a).nTrain);
    assert.equal(comparison.transfer.forwardPassRows, 0, 'both runs\' activations are in the cache');
    assert.deepEqual(comparison.transfer.trainedOn.auc, read(a).metrics.auc);
    assert.deepEqual(comparison.b.auc, aucB);
    assert.equal(comparison.b.nTest, read(b).nTest);
    assert.equal(comparison.seed, read(b).settings.options.seed);
    assert.equal(comparison.pairing, 'paired');
    assert.deepEqual(comparison.diff, comparison.a.auc.map((row, l) => row.map((v, t) => (v === null || aucB[l][t] === null ? null : v - aucB[l][t]!))));
    // The planted signal (the exact-answer word) transfers: the probe trained on A reads it in B's rows too.
    const best = Math.max(...comparison.a.auc.flat().map((v) => v ?? 0));
    assert.ok(best > 0.9, `best transfer AUC ${best}`);
    assert.equal(panel.panel.title, `${MODEL} · transfer-a.jsonl → transfer-b.jsonl · mlp_out`);
    panel.dispose();
  });

  it('a run transferred to itself: every difference 0', async function () {
    this.timeout(120_000);
    const [a] = outcomes.map((o) => o.resultFile);
    const panel = await vscode.commands.executeCommand<HeatmapPanel | undefined>('layerProbe.transferRuns', vscode.Uri.file(a), vscode.Uri.file(a));
    assert.ok(panel);
    const { comparison } = await nextPost(panel, 'comparison', 60_000);
    assert.ok(comparison.diff.flat().every((d) => d === null || d === 0), JSON.stringify(comparison.diff));
    panel.dispose();
  });
});
