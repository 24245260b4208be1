// One metric's layer × token table as CSV, laid out like the reference's heatmap CSV artifact:
// one row per layer, one column per token label, so it diffs against the paper's tables directly.
// Shared by the CLI (heatmap.csv) and the panel's export (the extension host), hence in src/contract.
import type { ProbeResult } from './result';
import type { MetricName } from './types';

/**
 * Header `layer,<token labels…>`, then one line per layer: the layer number, then the metric per
 * column at full precision; undefined cells (a side had a single class) are left empty.
 */
export function heatmapCsv(result: ProbeResult, metric: MetricName = 'auc'): string {
  const matrix = result.metrics[metric];
  const lines = [['layer', ...result.tokens].map(csvField).join(',')];
  result.layers.forEach((layer, row) => {
    const cells = result.tokens.map((_, col) => {
      const value = matrix[row]?.[col];
      return value === null || value === undefined || !Number.isFinite(value) ? '' : String(value);
    });
    lines.push([String(layer), ...cells].join(','));
  });
  return lines.join('\n') + '\n';
}

/** RFC 4180 quoting; token labels never need it today, but a future label might hold a comma. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
