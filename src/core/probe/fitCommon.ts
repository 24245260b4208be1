// Pieces both solvers share: the starting intercept, the gradient scale of the stopping rule, and the
// objective evaluated from the final (w, b) so that every solver reports it the same way.
import { dot, matTVec, matVec, maxAbs } from './linalg';
import { weightedLogLoss } from './logLoss';

/** log(p / (1 − p)) for p = mean(y): the optimum when w = 0, a good start for b. */
export function startingIntercept(y: Uint8Array): number {
  let ones = 0;
  for (let i = 0; i < y.length; i++) ones += y[i];
  return Math.log(ones / (y.length - ones));
}

/** ‖∇f(w = 0, b = 0)‖∞ with ∇f = (w + Xᵀr, Σr), r = C·(½ − y): the yardstick of the relative tolerance. */
export function gradientNormAtZero(X: Float32Array, n: number, d: number, y: Uint8Array, C: number): number {
  const r = Float64Array.from(y, (yi) => C * (0.5 - yi));
  let gb = 0;
  for (let i = 0; i < n; i++) gb += r[i];
  return Math.max(maxAbs(matTVec(X, n, d, r, new Float64Array(d))), Math.abs(gb));
}

/** C·Σ logloss(yᵢ, xᵢ·w + b) + ½‖w‖². */
export function objectiveAt(
  X: Float32Array,
  n: number,
  d: number,
  y: Uint8Array,
  C: number,
  w: Float64Array,
  b: number,
): number {
  const z = matVec(X, n, d, w, new Float64Array(n));
  for (let i = 0; i < n; i++) z[i] += b;
  return weightedLogLoss(z, y, C) + 0.5 * dot(w, w);
}

/**
 * Newton's gradient norm falls fast until float64 rounding sets a floor; a tolerance below that floor
 * would otherwise spin until maxIter (one n×n Cholesky or a CG solve each). Stalled after `patience`
 * iterations without a new smallest gradient.
 */
export class StallDetector {
  private best = Infinity;
  private since = 0;

  constructor(private readonly patience = 5) {}

  stalled(gradientNorm: number): boolean {
    if (gradientNorm < this.best) {
      this.best = gradientNorm;
      this.since = 0;
      return false;
    }
    return ++this.since >= this.patience;
  }
}

/**
 * Throws when X holds ±Infinity or NaN: fp16 activations can overflow, and a fit on them would silently
 * be NaN. x·0 is NaN exactly for those, so four running sums of it find out in one cheap pass.
 */
export function checkFinite(X: Float32Array, d: number): void {
  let a = 0;
  let b = 0;
  let c = 0;
  let e = 0;
  const n4 = X.length - (X.length % 4);
  for (let k = 0; k < n4; k += 4) {
    a += X[k] * 0;
    b += X[k + 1] * 0;
    c += X[k + 2] * 0;
    e += X[k + 3] * 0;
  }
  for (let k = n4; k < X.length; k++) a += X[k] * 0;
  if (a + b + c + e === 0) return;
  for (let k = 0; k < X.length; k++) {
    if (!Number.isFinite(X[k])) throw new RangeError(`X holds a non-finite value (${X[k]}) in row ${Math.floor(k / d)}`);
  }
}
