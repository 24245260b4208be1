// The figure of a comparison: A − B per cell on a diverging scale centred on 0 (blue: A higher, red: B
// higher), cells whose bootstrap interval excludes 0 marked with a dot, and a hover with both runs'
// values and intervals. A transfer ("train on A, test on B") is drawn the same way: A→B − B→B. Pure (no Plotly, no DOM): unit-tested and drawn by comparisonView.ts.
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

/** What the two sides and their difference are called: A and B, or, for a transfer, A→B and B→B. */
export function comparisonNames(c: Comparison): { a: string; b: string; diff: string } {
  return c.transfer ? { a: 'A→B (trained on A)', b: 'B→B (B\'s own)', diff: 'A→B − B→B' } : { a: 'A', b: 'B', diff: 'A − B' };
}

export function comparisonHover(c: Comparison, row: number, col: number): string {
  const [la, lb] = c.layerPairs[row];
  const token = c.tokens[col];
  const a = c.a.auc[la][col];
  const b = c.b.auc[lb][col];
  const d = c.diff[row][col];
  const names = comparisonNames(c);
  const lines = [
    `${token} · layer ${c.layerAlignment === 'index' ? la : `A ${la} ↔ B ${lb}`}`,
    `${names.a} ${fmt(a)} ${fmtInterval(c.a.aucInterval[la][col])}`,
    `${names.b} ${fmt(b)} ${fmtInterval(c.b.aucInterval[lb][col])}`,
    d === null ? `${names.diff} undefined` : `${names.diff} ${fmtSigned(d)} ${fmtInterval(c.interval[row][col])}${c.significant[row][col] ? ' · significant' : ''}`,
  ];
  // A transfer also shows how A's probe did on A's own test rows (what the transfer lost or kept).
  const own = c.transfer?.trainedOn;
  if (own) lines.splice(3, 0, `A→A (A's own) ${fmt(own.auc[la]?.[col] ?? null)} ${fmtInterval(own.aucInterval[la]?.[col] ?? null)}`);
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
        colorbar: { title: { text: `AUC ${comparisonNames(c).diff}`, side: 'right', font: { color: theme.foreground } }, tickfont: { color: theme.foreground }, outlinewidth: 0, thickness: 14 },
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
