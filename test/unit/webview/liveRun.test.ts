// The live panel of a running run against a fake `vscode`: it keeps every finished cell (a reload
// mid-run redraws them all), says which stage runs, and its result replaces the live view.
import assert from 'node:assert/strict';
import { before, beforeEach, describe, it } from 'node:test';

import { TOKEN_POSITIONS } from '../../../src/contract/types';
import type { HostMessage, LiveMessage } from '../../../src/contract/webviewProtocol';
import type { ProbedCell } from '../../../src/contract/workerProtocol';
import { sampleResult } from '../result/sampleResult';
import { calls, fakeVscode, installFakeVscode } from './fakeVscode';

installFakeVscode();
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
type PanelModule = typeof import('../../../src/extension/panel/heatmapPanel');
// eslint-disable-next-line @typescript-eslint/consistent-type-imports
type LiveModule = typeof import('../../../src/extension/panel/liveRun');
let HeatmapPanel: PanelModule['HeatmapPanel'];
let LiveRun: LiveModule['LiveRun'];
const extensionUri = fakeVscode.Uri.file('/ext') as never;
const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

const cell = (layer: number, token: number, auc: number | null, done: number): ProbedCell => ({
  location: 'mlp_out', numLayers: 4, layer, token, done, total: 60,
  metrics: { auc, acc: 0.5, baseline_acc: 0.5, acc_diff_from_baseline: 0, precision: 0, recall: 0, f1: 0 },
  aucInterval: auc === null ? null : [auc - 0.25, auc + 0.125],
});

describe('LiveRun (the panel of a running run)', () => {
  before(async () => {
    ({ HeatmapPanel } = await import('../../../src/extension/panel/heatmapPanel'));
    ({ LiveRun } = await import('../../../src/extension/panel/liveRun'));
  });
  beforeEach(() => {
    for (const panel of HeatmapPanel.openPanels) panel.dispose();
    calls.panels.length = 0;
  });

  it('shows the stage, then every finished cell with its final AUC; a reload replays them all; the result replaces it', async () => {
    const panel = HeatmapPanel.open(extensionUri);
    const live = new LiveRun(panel, 'm · d.jsonl · mlp_out');
    const fake = calls.panels[0]!;
    assert.equal(fake.title, 'm · d.jsonl · mlp_out (running)');
    fake.receive.fire({ type: 'ready' });
    await tick();
    let last = fake.posted.at(-1) as LiveMessage;
    assert.deepEqual([last.type, last.stage, last.cells, last.numLayers], ['live', 'Starting…', [], undefined]);

    live.onStage('Forward passes 10/40 rows', 0.3);
    live.onCell(cell(0, 5, 0.8, 1));
    live.onCell(cell(0, 6, null, 2));
    await tick();
    last = fake.posted.at(-1) as LiveMessage;
    assert.deepEqual(last.tokens, [...TOKEN_POSITIONS]);
    assert.equal(last.numLayers, 4);
    assert.equal(last.cellsTotal, 60);
    assert.deepEqual(last.cells, [
      { layer: 0, token: 5, auc: 0.8, aucInterval: [0.8 - 0.25, 0.8 + 0.125] },
      { layer: 0, token: 6, auc: null, aucInterval: null },
    ]);
    assert.equal(panel.lastPostedLive, last);

    // Hidden and shown again mid-run: the reloaded page gets the whole state at once.
    fake.hide();
    live.onCell(cell(2, 0, 0.6, 3));
    fake.visible = true;
    const before = fake.posted.length;
    fake.receive.fire({ type: 'ready' });
    await tick();
    const replayed = fake.posted.slice(before) as LiveMessage[];
    assert.equal(replayed.length, 1);
    assert.deepEqual(replayed[0].cells.map((c) => `${c.layer}:${c.token}`), ['0:5', '0:6', '2:0']);

    panel.showResult(sampleResult(), '/runs/a/result.json');
    await tick();
    assert.equal((fake.posted.at(-1) as HostMessage).type, 'result');
    assert.equal(fake.title, 'tiny-llama · answers.jsonl · mlp_out');
  });

  it('stops posting once the user closed the panel', async () => {
    const panel = HeatmapPanel.open(extensionUri);
    const live = new LiveRun(panel, 't');
    const fake = calls.panels[0]!;
    fake.receive.fire({ type: 'ready' });
    await tick();
    panel.dispose();
    const count = fake.posted.length;
    live.onCell(cell(0, 0, 0.7, 1));
    assert.equal(fake.posted.length, count);
    assert.equal(panel.isOpen, false);
  });
});
