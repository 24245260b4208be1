// One heatmap cell: fit a probe on the train rows, score the test rows, compute the metrics and the
// bootstrap interval of the AUC. probeCellAsync is the fast path (onnxruntime products, logistic.ts's
// fitLogisticFast); probeCell is the same computation with the synchronous JS solvers.
import { BOOTSTRAP_DEFAULTS, bootstrapAucInterval } from './bootstrap';
import type { DualNewtonFit, DualStart } from './dualNewton';
import {
  type FastSolverName,
  fitLogistic,
  fitLogisticFast,
  hasBothClasses,
  type LogisticFit,
  type LogisticSolverName,
  predictProbaCorrect,
} from './logistic';
import { type CellMetrics, cellMetrics, undefinedCellMetrics } from './metrics';
import type { GramScratch } from './ortKernels';

export interface ProbeCellOptions {
  C?: number;
  tol?: number;
  maxIter?: number;
  solver?: 'auto' | LogisticSolverName;
  /** Seed of the AUC bootstrap (the run seed); 0 unless told. */
  seed?: number;
  /** Bootstrap resamples of the test rows for aucInterval (default 1000; 0 = no interval). */
  bootstrapResamples?: number;
}

export interface ProbeCellFastOptions extends Omit<ProbeCellOptions, 'solver'> {
  solver?: 'auto' | FastSolverName;
  /** onnxruntime intra-op threads (0 = one per core, its default). */
  threads?: number;
  /** GPU execution provider for the onnxruntime products (see OrtKernelOptions.provider). */
  provider?: string;
  /** A neighbouring cell's `dual` on the same train rows: warm start of the 'newton-dual' solver. */
  warmStart?: DualStart;
  /** Reused memory for the dual's Gram matrix (GramScratch): for a caller fitting one cell at a time. */
  gramScratch?: GramScratch;
}

export interface ProbeCellResult {
  metrics: CellMetrics;
  /** Percentile-bootstrap 95 % interval of metrics.auc over the test rows; null when undefined. */
  aucInterval: [number, number] | null;
  /** Bootstrap resamples drawn, and how many of them were left out for holding a single class. */
  aucBootstrap: { resamples: number; skipped: number };
  /** P(correct) of each test row, in the order given; empty when the cell is undefined. */
  pCorrectTest: Float64Array;
  iterations: number;
  converged: boolean;
  /** Solver used; '' when nothing was fitted. */
  solver: string;
  /** The 'newton-dual' solver's final dual weights: a warm start for a neighbouring cell (else absent). */
  dual?: DualStart;
}

/**
 * Row-major Xtrain (ytrain.length × d) and Xtest (ytest.length × d). When either side holds a single
 * class the cell is undefined: all metrics null, nothing fitted (iterations 0, converged false).
 */
export function probeCell(
  Xtrain: Float32Array,
  ytrain: Uint8Array,
  Xtest: Float32Array,
  ytest: Uint8Array,
  d: number,
  opts: ProbeCellOptions = {},
): ProbeCellResult {
  checkShapes(Xtest, ytest, d);
  if (!hasBothClasses(ytrain) || !hasBothClasses(ytest)) return undefinedCell();
  return finishCell(fitLogistic(Xtrain, ytrain.length, d, ytrain, opts), Xtest, ytest, d, opts);
}

/** probeCell on the fast solvers; same result up to the solvers' tolerance. */
export async function probeCellAsync(
  Xtrain: Float32Array,
  ytrain: Uint8Array,
  Xtest: Float32Array,
  ytest: Uint8Array,
  d: number,
  opts: ProbeCellFastOptions = {},
): Promise<ProbeCellResult> {
  checkShapes(Xtest, ytest, d);
  if (!hasBothClasses(ytrain) || !hasBothClasses(ytest)) return undefinedCell();
  const fit = await fitLogisticFast(Xtrain, ytrain.length, d, ytrain, opts);
  const cell = finishCell(fit, Xtest, ytest, d, opts);
  const { dual } = fit as Partial<DualNewtonFit>;
  return dual ? { ...cell, dual } : cell;
}

function checkShapes(Xtest: Float32Array, ytest: Uint8Array, d: number): void {
  if (Xtest.length !== ytest.length * d) throw new RangeError(`Xtest has ${Xtest.length} values, expected ${ytest.length}·${d}`);
}

function undefinedCell(): ProbeCellResult {
  return {
    metrics: undefinedCellMetrics(),
    aucInterval: null,
    aucBootstrap: { resamples: 0, skipped: 0 },
    pCorrectTest: new Float64Array(0),
    iterations: 0,
    converged: false,
    solver: '',
  };
}

function finishCell(
  fit: LogisticFit,
  Xtest: Float32Array,
  ytest: Uint8Array,
  d: number,
  opts: Pick<ProbeCellOptions, 'seed' | 'bootstrapResamples'>,
): ProbeCellResult {
  const pCorrectTest = predictProbaCorrect(fit, Xtest, ytest.length, d);
  const boot = bootstrapAucInterval(ytest, pCorrectTest, {
    resamples: opts.bootstrapResamples ?? BOOTSTRAP_DEFAULTS.resamples,
    seed: opts.seed ?? 0,
  });
  return {
    metrics: cellMetrics(ytest, pCorrectTest),
    aucInterval: boot.interval,
    aucBootstrap: { resamples: boot.resamples, skipped: boot.skipped },
    pCorrectTest,
    iterations: fit.iterations,
    converged: fit.converged,
    solver: fit.solver,
  };
}
