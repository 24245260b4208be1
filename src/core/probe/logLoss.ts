// Numerically stable logistic loss pieces, shared by both solvers and by prediction.
// Everything is written in terms of e = exp(-|z|) ∈ (0, 1], which never overflows.

/** P(y = 1 | z) = σ(z), stable for any finite z. */
export function sigmoid(z: number): number {
  const e = Math.exp(-Math.abs(z));
  return z >= 0 ? 1 / (1 + e) : e / (1 + e);
}

/**
 * For margins z (z = x·w + b) and labels y ∈ {0,1}, returns C·Σ logloss(yᵢ, zᵢ) and fills
 * - `grad[i]` = C·(σ(zᵢ) − yᵢ), the derivative of the weighted loss with respect to zᵢ, computed
 *   as ±C·σ(∓|z|) so that 1 − σ(z) never cancels;
 * - `curv[i]` (optional) = C·σ(zᵢ)·(1 − σ(zᵢ)), its second derivative.
 * logloss(y, z) = log(1 + exp(−s·z)) with s = 2y − 1 = max(−s·z, 0) + log1p(exp(−|z|)).
 */
export function weightedLogLoss(
  z: Float64Array,
  y: Uint8Array,
  C: number,
  grad?: Float64Array,
  curv?: Float64Array,
): number {
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i];
    const e = Math.exp(-Math.abs(zi));
    const big = 1 / (1 + e); // σ(|z|)
    const small = e / (1 + e); // σ(−|z|)
    const t = y[i] === 1 ? -zi : zi; // −s·z
    total += (t > 0 ? t : 0) + Math.log1p(e);
    if (grad) {
      // σ(z) − y: for y = 1 it is −(1 − σ(z)) = −σ(−z); for y = 0 it is σ(z).
      const pWrong = t > 0 ? big : small; // probability given to the wrong class
      grad[i] = y[i] === 1 ? -C * pWrong : C * pWrong;
    }
    if (curv) curv[i] = C * big * small;
  }
  return C * total;
}

/** C·Σ logloss at margins z + t·dz, without allocating (used by the line searches). */
export function weightedLogLossAlong(z: Float64Array, dz: Float64Array, t: number, y: Uint8Array, C: number): number {
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i] + t * dz[i];
    const tt = y[i] === 1 ? -zi : zi;
    total += (tt > 0 ? tt : 0) + Math.log1p(Math.exp(-Math.abs(zi)));
  }
  return C * total;
}

/** d/dt of weightedLogLossAlong: Σ C·(σ(zᵢ + t·dzᵢ) − yᵢ)·dzᵢ. */
export function weightedLogLossSlopeAlong(z: Float64Array, dz: Float64Array, t: number, y: Uint8Array, C: number): number {
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const zi = z[i] + t * dz[i];
    const e = Math.exp(-Math.abs(zi));
    const wrongIsBig = y[i] === 1 ? zi < 0 : zi > 0;
    const pWrong = wrongIsBig ? 1 / (1 + e) : e / (1 + e);
    total += (y[i] === 1 ? -pWrong : pWrong) * dz[i];
  }
  return C * total;
}
