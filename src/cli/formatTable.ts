import type { ProbeResult } from '../contract/result';
import type { MetricName } from '../contract/types';

/**
 * The heatmap as text for terminals. Transposed (rows = token positions, columns = layers) because
 * 15 position labels do not fit side by side; heatmap.csv keeps the paper's layout.
 */
export function formatTable(result: ProbeResult, metric: MetricName): string {
  const labelWidth = Math.max(...result.tokens.map((t) => t.length));
  const cell = (v: number | null): string => (v === null ? '—' : v.toFixed(3)).padStart(6);
  const header = ['token'.padEnd(labelWidth), ...result.layers.map((l) => `L${l}`.padStart(6))].join(' ');
  const rows = result.tokens.map((token, ti) =>
    [token.padEnd(labelWidth), ...result.layers.map((_, li) => cell(result.metrics[metric][li][ti]))].join(' '),
  );
  const title = `${metric} · ${result.model.name} · ${result.model.location} · ${result.nTrain} train / ${result.nTest} test rows`;
  return [title, header, ...rows, ''].join('\n');
}
