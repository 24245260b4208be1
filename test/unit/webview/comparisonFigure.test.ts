import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { Comparison } from '../../../src/contract/comparison';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { comparisonFigure, comparisonHover, comparisonRange, comparisonRowLabels, DIVERGING } from '../../../webview/comparisonFigure';
import type { PlotTheme } from '../../../webview/figure';

const THEME: PlotTheme = {
  background: '#ffffff', foreground: '#000000', muted: '#666666', grid: '#dddddd', gap: '#eeeeee', focus: '#0000ff',
  hoverBackground: '#ffffff', hoverForeground: '#000000', hoverBorder: '#cccccc', fontFamily: 'sans-serif', fontSize: 12,
};

function comparison(alignment: Comparison['layerAlignment']): Comparison {
  const tokens = [...TOKEN_POSITIONS];
  const run = (auc: number) => ({
    resultFile: '/r.json', title: 't', model: 'm', dataset: 'd', location: 'mlp_out', seed: 0, numLayers: 2, nTest: 10,
    auc: [0, 1].map(() => tokens.map(() => auc)), aucInterval: [0, 1].map(() => tokens.map((): [number, number] => [auc - 0.1, auc + 0.1])),
  });
  return {
    a: run(0.9), b: run(0.7), pairing: 'paired', pairingReason: 'the same 10 test rows: paired bootstrap', sharedRows: 10,
    layerAlignment: alignment, layerPairs: alignment === 'index' ? [[0, 0], [1, 1]] : [[0, 0], [1, 3]], tokens,
    diff: [tokens.map(() => 0.2), tokens.map((_, t) => (t === 0 ? null : -0.137))],
    interval: [tokens.map((): [number, number] => [0.05, 0.3]), tokens.map((_, t): [number, number] | null => (t === 0 ? null : [-0.3, 0.01]))],
    significant: [tokens.map(() => true), tokens.map(() => false)],
    resamples: 1000, seed: 0,
  };
}

describe('the comparison figure', () => {
  it('diverging colours centred on 0, symmetric range covering every difference, every token labelled, layer 0 on top', () => {
    const c = comparison('index');
    const figure = comparisonFigure(c, THEME) as { data: Record<string, unknown>[]; layout: Record<string, Record<string, unknown>> };
    const heatmap = figure.data[0];
    assert.deepEqual(heatmap.colorscale, DIVERGING);
    assert.equal(DIVERGING[2][1], '#f7f7f7', 'white at the middle (0)');
    assert.deepEqual([heatmap.zmid, heatmap.zmin, heatmap.zmax], [0, -0.2, 0.2]);
    assert.equal(comparisonRange(c), 0.2);
    assert.deepEqual(heatmap.z, c.diff);
    assert.deepEqual(figure.layout.xaxis.tickvals, [...TOKEN_POSITIONS]);
    assert.equal(figure.layout.yaxis.autorange, 'reversed');
    // One dot per significant cell: all of layer 0, none of layer 1.
    const dots = figure.data[1] as { x: string[]; y: string[] };
    assert.equal(dots.x.length, TOKEN_POSITIONS.length);
    assert.ok(dots.y.every((y) => y === '0'));
  });

  it('the hover shows both runs\' values and intervals and the difference\'s', () => {
    const c = comparison('index');
    assert.equal(comparisonHover(c, 1, 3), 'exact_answer_before_first · layer 1<br>A 0.900 [0.800, 1.000]<br>B 0.700 [0.600, 0.800]<br>A − B −0.137 [-0.300, 0.010]');
    assert.equal(comparisonHover(c, 0, 0), 'last_q · layer 0<br>A 0.900 [0.800, 1.000]<br>B 0.700 [0.600, 0.800]<br>A − B +0.200 [0.050, 0.300] · significant');
    assert.match(comparisonHover(c, 1, 0), /A − B undefined$/);
  });

  it('a transfer (train on A, test on B): the hover names A→B, B→B and A→A, the colour bar the difference', () => {
    const c = comparison('index');
    const trainedOn = { ...c.a, auc: c.a.auc.map((row) => row.map(() => 0.95)), aucInterval: c.a.aucInterval.map((row) => row.map((): [number, number] => [0.9, 1])) };
    const t: Comparison = { ...c, transfer: { trainedOn, nTrain: 40, title: 'trained on a.jsonl, tested on b.jsonl', forwardPassRows: 0 } };
    assert.equal(
      comparisonHover(t, 0, 0),
      'last_q · layer 0<br>A→B (trained on A) 0.900 [0.800, 1.000]<br>B→B (B\'s own) 0.700 [0.600, 0.800]<br>A→A (A\'s own) 0.950 [0.900, 1.000]<br>A→B − B→B +0.200 [0.050, 0.300] · significant',
    );
    const figure = comparisonFigure(t, THEME) as { data: { colorbar?: { title: { text: string } }; z?: unknown }[] };
    assert.equal(figure.data[0].colorbar?.title.text, 'AUC A→B − B→B');
    assert.deepEqual(figure.data[0].z, t.diff);
  });

  it('layers paired by relative depth are labelled with both indices', () => {
    assert.deepEqual(comparisonRowLabels(comparison('relative-depth')), ['A0 ↔ B0', 'A1 ↔ B3']);
    assert.deepEqual(comparisonRowLabels(comparison('index')), ['0', '1']);
  });
});
