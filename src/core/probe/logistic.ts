// L2-regularised logistic regression probes, minimising exactly scikit-learn's LogisticRegression
// objective  f(w, b) = C·Σᵢ logloss(yᵢ, xᵢ·w + b) + ½‖w‖²  (intercept unpenalised), run to convergence.
// Hand-written: no maintained pure-JS logistic-regression solver minimises this objective to convergence
// (npm's ml-logistic-regression, for one, is fixed-step gradient descent with no L2 term or stopping rule).
//
// Stopping rule (every solver): ‖∇f(w, b)‖∞ ≤ tol · ‖∇f(0, 0)‖∞, i.e. the largest gradient component,
// over w and b, relative to the same quantity at the origin. `converged` is true only when that held;
// hitting maxIter or a failed line search leaves it false.
import { type DualStart, fitNewtonDual } from './dualNewton';
import { checkFinite } from './fitCommon';
import type { LogisticFit, SolverSettings } from './fitTypes';
import { sigmoid } from './logLoss';
import { fitNewtonCg } from './newtonCg';
import { fitNewtonCgOrt } from './newtonCgOrt';
import { fitNewtonGram } from './newtonGram';
import { type GramScratch, type OrtKernels, sharedOrtKernels } from './ortKernels';

export type { LogisticFit } from './fitTypes';

export type LogisticSolverName = 'newton-gram' | 'newton-cg';

export interface LogisticOptions {
  /** Inverse regularisation strength, as scikit-learn's C. */
  C?: number;
  /** Relative gradient tolerance of the stopping rule above. */
  tol?: number;
  /** Maximum Newton iterations. */
  maxIter?: number;
  /** 'auto' (default) picks by shape; see chooseSolver. */
  solver?: 'auto' | LogisticSolverName;
}

export const LOGISTIC_DEFAULTS: Readonly<SolverSettings> = { C: 1, tol: 1e-8, maxIter: 100 };

/**
 * The cheaper of the two by an operation count (multiply-adds), assuming ~10 Newton iterations:
 * - 'newton-gram': K = X·Xᵀ once (n²d/2), then an n×n Cholesky per iteration (n³/6);
 * - 'newton-cg': the d×d Hessian preconditioner (nd²/2 + d³/6), then ~100 CG steps in all (2nd each).
 * 800×4096 → newton-gram (~2·10⁹ vs ~2·10¹⁰); 8000×768 → newton-cg; n ≈ d ≈ 4000 → newton-cg.
 */
export function chooseSolver(n: number, d: number): LogisticSolverName {
  const gramCost = (n * n * d) / 2 + (10 * n * n * n) / 6;
  const cgCost = (n * d * d) / 2 + (d * d * d) / 6 + 100 * 2 * n * d;
  return gramCost <= cgCost ? 'newton-gram' : 'newton-cg';
}

/** Both classes present: the only case a probe can be fitted (otherwise the cell is undefined). */
export function hasBothClasses(y: ArrayLike<number>): boolean {
  let ones = 0;
  for (let i = 0; i < y.length; i++) ones += y[i] === 1 ? 1 : 0;
  return ones > 0 && ones < y.length;
}

/**
 * Fits P(correct | x) = σ(x·w + b) on row-major X (n×d) with labels y (1 correct, 0 error).
 * Throws when y has a single class: there is no finite optimum then, and the caller reports the cell
 * as undefined (check with hasBothClasses first).
 */
export function fitLogistic(X: Float32Array, n: number, d: number, y: Uint8Array, opts: LogisticOptions = {}): LogisticFit {
  const settings = validatedSettings(X, n, d, y, opts);
  const solver = !opts.solver || opts.solver === 'auto' ? chooseSolver(n, d) : opts.solver;
  return solver === 'newton-gram' ? fitNewtonGram(X, n, d, y, settings) : fitNewtonCg(X, n, d, y, settings);
}

/** The solvers fitLogisticFast can run: the JS ones, and 'newton-dual' (dualNewton.ts). */
export type FastSolverName = LogisticSolverName | 'newton-dual';

export interface FastLogisticOptions extends Omit<LogisticOptions, 'solver'> {
  /** 'auto' (default): see chooseFastSolver. */
  solver?: 'auto' | FastSolverName;
  /** onnxruntime intra-op threads (0 = one per core, its default); ignored when `kernels` is given. */
  threads?: number;
  /** GPU execution provider for the onnxruntime products (see OrtKernelOptions.provider); ignored when `kernels` is given. */
  provider?: string;
  kernels?: OrtKernels;
  /** Warm start for 'newton-dual' (another fit's `dual` on the same rows); the other solvers ignore it. */
  warmStart?: DualStart;
  /** Reused memory for 'newton-dual''s Gram matrix: only for a caller that runs one fit at a time with it. */
  gramScratch?: GramScratch;
}

