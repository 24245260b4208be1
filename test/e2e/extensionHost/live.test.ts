// The live heatmap (host side; test/e2e/ui watches the page fill in): a run's panel opens when the run starts, shows the stages, then fills in cell by
// cell while the probes train — every fourth layer first — and every value it shows is the value the
// finished result holds for that cell.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';

import { after, before, describe, it } from 'mocha';
import * as vscode from 'vscode';

import { TOKEN_POSITIONS } from '../../../src/contract/types';
import type { HostMessage, LiveMessage } from '../../../src/contract/webviewProtocol';
import type { HeatmapPanel } from '../../../src/extension/panel/heatmapPanel';
import type { ProbeOutcome } from '../../../src/extension/probeCommand';
import { plantedRows, writeJsonl } from '../support/datasets';
import { extension, fixtureModel, workspaceFolder } from './environment';

const MODEL = 'tiny-llama-unfused-extdata';

describe('live heatmap', () => {
  let folder: vscode.WorkspaceFolder;
  let datasetFile: string;

  before(async () => {
    folder = workspaceFolder();
    await extension().activate();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', fixtureModel(MODEL), vscode.ConfigurationTarget.Workspace);
    datasetFile = writeJsonl(folder.uri.fsPath, 'live-planted.jsonl', plantedRows(240, 21)).file;
  });

  after(async () => {
    await vscode.workspace.getConfiguration('layerProbe', folder.uri).update('modelFolder', undefined, vscode.ConfigurationTarget.Workspace);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(datasetFile, { force: true });
  });

  it('the panel opens at the start, fills in before the run ends, coarse to fine, with final values', async function () {
    this.timeout(180_000);
    const posted: HostMessage[] = [];
    let livePanel: HeatmapPanel | undefined;
    let titleWhileRunning: string | undefined;
    const opened = extension().exports.onDidOpenPanel((panel) => {
      livePanel ??= panel;
      // What the panel shows, whether or not its webview had loaded yet (the UI test watches the page).
      panel.onDidChangeDisplay((m) => {
        if (m.type === 'live') titleWhileRunning ??= panel.panel.title;
        posted.push(m);
      });
    });
    let outcome: ProbeOutcome | undefined;
    try {
      outcome = await vscode.commands.executeCommand<ProbeOutcome | undefined>('layerProbe.probeDataset', vscode.Uri.file(datasetFile));
    } finally {
      opened.dispose();
    }
    assert.ok(outcome, 'the run failed: see the Layer Probe output channel');
    assert.equal(outcome.panel, livePanel, 'the result is shown in the panel opened when the run started');
    assert.equal(titleWhileRunning, `${MODEL} · live-planted.jsonl · mlp_out (running)`);
    assert.equal(outcome.panel.panel.title, `${MODEL} · live-planted.jsonl · mlp_out`);

    const resultAt = posted.findIndex((m) => m.type === 'result');
    assert.ok(resultAt > 0, 'the result came after live messages');
    assert.ok(posted.slice(resultAt + 1).every((m) => m.type !== 'live'), 'nothing live after the result');
    const live = posted.slice(0, resultAt).filter((m): m is LiveMessage => m.type === 'live');
    // Stages before any cell: the panel says what runs.
    assert.ok(live.some((m) => m.cells.length === 0 && /Forward passes|Tokeniz|Loading|Reading/i.test(m.stage)), `stages shown: ${[...new Set(live.map((m) => m.stage))].join(' | ')}`);
    const total = 4 * TOKEN_POSITIONS.length;
    const partial = live.filter((m) => m.cells.length > 0 && m.cells.length < total);
    assert.ok(partial.length > 0, 'cells appeared before the run ended');
    assert.ok(partial.every((m) => m.numLayers === 4 && m.cellsTotal === total));
    // Coarse to fine on 4 layers: layer 0, then 2, then 1 and 3.
    const last = live.at(-1)!;
    assert.equal(last.cells.length, total);
    const layerOrder = [...new Set(last.cells.map((c) => c.layer))];
    assert.deepEqual(layerOrder, [0, 2, 1, 3]);
    // Every value shown live is the final value of its cell.
    const { aucInterval } = outcome.result;
    for (const c of last.cells) {
      assert.equal(c.auc, outcome.result.metrics.auc[c.layer][c.token], `layer ${c.layer}, ${TOKEN_POSITIONS[c.token]}`);
      assert.deepEqual(c.aucInterval, aucInterval[c.layer][c.token]);
    }
    // A later message only adds cells: none shown earlier changes.
    for (let i = 1; i < live.length; i++) {
      const earlier = live[i - 1].cells;
      assert.deepEqual(live[i].cells.slice(0, earlier.length), earlier);
    }
  });
});
