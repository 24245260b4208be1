import { bestBaseline, cellsAboveBaseline } from '../contract/baselines';
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
  return [title, header, ...rows, ...baselineLines(result), ''].join('\n');
}

const TOKEN_SCORES_TEXT: Record<NonNullable<ProbeResult['baselines']>['tokenScores'], string> = {
  generation: 'recorded at generation',
  'teacher-forced': 'teacher-forced pass',
  mixed: 'recorded at generation for some rows, teacher-forced for the others',
};

/** The paper's comparison: the best baseline, and how many probe cells beat it beyond their interval. */
function baselineLines(result: ProbeResult): string[] {
  const best = bestBaseline(result.baselines);
  if (!result.baselines || !best || best.auc === null) return [];
  const fmt = (v: number): string => v.toFixed(3);
  const interval = (i: [number, number] | null): string => (i ? ` [${fmt(i[0])}, ${fmt(i[1])}]` : '');
  const above = cellsAboveBaseline(result.aucInterval, best.auc).flat().filter(Boolean).length;
  const shown = result.baselines.entries.filter((e) => e.family === 'logprob' || e.name === result.baselines!.pTrueMax);
  const width = Math.max(...shown.map((e) => e.name.length));
  return [
    '',
    `baselines (test AUC, 95 % bootstrap interval; p(True) in its better order; token scores: ${TOKEN_SCORES_TEXT[result.baselines.tokenScores]}):`,
    ...shown.map((e) => `  ${e.name.padEnd(width)} ${e.auc === null ? '—' : fmt(e.auc)}${interval(e.aucInterval)}${e.name === best.name ? '  ← best' : ''}`),
    `${above} of ${result.layers.length * result.tokens.length} probe cells have their whole AUC interval above the best baseline (${best.name}, ${fmt(best.auc)})`,
  ];
}
