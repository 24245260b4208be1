import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { BLUES } from '../../../src/contract/colourScale';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import type { LiveMessage } from '../../../src/contract/webviewProtocol';
import type { PlotTheme } from '../../../webview/figure';
import { liveFigure, liveMatrices } from '../../../webview/liveFigure';

const THEME: PlotTheme = {
  background: '#ffffff', foreground: '#000000', muted: '#666666', grid: '#dddddd', gap: '#eeeeee', focus: '#0000ff',
  hoverBackground: '#ffffff', hoverForeground: '#000000', hoverBorder: '#cccccc', fontFamily: 'sans-serif', fontSize: 12,
};

const live = (cells: LiveMessage['cells'], numLayers?: number): LiveMessage => ({
  type: 'live', title: 'm · d · mlp_out', stage: 'Probes 3/60', tokens: [...TOKEN_POSITIONS], cells, ...(numLayers === undefined ? {} : { numLayers, cellsTotal: numLayers * 15 }),
});

describe('the live heatmap figure', () => {
  it('shows exactly the finished cells, on the result heatmap\'s scale, the others empty with a "not probed yet" hover', () => {
    const message = live([
      { layer: 0, token: 5, auc: 0.812, aucInterval: [0.75, 0.87] },
      { layer: 2, token: 0, auc: null, aucInterval: null },
      { layer: 2, token: 14, auc: 0.55, aucInterval: [0.5, 0.6] },
    ], 4);
    const { z, text } = liveMatrices(message);
    assert.equal(z.length, 4);
    assert.ok(z.every((row) => row.length === 15));
    const filled = z.flatMap((row, layer) => row.flatMap((v, token) => (v === null ? [] : [`${layer}:${token}:${v}`])));
    assert.deepEqual(filled, ['0:5:0.812', '2:14:0.55']);
    assert.equal(text[0][5], 'Layer 0 · exact_answer_last<br>AUC 0.812 (final)<br>AUC 95 % bootstrap interval 0.750–0.870');
    assert.match(text[2][0], /^Layer 2 · last_q<br>AUC undefined: the train or test split of this cell holds a single class \(final\)$/);
    assert.equal(text[3][3], 'Layer 3 · exact_answer_before_first<br>not probed yet');

    const figure = liveFigure(message, THEME) as { data: Record<string, unknown>[]; layout: Record<string, Record<string, unknown>> };
    const heatmap = figure.data[0];
    assert.deepEqual(heatmap.colorscale, BLUES);
    assert.deepEqual([heatmap.zmin, heatmap.zmax], [0.5, 1]);
    assert.deepEqual(heatmap.y, [0, 1, 2, 3]);
    assert.deepEqual(heatmap.x, [...TOKEN_POSITIONS]);
    assert.equal(figure.layout.yaxis.autorange, 'reversed', 'layer 0 at the top, as the result heatmap');
  });

  it('has no rows before the first probe finished (the layer count is not known yet)', () => {
    const { z } = liveMatrices(live([]));
    assert.deepEqual(z, []);
  });
});
