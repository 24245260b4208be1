// L2-regularised logistic regression probes, minimising exactly scikit-learn's LogisticRegression
// objective  f(w, b) = C·Σᵢ logloss(yᵢ, xᵢ·w + b) + ½‖w‖²  (intercept unpenalised), run to convergence.
// Hand-written: no maintained pure-JS logistic-regression solver minimises this objective to convergence
// (npm's ml-logistic-regression, for one, is fixed-step gradient descent with no L2 term or stopping rule).
//
// Stopping rule (both solvers): ‖∇f(w, b)‖∞ ≤ tol · ‖∇f(0, 0)‖∞, i.e. the largest gradient component,
// over w and b, relative to the same quantity at the origin. `converged` is true only when that held;
// hitting maxIter or a failed line search leaves it false.
import type { LogisticFit, SolverSettings } from './fitTypes';
import { sigmoid } from './logLoss';
import { fitNewtonCg } from './newtonCg';
import { fitNewtonGram } from './newtonGram';

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
  if (X.length !== n * d) throw new RangeError(`X has ${X.length} values, expected n·d = ${n}·${d}`);
  if (y.length !== n) throw new RangeError(`y has ${y.length} labels, expected ${n}`);
  for (let i = 0; i < n; i++) if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`label ${i} is ${y[i]}, expected 0 or 1`);
  // fp16 activations can overflow to ±Infinity; a fit on them would silently be NaN.
  for (let k = 0; k < X.length; k++) {
    if (!Number.isFinite(X[k])) throw new RangeError(`X holds a non-finite value (${X[k]}) in row ${Math.floor(k / d)}`);
  }
  if (!hasBothClasses(y)) throw new RangeError('the training labels hold a single class; the probe is undefined');
  const settings: SolverSettings = {
    C: opts.C ?? LOGISTIC_DEFAULTS.C,
    tol: opts.tol ?? LOGISTIC_DEFAULTS.tol,
    maxIter: opts.maxIter ?? LOGISTIC_DEFAULTS.maxIter,
  };
  if (!(settings.C > 0)) throw new RangeError(`C must be positive, got ${settings.C}`);
  const solver = !opts.solver || opts.solver === 'auto' ? chooseSolver(n, d) : opts.solver;
  return solver === 'newton-gram' ? fitNewtonGram(X, n, d, y, settings) : fitNewtonCg(X, n, d, y, settings);
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
