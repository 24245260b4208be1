import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { toHeatmapView } from '../../../src/contract/heatmapView';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { BLUES, cellHoverText, heatmapFigure, type PlotTheme } from '../../../webview/figure';
import { sampleResult } from '../result/sampleResult';

const theme: PlotTheme = {
  background: 'rgb(30, 30, 30)',
  foreground: 'rgb(204, 204, 204)',
  muted: 'rgb(150, 150, 150)',
  grid: 'rgb(60, 60, 60)',
  gap: 'rgba(204, 204, 204, 0.14)',
  focus: 'rgb(0, 120, 212)',
  hoverBackground: 'rgb(37, 37, 38)',
  hoverForeground: 'rgb(204, 204, 204)',
  hoverBorder: 'rgb(69, 69, 69)',
  fontFamily: 'sans-serif',
  fontSize: 13,
};

// The figure is plain data; these views of it keep the assertions readable.
interface Trace {
  x: string[];
  y: number[];
  z: (number | null)[][];
  text: string[][];
  zmin: number;
  zmax: number;
  colorscale: [number, string][];
  hoverongaps: boolean;
}
interface Layout {
  paper_bgcolor: string;
  plot_bgcolor: string;
  font: { color: string };
  yaxis: { autorange: string };
  shapes: { x0: number; x1: number; y0: number; y1: number; line: { dash: string; color: string } }[];
}

describe('heatmapFigure', () => {
  const view = toHeatmapView(sampleResult());
  const figure = heatmapFigure(view, 'auc', theme);
  const trace = figure.data[0] as Trace;
  const layout = figure.layout as Layout;

  it('puts layers on y with layer 0 at the top and the 15 tokens on x in order', () => {
    assert.deepEqual(trace.y, [0, 1, 2]);
    assert.equal(layout.yaxis.autorange, 'reversed');
    assert.deepEqual(trace.x, [...TOKEN_POSITIONS]);
  });

  it('colours AUC with Blues from 0.5 (light) to 1 (dark)', () => {
    assert.equal(trace.zmin, 0.5);
    assert.equal(trace.zmax, 1);
    assert.deepEqual(trace.colorscale[0], [0, '#f7fbff']);
    assert.deepEqual(trace.colorscale.at(-1), [1, '#08306b']);
    assert.equal(trace.colorscale, BLUES);
  });

  it('uses 0 → 1 for every other metric, as the reference does', () => {
    for (const metric of ['acc', 'baseline_acc', 'acc_diff_from_baseline', 'precision', 'recall', 'f1'] as const) {
      const other = heatmapFigure(view, metric, theme).data[0] as Trace;
      assert.deepEqual([other.zmin, other.zmax], [0, 1], metric);
    }
  });

  it('leaves undefined cells as gaps with an explaining hover', () => {
    assert.equal(trace.z[1]![2], null);
    assert.equal(trace.z[1]![3], 0.5 + 0.1 + 0.03);
    assert.equal(trace.hoverongaps, true);
    assert.match(trace.text[1]![2]!, /AUC undefined/);
    assert.match(trace.text[1]![2]!, /single class/);
  });

  it('hovers with layer, token, AUC to 3 decimals, its bootstrap interval and n train/test', () => {
    assert.equal(
      trace.text[2]![5],
      'Layer 2 · exact_answer_last<br>AUC 0.750<br>AUC 95 % bootstrap interval 0.650–0.850<br>n train 6 · test 4',
    );
    assert.equal(
      cellHoverText(view, 'acc', 2, 5),
      'Layer 2 · exact_answer_last<br>Accuracy 0.070<br>AUC 0.750<br>AUC 95 % bootstrap interval 0.650–0.850<br>n train 6 · test 4',
    );
  });

  it('notes unconverged probes in the hover', () => {
    assert.match(trace.text[0]![0]!, /unconverged after 100 iterations/);
  });

  it('takes its colours from the theme', () => {
    assert.equal(layout.paper_bgcolor, theme.background);
    assert.equal(layout.plot_bgcolor, theme.gap);
    assert.equal(layout.font.color, theme.foreground);
  });

  it('outlines the selected cell and the keyboard cursor in data coordinates, visible on any cell', () => {
    const marked = heatmapFigure(view, 'auc', theme, { selected: { layer: 2, token: 5 }, cursor: { layer: 0, token: 0 } });
    const shapes = (marked.layout as Layout).shapes;
    assert.deepEqual(
      shapes.map((s) => [s.x0, s.x1, s.y0, s.y1, s.line.dash, s.line.color]),
      [
        [4.5, 5.5, 1.5, 2.5, 'solid', theme.background],
        [4.5, 5.5, 1.5, 2.5, 'solid', theme.foreground],
        [-0.5, 0.5, -0.5, 0.5, 'solid', theme.background],
        [-0.5, 0.5, -0.5, 0.5, 'dot', theme.foreground],
      ],
    );
    assert.equal((heatmapFigure(view, 'auc', theme, { selected: { layer: 7, token: 0 } }).layout as Layout).shapes.length, 0);
  });
});

