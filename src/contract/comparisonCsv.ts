// A comparison as CSV: the difference matrix in the paper's heatmap layout (one row per heatmap row, one
// column per token, as heatmap.csv), and every cell's values and intervals as one line each, for scripts.
// Plain text code in src/contract: the CLI writes them, and a panel export could.
import type { Comparison } from './comparison';

const number = (v: number | null | undefined): string => (v === null || v === undefined || !Number.isFinite(v) ? '' : String(v));

/** The heatmap rows' labels: a layer, or `a:b` when layers are paired by relative depth. */
function rowLabel(c: Comparison, row: number): string {
  const [la, lb] = c.layerPairs[row];
  return c.layerAlignment === 'index' ? String(la) : `${la}:${lb}`;
}

/** Header `layer,<tokens…>`, then the difference (A − B, or A→B − B→B for a transfer) per cell; empty = undefined. */
export function comparisonMatrixCsv(c: Comparison): string {
  const lines = [['layer', ...c.tokens].join(',')];
  c.diff.forEach((row, r) => lines.push([rowLabel(c, r), ...row.map(number)].join(',')));
  return lines.join('\n') + '\n';
}

/**
 * One line per cell: layer(s), token, each side's AUC and interval, the difference, its bootstrap interval
 * and whether that excludes 0. A transfer names its sides transfer (A→B), in_domain (B→B) and adds
 * trained_on (A→A, A's own AUC).
 */
export function comparisonCellsCsv(c: Comparison): string {
  const [a, b] = c.transfer ? ['transfer', 'in_domain'] : ['a', 'b'];
  const own = c.transfer?.trainedOn;
  const header = ['layer_a', 'layer_b', 'token', `${a}_auc`, `${a}_low`, `${a}_high`, `${b}_auc`, `${b}_low`, `${b}_high`];
  if (own) header.push('trained_on_auc', 'trained_on_low', 'trained_on_high');
  header.push('difference', 'difference_low', 'difference_high', 'significant');
  const lines = [header.join(',')];
  c.layerPairs.forEach(([la, lb], r) =>
    c.tokens.forEach((token, t) => {
      const cells = [String(la), String(lb), token, number(c.a.auc[la][t]), number(c.a.aucInterval[la][t]?.[0]), number(c.a.aucInterval[la][t]?.[1])];
      cells.push(number(c.b.auc[lb][t]), number(c.b.aucInterval[lb][t]?.[0]), number(c.b.aucInterval[lb][t]?.[1]));
      if (own) cells.push(number(own.auc[la]?.[t]), number(own.aucInterval[la]?.[t]?.[0]), number(own.aucInterval[la]?.[t]?.[1]));
      const interval = c.interval[r][t];
      cells.push(number(c.diff[r][t]), number(interval?.[0]), number(interval?.[1]), c.significant[r][t] ? '1' : '0');
      lines.push(cells.join(','));
    }),
  );
  return lines.join('\n') + '\n';
}
