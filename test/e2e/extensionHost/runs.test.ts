// Runs as folders in the extension: each Probe Dataset… run writes a folder of its own (result.json, the
// heatmap files), the Runs view lists the extension's and the workspace's CLI runs, a run opens in a
// panel of its own (several at once), and deleting a run removes its folder and closes its panel.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import type { HeatmapPanel } from '../../../src/extension/panel/heatmapPanel';
import type { ProbeOutcome } from '../../../src/extension/probeCommand';
import { plantedRows, writeJsonl } from '../support/datasets';
import { extension, fixtureModel, nextPost, postedResult, workspaceFolder } from './environment';

const MODEL = 'tiny-llama-unfused-extdata';

/** The titles of the open webview tabs (the heatmap panels). */
function panelTabs(): string[] {
  return vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview).map((t) => t.label);
}

describe('runs: a folder per run, the Runs view, several panels', () => {
  let folder: vscode.WorkspaceFolder;
  const outcomes: ProbeOutcome[] = [];
  let datasetFile: string;

  before(async function () {
    this.timeout(180_000);
    folder = workspaceFolder();
    await extension().activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const config = vscode.workspace.getConfiguration('layerProbe', folder.uri);
    await config.update('modelFolder', fixtureModel(MODEL), vscode.ConfigurationTarget.Workspace);
    datasetFile = writeJsonl(folder.uri.fsPath, 'runs-planted.jsonl', plantedRows(120, 7)).file;
    // Two runs of one dataset that differ by their seed: two folders, two panels.
    for (const seed of [0, 1]) {
      await config.update('seed', seed, vscode.ConfigurationTarget.Workspace);
      const outcome = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(datasetFile));
      assert.ok(outcome, `run with seed ${seed} failed: see the Layer Probe output channel`);
      outcomes.push(outcome);
    }
    await config.update('seed', undefined, vscode.ConfigurationTarget.Workspace);
  });

  after(async () => {
    const config = vscode.workspace.getConfiguration('layerProbe', folder.uri);
    await config.update('modelFolder', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(datasetFile, { force: true });
    fs.rmSync(path.join(folder.uri.fsPath, 'layer-probe-runs'), { recursive: true, force: true });
  });

  it('each run has its own folder with result.json and the heatmap files, and its own panel', async () => {
    const [first, second] = outcomes;
    assert.notEqual(path.dirname(first.resultFile), path.dirname(second.resultFile));
    for (const outcome of outcomes) {
      const dir = path.dirname(outcome.resultFile);
      assert.match(path.basename(dir), new RegExp(`^${MODEL}-runs-planted-mlp_out-\\d{8}-\\d{6}(-\\d+)?$`));
      const files = fs.readdirSync(dir);
      for (const name of ['result.json', 'heatmap.csv', 'heatmap.html']) assert.ok(files.includes(name), `${name} missing in ${files.join(', ')}`);
      // The file is the result the panel shows.
      const written = JSON.parse(fs.readFileSync(outcome.resultFile, 'utf8')) as { settings: { options: { seed: number } } };
      assert.equal(written.settings.options.seed, outcome.result.settings.options.seed);
      assert.equal((await postedResult(outcome.panel)).createdAt, outcome.result.createdAt);
    }
    assert.deepEqual(outcomes.map((o) => o.result.settings.options.seed), [0, 1]);
    assert.notEqual(first.panel, second.panel);
    assert.deepEqual(panelTabs(), [`${MODEL} · runs-planted.jsonl · mlp_out`, `${MODEL} · runs-planted.jsonl · mlp_out`]);
  });

  it('the Runs view lists the extension\'s runs and the workspace\'s CLI runs, newest first', () => {
    // A CLI run in the workspace: its folder under layer-probe-runs (a copy of the first run's result).
    const cliDir = path.join(folder.uri.fsPath, 'layer-probe-runs', 'cli-run');
    fs.mkdirSync(cliDir, { recursive: true });
    const result = JSON.parse(fs.readFileSync(outcomes[0].resultFile, 'utf8')) as { createdAt: string; model: { location: string } };
    result.createdAt = new Date(Date.now() + 60_000).toISOString();
    result.model.location = 'resid_post';
    fs.writeFileSync(path.join(cliDir, 'result.json'), JSON.stringify(result));

    const runs = extension().exports.listRuns();
    const mine = runs.filter((r) => r.dataset === 'runs-planted.jsonl');
    assert.deepEqual(mine.map((r) => r.resultFile), [path.join(cliDir, 'result.json'), outcomes[1].resultFile, outcomes[0].resultFile]);
    assert.deepEqual(mine.map((r) => r.location), ['resid_post', 'mlp_out', 'mlp_out']);
    for (const run of mine) {
      assert.equal(run.model, MODEL);
      assert.equal(run.nTest, 24);
      assert.ok(run.best && run.best.auc >= 0.9, JSON.stringify(run.best));
    }
  });

  it('Open Run reveals a run already open, and opens another run in a panel of its own', async () => {
    const again = await vscode.commands.executeCommand<HeatmapPanel | undefined>('layerProbe.openRun', vscode.Uri.file(outcomes[0].resultFile));
    assert.equal(again, outcomes[0].panel, 'the open panel of that run');
    assert.equal(panelTabs().length, 2);
    const cli = await vscode.commands.executeCommand<HeatmapPanel | undefined>('layerProbe.openRun', vscode.Uri.file(path.join(folder.uri.fsPath, 'layer-probe-runs', 'cli-run')));
    assert.ok(cli);
    assert.equal((await postedResult(cli)).model.location, 'resid_post');
    assert.deepEqual(panelTabs().sort(), [`${MODEL} · runs-planted.jsonl · mlp_out`, `${MODEL} · runs-planted.jsonl · mlp_out`, `${MODEL} · runs-planted.jsonl · resid_post`]);
  });

  it('Compare Runs: the difference matrix is A − B cell by cell; other seeds are unpaired, two locations of one run paired', async function () {
    this.timeout(120_000);
    const read = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { metrics: { auc: (number | null)[][] } };
    const [a, b] = outcomes.map((o) => o.resultFile);
    const panel = await vscode.commands.executeCommand<HeatmapPanel | undefined>('layerProbe.compareRuns', vscode.Uri.file(a), vscode.Uri.file(b));
    assert.ok(panel, 'no comparison panel');
    const { comparison } = await nextPost(panel, 'comparison', 60_000);
    const aucA = read(a).metrics.auc;
    const aucB = read(b).metrics.auc;
    assert.deepEqual(comparison.diff, aucA.map((row, l) => row.map((v, t) => (v === null || aucB[l][t] === null ? null : v - aucB[l][t]!))));
    assert.equal(comparison.pairing, 'unpaired');
    assert.match(comparison.pairingReason, /^the test rows differ \(\d+ of 24 and 24 shared\)/);
    assert.equal(comparison.layerAlignment, 'index');
    comparison.interval.flat().forEach((i, k) => {
      const d = comparison.diff.flat()[k];
      if (i && d !== null) assert.ok(i[0] <= i[1], `interval ${JSON.stringify(i)}`);
    });
    assert.equal(panel.panel.title, `${MODEL} · runs-planted.jsonl · mlp_out − ${MODEL} · runs-planted.jsonl · mlp_out`);

    // The same rows at another location (from the same cache): a paired comparison.
    const config = vscode.workspace.getConfiguration('layerProbe', folder.uri);
    await config.update('location', 'resid_post', vscode.ConfigurationTarget.Workspace);
    const other = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(datasetFile));
    await config.update('location', undefined, vscode.ConfigurationTarget.Workspace);
    assert.ok(other);
    const paired = await vscode.commands.executeCommand<HeatmapPanel | undefined>('layerProbe.compareRuns', vscode.Uri.file(other.resultFile), vscode.Uri.file(a));
    assert.ok(paired);
    const second = (await nextPost(paired, 'comparison', 60_000)).comparison;
    assert.equal(second.pairing, 'paired');
    assert.equal(second.pairingReason, 'the same 24 test rows: paired bootstrap');
    const aucOther = read(other.resultFile).metrics.auc;
    assert.deepEqual(second.diff, aucOther.map((row, l) => row.map((v, t) => (v === null || aucA[l][t] === null ? null : v - aucA[l][t]!))));
    other.panel.dispose();
    paired.dispose();
    panel.dispose();
    fs.rmSync(path.dirname(other.resultFile), { recursive: true });
  });

  it('Delete Run removes the run\'s folder and closes its panel; the other runs stay', async () => {
    const dir = path.dirname(outcomes[1].resultFile);
    const deleted = await vscode.commands.executeCommand<boolean>('layerProbe.deleteRun', vscode.Uri.file(dir), true);
    assert.equal(deleted, true);
    assert.equal(fs.existsSync(dir), false);
    assert.ok(fs.existsSync(outcomes[0].resultFile));
    // Its panel closes (the tab model follows the panel's disposal a moment later).
    for (let i = 0; i < 50 && panelTabs().length !== 2; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(panelTabs().length, 2);
    assert.ok(!extension().exports.listRuns().some((r) => r.resultFile === outcomes[1].resultFile));
    // A folder with files that are not the run's keeps them (and itself).
    const cliDir = path.join(folder.uri.fsPath, 'layer-probe-runs', 'cli-run');
    fs.writeFileSync(path.join(cliDir, 'notes.txt'), 'mine');
    assert.equal(await vscode.commands.executeCommand<boolean>('layerProbe.deleteRun', vscode.Uri.file(cliDir), true), true);
    assert.deepEqual(fs.readdirSync(cliDir), ['notes.txt']);
  });
});
