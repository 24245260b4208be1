import { RunCancelled } from '../../contract/errors';
import { METRIC_NAMES, type MetricMatrix, type MetricName, TOKEN_POSITIONS } from '../../contract/types';
import type { DualStart } from '../probe/dualNewton';
import { probeCellAsync, type ProbeCellResult } from '../probe/probeCell';
import { coarseToFineLayers } from './cellOrder';
import { PipelineError } from './errors';
import { packRows, type SlabSource } from './slabSource';

export interface ProbeOptions {
  C: number;
  tol: number;
  maxIter: number;
  /** Seed of the per-cell AUC bootstrap (the run's seed). */
  seed: number;
  /** The forward passes' execution provider when it is a GPU one: the probes' onnxruntime products run there too. */
  provider?: string;
  /** After each cell, with its final values (cells come coarse to fine in layers: see cellOrder.ts). */
  onCell?: (cellsDone: number, cellsTotal: number, cell: FinishedCell) => void;
  signal?: AbortSignal;
}

/** One trained cell as the grid will hold it: what a live heatmap shows before the run ends. */
export interface FinishedCell {
  layer: number;
  /** Column index into TOKEN_POSITIONS. */
  token: number;
  metrics: Record<MetricName, number | null>;
  aucInterval: [number, number] | null;
}

export interface ProbeGrid {
  metrics: Record<MetricName, MetricMatrix>;
  iterations: number[][];
  converged: boolean[][];
  /** P(correct) of the test rows: [layer][token][test example]. */
  scores: number[][][];
  /** Seeded bootstrap 95 % interval of each cell's test AUC; null where AUC is undefined. */
  aucInterval: ([number, number] | null)[][];
  solver: string;
}

/**
 * Trains one independent probe per (layer, token) on the train rows and scores the test rows, as the
 * reference does (same split for every cell).
 */
export async function trainProbes(
  store: SlabSource,
  trainRows: number[],
  testRows: number[],
  labels: Uint8Array,
  options: ProbeOptions,
): Promise<ProbeGrid> {
  const yTrain = Uint8Array.from(trainRows, (r) => labels[r]);
  const yTest = Uint8Array.from(testRows, (r) => labels[r]);
  const layers = store.numLayers;
  const metrics = Object.fromEntries(
    METRIC_NAMES.map((m) => [m, Array.from({ length: layers }, () => TOKEN_POSITIONS.map(() => null))]),
  ) as Record<MetricName, MetricMatrix>;
  const iterations = Array.from({ length: layers }, () => TOKEN_POSITIONS.map(() => 0));
  const converged = Array.from({ length: layers }, () => TOKEN_POSITIONS.map(() => true));
  const scores: number[][][] = Array.from({ length: layers }, () => TOKEN_POSITIONS.map(() => []));
  const aucInterval: ([number, number] | null)[][] = Array.from({ length: layers }, () => TOKEN_POSITIONS.map(() => null));
  let solver = '';
  const total = layers * TOKEN_POSITIONS.length;
  let done = 0;
  // Warm starts: every cell fits the same train rows, and a probe's dual weights (per-row residuals)
  // carry over to a neighbouring cell. The parent is fixed by the order alone — the nearest layer already
  // trained at the same token (the lower one on a tie), or for the first layer the previous token — so a
  // run gives the same bits whatever the timing. The solver uses it only when it is better than a cold start.
  const duals = new Map<string, DualStart>();
  const trained: number[] = [];
  for (const layer of coarseToFineLayers(layers)) {
    const parentLayer = nearestLayer(trained, layer);
    for (let token = 0; token < TOKEN_POSITIONS.length; token++) {
      if (options.signal?.aborted) throw new RunCancelled('cancelled during probe training');
      let cell: ProbeCellResult;
      // One slab at a time: with a cached source this is the only activation memory the probes hold.
      const slab = store.slab(layer, token);
      try {
        cell = await probeCellAsync(
          packRows(slab, store.hiddenSize, trainRows),
          yTrain,
          packRows(slab, store.hiddenSize, testRows),
          yTest,
          store.hiddenSize,
          {
            C: options.C,
            tol: options.tol,
            maxIter: options.maxIter,
            seed: options.seed,
            provider: options.provider,
            warmStart: duals.get(parentLayer === undefined ? `${layer}/${token - 1}` : `${parentLayer}/${token}`),
          },
        );
      } catch (err) {
        // e.g. non-finite activations (an fp16 overflow): say which cell, not just what.
        throw new PipelineError(`probe at layer ${layer}, token ${TOKEN_POSITIONS[token]}: ${(err as Error).message}`, { cause: err });
      }
      for (const m of METRIC_NAMES) metrics[m][layer][token] = cell.metrics[m];
      iterations[layer][token] = cell.iterations;
      converged[layer][token] = cell.converged;
      scores[layer][token] = Array.from(cell.pCorrectTest);
      aucInterval[layer][token] = cell.aucInterval;
      if (cell.solver) solver = cell.solver;
      if (cell.dual) duals.set(`${layer}/${token}`, cell.dual);
      options.onCell?.(++done, total, { layer, token, metrics: { ...cell.metrics }, aucInterval: cell.aucInterval });
    }
    trained.push(layer);
  }
  return { metrics, iterations, converged, scores, aucInterval, solver };
}

/** The layer of `trained` nearest to `layer` (the lower one on a tie); undefined when none is. */
function nearestLayer(trained: number[], layer: number): number | undefined {
  let best: number | undefined;
  for (const t of trained) {
    const distance = Math.abs(t - layer);
    if (best === undefined || distance < Math.abs(best - layer) || (distance === Math.abs(best - layer) && t < best)) best = t;
  }
  return best;
}
