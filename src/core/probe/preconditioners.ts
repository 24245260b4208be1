// Preconditioners for the conjugate-gradient solves of newtonCg.ts, in centred coordinates
// (w first, then the intercept c). Both approximate H = [I + XcᵀDXc, XcᵀD1; 1ᵀDXc, 1ᵀD1].
import { choleskyInPlace, choleskySolve, gram } from './linalg';

export interface Preconditioner {
  /** out = P⁻¹·r. */
  apply(r: Float64Array, out: Float64Array): void;
}

/** diag(H): 1 + Σᵢ Dᵢ(xᵢⱼ − μⱼ)² for w, Σᵢ Dᵢ for c (1 if that is 0). One pass over X. */
export function diagonalPreconditioner(X: Float32Array, n: number, d: number, mu: Float64Array, D: Float64Array): Preconditioner {
  const diag = new Float64Array(d + 1);
  let sumD = 0;
  for (let i = 0; i < n; i++) {
    const di = D[i];
    sumD += di;
    if (di === 0) continue;
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const xc = X[o + j] - mu[j];
      diag[j] += di * xc * xc;
    }
  }
  for (let j = 0; j < d; j++) diag[j] += 1;
  diag[d] = sumD > 0 ? sumD : 1;
  return {
    apply(r, out) {
      for (let j = 0; j <= d; j++) out[j] = r[j] / diag[j];
    },
  };
}

/**
 * The exact Hessian at the given D, Cholesky-factored ((d+1)³/6), for use at later D as well: while
 * D changes little, CG then needs a handful of steps. XcᵀDXc is the Gram matrix of the columns of
 * D^½·Xc, formed in float32 (a preconditioner need not be exact; H·v products stay float64) so the
 * blocked gram kernel serves: n·d²/2 multiply-adds. Null when the factorisation fails.
 */
export function hessianPreconditioner(
  X: Float32Array,
  n: number,
  d: number,
  mu: Float64Array,
  D: Float64Array,
): Preconditioner | null {
  const { Y, cross, sumD } = scaledCentred(X, n, d, mu, D, 'columns');
  return factoredHessian(gram(Y, d, n), cross, sumD, d);
}

/**
 * The pieces of the Hessian's data term: Y = D^½·Xc in float32 — n×d row-major (`rows`), or its
 * transpose (`columns`: column j of D^½·Xc as row j, what the gram kernel takes) — with XcᵀD1 and 1ᵀD1.
 */
export function scaledCentred(
  X: Float32Array,
  n: number,
  d: number,
  mu: Float64Array,
  D: Float64Array,
  layout: 'rows' | 'columns',
): { Y: Float32Array; cross: Float64Array; sumD: number } {
  const Y = new Float32Array(n * d);
  const cross = new Float64Array(d);
  let sumD = 0;
  for (let i = 0; i < n; i++) {
    const di = D[i];
    const si = Math.sqrt(di);
    sumD += di;
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const xc = X[o + j] - mu[j];
      Y[layout === 'rows' ? o + j : j * n + i] = si * xc;
      cross[j] += di * xc;
    }
  }
  return { Y, cross, sumD };
}

/**
 * P = [I + XcᵀDXc, XcᵀD1; 1ᵀDXc, 1ᵀD1] from its data term `cols` = XcᵀDXc (d×d row-major, lower
 * triangle read), `cross` = XcᵀD1 and `sumD` = 1ᵀD1, Cholesky-factored ((d+1)³/6). Null when the
 * factorisation fails.
 */
export function factoredHessian(cols: ArrayLike<number>, cross: Float64Array, sumD: number, d: number): Preconditioner | null {
  const m = d + 1;
  const P = new Float64Array(m * m);
  for (let j = 0; j < d; j++) {
    for (let k = 0; k <= j; k++) P[j * m + k] = cols[j * d + k];
    P[j * m + j] += 1;
    P[d * m + j] = cross[j];
  }
  P[d * m + d] = sumD;
  if (!choleskyInPlace(P, m)) return null;
  return {
    apply(r, out) {
      out.set(r);
      choleskySolve(P, m, out);
    },
  };
}