describe('baselines in the figure', () => {
  const result = sampleResult();
  // Cell (layer 0, token 0) gets an interval wholly above 0.7; (1, 1) one that straddles it.
  result.aucInterval[0][0] = [0.75, 0.9];
  result.aucInterval[1][1] = [0.6, 0.8];
  result.baselines = {
    tokenScores: 'teacher-forced',
    entries: [
      { name: 'logits_min', family: 'logprob', auc: 0.7, aucInterval: [0.6, 0.8], scores: [0.1, 0.2, 0.3, 0.4] },
      { name: 'p_true', family: 'p_true', auc: 0.55, aucInterval: [0.4, 0.7], scores: [0.5, 0.5, 0.5, 0.5] },
      { name: 'p_true_reversed', family: 'p_true', auc: 0.45, aucInterval: [0.3, 0.6], scores: [0.5, 0.5, 0.5, 0.5] },
    ],
    best: 'logits_min',
    pTrueMax: 'p_true',
    afterLastSignBug: false,
  };
  const view = toHeatmapView(result);

  it('the view carries the baselines, p(True) in its better order only, and the best', () => {
    assert.deepEqual(view.baselines?.map((b) => b.name), ['logits_min', 'p_true']);
    assert.deepEqual(view.bestBaseline, { name: 'logits_min', auc: 0.7 });
  });

  it('outlines exactly the cells whose interval lies above the best baseline, on the AUC view only', () => {
    const above = (metric: 'auc' | 'acc') =>
      (heatmapFigure(view, metric, theme).layout as { shapes: { line: { dash: string }; x0: number; y0: number }[] }).shapes
        .filter((s) => s.line.dash === 'dash')
        .map((s) => [s.y0 + 0.45, s.x0 + 0.45]);
    const expected = view.aucInterval!.flatMap((row, l) => row.flatMap((iv, t) => (iv && iv[0] > 0.7 ? [[l, t]] : [])));
    assert.ok(expected.some(([l, t]) => l === 0 && t === 0));
    assert.ok(!expected.some(([l, t]) => l === 1 && t === 1));
    assert.deepEqual(above('auc'), expected);
    assert.deepEqual(above('acc'), []);
  });

  it('marks the best baseline on the colour bar and says where a cell stands in its hover', () => {
    const colorbar = (heatmapFigure(view, 'auc', theme).data[0] as { colorbar: { tickvals: number[]; ticktext: string[] } }).colorbar;
    assert.deepEqual(colorbar.tickvals, [0.5, 0.6, 0.8, 0.9, 1, 0.7].sort((a, b) => a - b));
    assert.equal(colorbar.ticktext[colorbar.tickvals.indexOf(0.7)], '◀ best baseline 0.70');
    assert.match(cellHoverText(view, 'auc', 0, 0), /above the best baseline \(logits_min 0\.700\)/);
    assert.match(cellHoverText(view, 'auc', 1, 1), /not distinguishable from the best baseline/);
  });
});
