// Rerunning from the panel: the controls' fields are checked through the options table, the panel says
// what a rerun costs before it starts (from the cache, or forward passes for N rows), and a rerun with
// another seed reads every activation from the cache (zero forward passes) into a new run and panel.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import type { RerunFields } from '../../../src/contract/rerun';
import type { ProbeResult } from '../../../src/contract/result';
import type { ProbeOutcome } from '../../../src/extension/probeCommand';
import { plantedRows, writeJsonl } from '../support/datasets';
import { extension, fixtureModel, nextPost, workspaceFolder } from './environment';

const MODEL = 'tiny-llama-unfused-extdata';

describe('rerun from the panel', () => {
  let folder: vscode.WorkspaceFolder;
  let outcome: ProbeOutcome;
  let datasetFile: string;

  before(async function () {
    this.timeout(120_000);
    folder = workspaceFolder();
    await extension().activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', fixtureModel(MODEL), vscode.ConfigurationTarget.Workspace);
    datasetFile = writeJsonl(folder.uri.fsPath, 'rerun-planted.jsonl', plantedRows(120, 11)).file;
    const result = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(datasetFile));
    assert.ok(result, 'the first run failed: see the Layer Probe output channel');
    outcome = result;
    assert.equal(outcome.result.model.forwardPassRows, 120, 'the first run ran every row through the model');
  });

  after(async () => {
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(datasetFile, { force: true });
  });

  async function plan(fields: RerunFields): Promise<{ text: string; problem: boolean }> {
    const reply = nextPost(outcome.panel, 'rerunPlan', 60_000);
    await outcome.panel.handleMessageForTesting({ type: 'planRerun', fields });
    return reply;
  }

  it('says what a rerun would cost before it starts, and refuses invalid fields naming them', async function () {
    this.timeout(60_000);
    assert.deepEqual(await plan({ seed: '5' }), { type: 'rerunPlan', text: 'from the activation cache: no forward pass (120 rows)', problem: false });
    assert.deepEqual(await plan({ sampleLimit: '0', testFraction: '0.3' }), { type: 'rerunPlan', text: 'from the activation cache: no forward pass (120 rows)', problem: false });
    assert.deepEqual(await plan({ location: 'resid_post' }), { type: 'rerunPlan', text: 'needs forward passes (120 rows)', problem: false });
    assert.deepEqual(await plan({ seed: '0' }), { type: 'rerunPlan', text: 'the same settings as this run', problem: false });
    const bad = await plan({ seed: '-1', testFraction: '1.5' });
    assert.equal(bad.problem, true);
    assert.equal(bad.text, 'Seed must be an integer ≥ 0, got "-1"; Test fraction must be between 0 and 1 (exclusive), got "1.5"');
  });

  it('a rerun with another seed reads every activation from the cache into a new run and panel', async function () {
    this.timeout(120_000);
    const before = new Set(extension().exports.listRuns().map((r) => r.resultFile));
    await outcome.panel.handleMessageForTesting({ type: 'rerun', fields: { seed: '5' } });
    const added = extension().exports.listRuns().filter((r) => !before.has(r.resultFile));
    assert.equal(added.length, 1, 'one new run');
    const rerun = JSON.parse(fs.readFileSync(added[0].resultFile, 'utf8')) as ProbeResult;
    assert.equal(rerun.settings.options.seed, 5);
    assert.equal(rerun.model.forwardPassRows, 0, 'zero forward passes');
    assert.equal(rerun.dataset.file, datasetFile);
    assert.notDeepEqual(rerun.test.rowIndex, outcome.result.test.rowIndex, 'another split');
    const webviewTabs = (): string[] => vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview).map((t) => t.label);
    // The tab model follows a new panel, and its title (" (running)" while the run ran), a moment later.
    const expected = [`${MODEL} · rerun-planted.jsonl · mlp_out`, `${MODEL} · rerun-planted.jsonl · mlp_out`];
    for (let i = 0; i < 50 && JSON.stringify(webviewTabs()) !== JSON.stringify(expected); i++) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(webviewTabs(), expected, 'the rerun opened its own panel');
  });
});
