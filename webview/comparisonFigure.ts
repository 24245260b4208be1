// The figure of a comparison: A − B per cell on a diverging scale centred on 0 (blue: A higher, red: B
// higher), cells whose bootstrap interval excludes 0 marked with a dot, and a hover with both runs'
// values and intervals. Pure (no Plotly, no DOM): unit-tested and drawn by comparisonView.ts.
import type { Comparison } from '../src/contract/comparison';
import type { PlotTheme } from './figure';

/** Red (B higher) → white (no difference) → blue (A higher); ColorBrewer RdBu. */
export const DIVERGING: [number, string][] = [
  [0, '#b2182b'],
  [0.25, '#ef8a62'],
  [0.5, '#f7f7f7'],
  [0.75, '#67a9cf'],
  [1, '#2166ac'],
];

const fmt = (v: number | null): string => (v === null ? 'undefined' : v.toFixed(3));
const fmtSigned = (v: number): string => `${v >= 0 ? '+' : '−'}${Math.abs(v).toFixed(3)}`;
const fmtInterval = (i: [number, number] | null): string => (i === null ? 'no interval' : `[${i[0].toFixed(3)}, ${i[1].toFixed(3)}]`);

/** The y labels: a layer index, or `A i ↔ B j` when the layers are paired by relative depth. */
export function comparisonRowLabels(c: Comparison): string[] {
  return c.layerPairs.map(([la, lb]) => (c.layerAlignment === 'index' ? String(la) : `A${la} ↔ B${lb}`));
}

export function comparisonHover(c: Comparison, row: number, col: number): string {
  const [la, lb] = c.layerPairs[row];
  const token = c.tokens[col];
  const a = c.a.auc[la][col];
  const b = c.b.auc[lb][col];
  const d = c.diff[row][col];
  const lines = [
    `${token} · layer ${c.layerAlignment === 'index' ? la : `A ${la} ↔ B ${lb}`}`,
    `A ${fmt(a)} ${fmtInterval(c.a.aucInterval[la][col])}`,
    `B ${fmt(b)} ${fmtInterval(c.b.aucInterval[lb][col])}`,
    d === null ? 'A − B undefined' : `A − B ${fmtSigned(d)} ${fmtInterval(c.interval[row][col])}${c.significant[row][col] ? ' · significant' : ''}`,
  ];
  return lines.join('<br>');
}

/** The colour range: symmetric around 0, at least ±0.05, covering every difference. */
export function comparisonRange(c: Comparison): number {
  const largest = Math.max(0, ...c.diff.flat().map((d) => (d === null ? 0 : Math.abs(d))));
  return Math.max(0.05, Math.ceil(largest * 100) / 100);
}

export function comparisonFigure(c: Comparison, theme: PlotTheme): { data: object[]; layout: object } {
  const rows = comparisonRowLabels(c);
  const range = comparisonRange(c);
  const marks = c.significant.flatMap((row, r) => row.map((s, t) => (s ? { x: c.tokens[t], y: rows[r] } : undefined)).filter((m) => m !== undefined));
  const axis = { color: theme.foreground, gridcolor: theme.grid, linecolor: theme.grid, showgrid: false, zeroline: false, fixedrange: true };
  return {
    data: [
      {
        type: 'heatmap',
        x: c.tokens,
        y: rows,
        z: c.diff,
        text: rows.map((_, r) => c.tokens.map((_, t) => comparisonHover(c, r, t))),
        hovertemplate: '%{text}<extra></extra>',
        hoverongaps: true,
        colorscale: DIVERGING,
        zmid: 0,
        zmin: -range,
        zmax: range,
        colorbar: { title: { text: 'AUC A − B', side: 'right', font: { color: theme.foreground } }, tickfont: { color: theme.foreground }, outlinewidth: 0, thickness: 14 },
      },
      {
        type: 'scatter',
        mode: 'markers',
        x: marks.map((m) => m.x),
        y: marks.map((m) => m.y),
        marker: { symbol: 'circle', size: 6, color: theme.foreground, line: { width: 1, color: theme.background } },
        hoverinfo: 'skip',
        name: 'interval excludes 0',
        showlegend: false,
      },
    ],
    layout: {
      height: 150 + Math.max(12, rows.length) * 22,
      margin: { l: c.layerAlignment === 'index' ? 60 : 100, r: 20, t: 10, b: 140 },
      paper_bgcolor: theme.background,
      plot_bgcolor: theme.gap,
      font: { family: theme.fontFamily, size: theme.fontSize, color: theme.foreground },
      xaxis: { ...axis, title: { text: 'Token' }, type: 'category', tickangle: -45, tickmode: 'array', tickvals: c.tokens },
      yaxis: { ...axis, title: { text: 'Layer' }, type: 'category', autorange: 'reversed', tickmode: 'array', tickvals: rows },
      hoverlabel: { bgcolor: theme.hoverBackground, bordercolor: theme.hoverBorder, font: { color: theme.hoverForeground, family: theme.fontFamily } },
    },
  };
}