/** Rows above which the dual's n×n Gram matrix (float64 and float32 copies: 12·n² bytes) is too big. */
const DUAL_MAX_ROWS = 8192;

/** Whether fitLogisticFast's automatic choice puts an n × d problem on onnxruntime (else the JS solvers). */
export function usesOnnxruntimeProducts(n: number, d: number): boolean {
  return n * d * Math.min(n, d) >= 5e7 && n >= 4;
}

/**
 * For fitLogisticFast, by an operation count: below ~5·10⁷ multiply-adds for the n×n (or d×d) products
 * the JS solvers win (no session calls); above, 'newton-dual' when n ≤ d — and also when d is so large
 * that newton-cg's (d+1)³/6 JS Cholesky would dominate, memory permitting — else 'newton-cg' with its
 * Hessian preconditioner from onnxruntime. The dual needs n ≥ 4 (its Gram graph has four row blocks).
 */
export function chooseFastSolver(n: number, d: number): FastSolverName {
  if (!usesOnnxruntimeProducts(n, d)) return chooseSolver(n, d);
  return n <= d || (d > 2048 && n <= DUAL_MAX_ROWS) ? 'newton-dual' : 'newton-cg';
}

/**
 * fitLogistic with onnxruntime as the BLAS: same objective, stopping rule and result, much faster on
 * probe-sized problems. 'newton-cg' here builds its preconditioner with onnxruntime.
 */
export async function fitLogisticFast(
  X: Float32Array,
  n: number,
  d: number,
  y: Uint8Array,
  opts: FastLogisticOptions = {},
): Promise<LogisticFit> {
  const solver = !opts.solver || opts.solver === 'auto' ? chooseFastSolver(n, d) : opts.solver;
  // The dual sees non-finite values in its Gram matrix for free (and then calls checkFinite itself).
  const settings = validatedSettings(X, n, d, y, opts, solver !== 'newton-dual');
  if (solver === 'newton-gram') return fitNewtonGram(X, n, d, y, settings);
  // Small problems chosen automatically stay in JS; an explicit 'newton-cg' gets the onnxruntime builder.
  if (solver === 'newton-cg' && opts.solver !== 'newton-cg' && !usesOnnxruntimeProducts(n, d)) return fitNewtonCg(X, n, d, y, settings);
  const kernels = opts.kernels ?? (await sharedOrtKernels(opts.threads ?? 0, opts.provider ?? 'cpu'));
  if (solver === 'newton-dual') {
    if (n < 4) throw new RangeError(`newton-dual needs at least 4 rows, got ${n}`);
    return fitNewtonDual(X, n, d, y, settings, kernels, { start: opts.warmStart, gramScratch: opts.gramScratch });
  }
  return fitNewtonCgOrt(X, n, d, y, settings, kernels);
}

/** Checks the inputs every solver relies on and fills in the defaults. */
function validatedSettings(
  X: Float32Array,
  n: number,
  d: number,
  y: Uint8Array,
  opts: LogisticOptions | FastLogisticOptions,
  scanForNonFinite = true,
): SolverSettings {
  if (X.length !== n * d) throw new RangeError(`X has ${X.length} values, expected n·d = ${n}·${d}`);
  if (y.length !== n) throw new RangeError(`y has ${y.length} labels, expected ${n}`);
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`label ${i} is ${y[i]}, expected 0 or 1`);
  if (scanForNonFinite) checkFinite(X, d);
  if (!hasBothClasses(y)) throw new RangeError('the training labels hold a single class; the probe is undefined');
  const settings: SolverSettings = {
    C: opts.C ?? LOGISTIC_DEFAULTS.C,
    tol: opts.tol ?? LOGISTIC_DEFAULTS.tol,
    maxIter: opts.maxIter ?? LOGISTIC_DEFAULTS.maxIter,
  };
  if (!(settings.C > 0)) throw new RangeError(`C must be positive, got ${settings.C}`);
  return settings;
}

/** P(correct) = σ(x·w + b) for each row of row-major X (n×d). */
export function predictProbaCorrect(fit: LogisticFit, X: Float32Array, n: number, d: number): Float64Array {
  if (fit.weights.length !== d || X.length !== n * d) throw new RangeError('X does not match the fit or n·d');
  const out = new Float64Array(n);
  const w = fit.weights;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    let z = fit.intercept;
    for (let k = 0; k < d; k++) z += X[o + k] * w[k];
    out[i] = sigmoid(z);
  }
  return out;
}
