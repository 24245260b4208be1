import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toHeatmapView } from '../../../src/contract/heatmapView';
import { isHostMessage, isWebviewMessage, toPanelState } from '../../../src/contract/webviewProtocol';
import { sampleResult } from '../result/sampleResult';

describe('isWebviewMessage', () => {
  it('accepts each webview → host message', () => {
    for (const message of [
      { type: 'ready' },
      { type: 'selectCell', layer: 3, token: 14 },
      { type: 'openExample', rowIndex: 0 },
      { type: 'log', level: 'warn', message: 'x' },
      { type: 'export', format: 'png', metric: 'auc', data: 'iVBORw0KGgo=' },
      { type: 'export', format: 'svg', metric: 'acc', data: '<svg xmlns="http://www.w3.org/2000/svg"></svg>' },
      { type: 'export', format: 'csv', metric: 'auc' },
      { type: 'export', format: 'json', metric: 'auc' },
      { type: 'export', format: 'html', metric: 'f1' },
    ]) {
      assert.ok(isWebviewMessage(message), JSON.stringify(message));
    }
  });

  it('rejects unknown types and malformed fields', () => {
    for (const message of [
      null,
      'ready',
      { type: 'result' },
      { type: 'selectCell', layer: '3', token: 1 },
      { type: 'selectCell', layer: 1.5, token: 1 },
      { type: 'selectCell', layer: 1, token: -1 },
      { type: 'openExample' },
      { type: 'log', level: 'debug', message: 'x' },
      { type: 'export', format: 'pdf', metric: 'auc' },
      { type: 'export', format: 'csv', metric: 'loss' },
      // The figure formats need their data, the others none.
      { type: 'export', format: 'png', metric: 'auc' },
      { type: 'export', format: 'png', metric: 'auc', data: '' },
      { type: 'export', format: 'png', metric: 'auc', data: 'not base64!' },
      { type: 'export', format: 'svg', metric: 'auc', data: '<html><svg></svg></html>' },
      { type: 'export', format: 'svg', metric: 'auc', data: 7 },
      { type: 'export', format: 'csv', metric: 'auc', data: 'layer,last_q' },
    ]) {
      assert.ok(!isWebviewMessage(message), JSON.stringify(message));
    }
  });
});

describe('isHostMessage', () => {
  it('accepts each host → webview message', () => {
    const view = toHeatmapView(sampleResult());
    for (const message of [
      { type: 'result', view },
      { type: 'result', view, resultFile: '/tmp/result.json' },
      { type: 'examples', layer: 0, token: 1, examples: [] },
      { type: 'status', message: 'Probing…', progress: 0.4 },
      { type: 'status', message: 'Probing…' },
      { type: 'live', title: 'm · d · mlp_out', stage: 'Probes 1/60', tokens: ['last_q'], cells: [{ layer: 0, token: 0, auc: 0.7, aucInterval: [0.6, 0.8] }], numLayers: 4, cellsTotal: 60 },
      { type: 'live', title: 'm · d · mlp_out', stage: 'Tokenizing', tokens: ['last_q'], cells: [] },
      { type: 'error', message: 'failed', detail: 'stack' },
      { type: 'exported', format: 'png', outcome: 'saved', message: 'Saved /w/a-auc.png' },
      { type: 'exported', format: 'html', outcome: 'cancelled', message: 'Export cancelled.' },
    ]) {
      assert.ok(isHostMessage(message), JSON.stringify(message).slice(0, 80));
    }
  });

  it('rejects malformed messages', () => {
    for (const message of [
      undefined,
      { type: 'ready' },
      { type: 'result' },
      { type: 'examples', layer: 0, token: 1 },
      { type: 'status', progress: 1 },
      { type: 'live', title: 'm', stage: 'x', tokens: [] },
      { type: 'error', message: 1 },
      { type: 'exported', format: 'png', outcome: 'done', message: 'x' },
      { type: 'exported', format: 'png', outcome: 'saved' },
    ]) {
      assert.ok(!isHostMessage(message), JSON.stringify(message));
    }
  });
});

describe('toPanelState', () => {
  it('keeps valid fields and defaults the metric to AUC', () => {
    assert.deepEqual(toPanelState(undefined), { metric: 'auc' });
    assert.deepEqual(toPanelState({ metric: 'f1', resultKey: 'k', resultFile: '/r.json', cell: { layer: 2, token: 5 } }), {
      metric: 'f1',
      resultKey: 'k',
      resultFile: '/r.json',
      cell: { layer: 2, token: 5 },
    });
  });

  it('drops malformed fields', () => {
    assert.deepEqual(toPanelState({ metric: 'nope', resultKey: 3, cell: { layer: -1, token: 0 } }), { metric: 'auc' });
  });
});

describe('toHeatmapView', () => {
  it('keeps what the heatmap draws and leaves the per-example payload on the host', () => {
    const result = sampleResult();
    const view = toHeatmapView(result);
    assert.deepEqual(view.layers, [0, 1, 2]);
    assert.equal(view.tokens.length, 15);
    assert.equal(view.metrics.auc[1]![2], null);
    assert.equal(view.nTrain, 6);
    assert.equal(view.nTest, 4);
    assert.equal(view.model.provider, 'cpu');
    assert.equal(view.key, '2026-11-21T10:00:00.000Z|abc123|tiny-llama|mlp_out');
    assert.ok(!('test' in view));
    assert.ok(!JSON.stringify(view).includes('Paris'));
  });
});
