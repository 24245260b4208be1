import { RunCancelled } from '../../contract/errors';
import { METRIC_NAMES, type MetricMatrix, type MetricName, TOKEN_POSITIONS } from '../../contract/types';
import type { DualStart } from '../probe/dualNewton';
import { coarseToFineLayers } from './cellOrder';
import { PipelineError } from './errors';
import { inThreadRunner, probeWorkerCount, threadPoolRunner } from './probeWorkers';
import { gatherRows, type SlabSource } from './slabSource';

export interface ProbeOptions {
  C: number;
  tol: number;
  maxIter: number;
  /** Seed of the per-cell AUC bootstrap (the run's seed). */
  seed: number;
  /** The forward passes' execution provider when it is a GPU one: the probes' onnxruntime products run there too. */
  provider?: string;
  /** After each cell, with its final values (cells come coarse to fine in layers: see cellOrder.ts; with
   *  several workers, in the order they finish). */
  onCell?: (cellsDone: number, cellsTotal: number, cell: FinishedCell) => void;
  signal?: AbortSignal;
  /** The probeWorkers option (0 = one per core, at most 4); absent: 1, every cell in this thread. */
  workers?: number;
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
  /** Cells fitted at once (probeWorkerCount): 1 = all in the calling thread. */
  workers: number;
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
  const cells = cellsInTrainingOrder(layers);
  let done = 0;
  const duals = new Map<string, DualStart>();
  const workers = probeWorkerCount(options.workers ?? 1, cells.length, trainRows.length, store.hiddenSize, options.provider ?? 'cpu');
  const runner = workers > 1 ? threadPoolRunner(workers) : inThreadRunner();
  const finished = new Set<string>();
  const inFlight = new Map<string, Promise<void>>();
  let failure: unknown;

  // The design matrices are reused from cell to cell (handed back by the worker that fitted them): a
  // fresh n × d array costs a page fault per 4 KiB on first touch (~3 ms per MiB on these VMs, as much as
  // the fit itself at 800 × 4096).
  const spareTrain: Float32Array[] = [];
  const spareTest: Float32Array[] = [];
  const d = store.hiddenSize;
  const start = (cell: OrderedCell): void => {
    const { layer, token } = cell;
    // One cell's rows per worker: with a cached source this is the only activation memory the probes hold.
    const Xtrain = gatherRows(store, layer, token, trainRows, spareTrain.pop() ?? new Float32Array(trainRows.length * d));
    const Xtest = gatherRows(store, layer, token, testRows, spareTest.pop() ?? new Float32Array(testRows.length * d));
    const fit = runner
      .run({
        Xtrain,
        yTrain,
        Xtest,
        yTest,
        hiddenSize: d,
        options: {
          C: options.C,
          tol: options.tol,
          maxIter: options.maxIter,
          seed: options.seed,
          provider: options.provider,
          warmStart: cell.parent === undefined ? undefined : duals.get(cell.parent),
        },
      })
      .then(
        ({ result, Xtrain: trainBack, Xtest: testBack }) => {
          spareTrain.push(trainBack);
          spareTest.push(testBack);
          for (const m of METRIC_NAMES) metrics[m][layer][token] = result.metrics[m];
          iterations[layer][token] = result.iterations;
          converged[layer][token] = result.converged;
          scores[layer][token] = Array.from(result.pCorrectTest);
          aucInterval[layer][token] = result.aucInterval;
          if (result.solver) solver = result.solver;
          if (result.dual) duals.set(cell.key, result.dual);
          finished.add(cell.key);
          options.onCell?.(++done, cells.length, { layer, token, metrics: { ...result.metrics }, aucInterval: result.aucInterval });
        },
        (err: unknown) => {
          // e.g. non-finite activations (an fp16 overflow): say which cell, not just what.
          failure ??= new PipelineError(`probe at layer ${layer}, token ${TOKEN_POSITIONS[token]}: ${(err as Error).message}`, { cause: err });
        },
      )
      .finally(() => inFlight.delete(cell.key));
    inFlight.set(cell.key, fit);
  };

  try {
    const waiting = [...cells];
    while (waiting.length > 0 || inFlight.size > 0) {
      if (failure !== undefined) throw failure;
      if (options.signal?.aborted) throw new RunCancelled('cancelled during probe training');
      // The first cell in order whose parent is trained; there is always one once the cells in flight end,
      // since a parent comes before its children.
      const ready = inFlight.size < runner.workers ? waiting.findIndex((c) => c.parent === undefined || finished.has(c.parent)) : -1;
      if (ready >= 0) start(waiting.splice(ready, 1)[0]);
      else await Promise.race(inFlight.values());
    }
    if (failure !== undefined) throw failure;
  } finally {
    await Promise.allSettled(inFlight.values());
    await runner.close();
  }
  return { metrics, iterations, converged, scores, aucInterval, solver, workers };
}

interface OrderedCell {
  layer: number;
  token: number;
  key: string;
  /** The cell whose dual weights warm-start this one; undefined: a cold start. */
  parent?: string;
}

/**
 * Every cell, in the order they are started (cellOrder.ts), each with its warm-start parent. Warm starts:
 * every cell fits the same train rows, and a probe's dual weights (per-row residuals) carry over to a
 * neighbouring cell. The parent is fixed by the order alone — the nearest layer already trained at the
 * same token (the lower one on a tie); the first layer trained starts cold — so a run gives the same bits
 * whatever the timing and the number of workers. The solver uses it only when it beats a cold start.
 */
export function cellsInTrainingOrder(numLayers: number): OrderedCell[] {
  const cells: OrderedCell[] = [];
  const trained: number[] = [];
  for (const layer of coarseToFineLayers(numLayers)) {
    const parentLayer = nearestLayer(trained, layer);
    for (let token = 0; token < TOKEN_POSITIONS.length; token++) {
      cells.push({ layer, token, key: `${layer}/${token}`, parent: parentLayer === undefined ? undefined : `${parentLayer}/${token}` });
    }
    trained.push(layer);
  }
  return cells;
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
