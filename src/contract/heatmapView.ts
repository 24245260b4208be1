// What the heatmap panel draws. The host sends this rather than the whole ProbeResult: the
// per-example payload (scores for every cell, token pieces) stays on the host, which answers cell
// clicks with just that cell's examples. Plain arrays, not typed arrays: the matrices are small
// (layers × 15 × 7 numbers) and the webview persists the view with setState, which is JSON.
import { bestBaseline } from './baselines';
import type { ProbeLocation } from './locations';
import type { AnswersProvenance, ProbeResult } from './result';
import type { MetricMatrix, MetricName, TokenPositionName } from './types';

export interface HeatmapView {
  /** Identifies the run, so a reloaded panel restores its selected cell only on the same result. */
  key: string;
  createdAt: string;
  model: {
    name: string;
    location: ProbeLocation;
    provider: string;
    numLayers: number;
    hiddenSize: number;
  };
  dataset: { file: string; rowsRead: number; rowsUsed: number };
  /** How the rows were sampled and split (the panel's rerun controls start from these). */
  split: { source: 'column' | 'seeded'; seed: number; sampleLimit: number | null; testFraction: number };
  nTrain: number;
  nTest: number;
  /** Heatmap rows (layer numbers), top to bottom. */
  layers: number[];
  /** Heatmap columns, TOKEN_POSITIONS order. */
  tokens: TokenPositionName[];
  metrics: Record<MetricName, MetricMatrix>;
  /** Per cell: seeded bootstrap 95 % interval of the test AUC (null where AUC is undefined). */
  aucInterval?: ([number, number] | null)[][];
  /** Per cell: whether the probe's solver converged, and in how many iterations. */
  converged: boolean[][];
  iterations: number[][];
  /** The baselines on the same test rows (p(True) in its better order only); absent when not scored. */
  baselines?: { name: string; family: 'logprob' | 'p_true'; auc: number | null; aucInterval: [number, number] | null }[];
  /** The best baseline's name and AUC: marked on the colour bar; cells whose interval lies above it are outlined. */
  bestBaseline?: { name: string; auc: number };
  /** Where the answers came from, when Layer Probe generated them from a benchmark. */
  answers?: AnswersProvenance;
}

export function resultKey(result: ProbeResult): string {
  return [result.createdAt, result.dataset.contentHash, result.model.name, result.model.location].join('|');
}

export function toHeatmapView(result: ProbeResult): HeatmapView {
  return {
    key: resultKey(result),
    createdAt: result.createdAt,
    model: {
      name: result.model.name,
      location: result.model.location,
      provider: result.model.provider,
      numLayers: result.model.numLayers,
      hiddenSize: result.model.hiddenSize,
    },
    dataset: { file: result.dataset.file, rowsRead: result.dataset.rowsRead, rowsUsed: result.dataset.rowsUsed },
    split: {
      source: result.settings.splitSource,
      seed: result.settings.options.seed,
      sampleLimit: result.settings.options.sampleLimit,
      testFraction: result.settings.options.testFraction,
    },
    nTrain: result.nTrain,
    nTest: result.nTest,
    layers: result.layers,
    tokens: result.tokens,
    metrics: result.metrics,
    aucInterval: result.aucInterval,
    converged: result.converged,
    iterations: result.iterations,
    ...baselineView(result),
    ...(result.answers ? { answers: result.answers } : {}),
  };
}

function baselineView(result: ProbeResult): Pick<HeatmapView, 'baselines' | 'bestBaseline'> {
  const baselines = result.baselines;
  if (!baselines) return {};
  const best = bestBaseline(baselines);
  return {
    baselines: baselines.entries
      .filter((e) => e.family === 'logprob' || e.name === baselines.pTrueMax)
      .map(({ name, family, auc, aucInterval }) => ({ name, family, auc, aucInterval })),
    ...(best && best.auc !== null ? { bestBaseline: { name: best.name, auc: best.auc } } : {}),
  };
}
