// Randomised Nyström approximation of the Gram matrix's top eigenpairs, and from it the preconditioner of
// the dual Newton systems (K + W)·u = v, W diagonal and positive (dualNewton.ts).
//
// Raw activations give K a few huge eigenvalues (the shared mean is centred away, but a handful of
// high-variance directions remain) above a bulk spread over one or two decades. Conjugate gradients pay
// about one step per outlying eigenvalue plus √(bulk condition number) per digit, so the outliers are
// captured once per cell (K ≈ U·Λ·Uᵀ on them, σ on the rest) and P = W + σ·I + U·(Λ − σ)·Uᵀ is applied
// by the Woodbury identity in O(n·k). P includes W exactly, so P⁻¹(K + W) stays well conditioned however
// far W = 1/D spreads as the fit approaches separation (Frangella, Tropp & Udell, "Randomized Nyström
// preconditioning", SIAM J. Matrix Anal. Appl. 2023, with the diagonal generalised from μ·I to W).
import { choleskyInPlace, choleskySolve } from './linalg';
import { MT19937 } from './mt19937';
import { symmetricEigen } from './symmetricEigen';

export interface NystromSketch {
  n: number;
  /** Kept eigenvectors, stored one after another (k×n, so each is contiguous). */
  U: Float64Array;
  /** Their approximate eigenvalues, descending, each > sigma. */
  lambda: Float64Array;
  /** Level assumed for the rest of the spectrum: mean of the eigenvalues not kept (trace minus kept, over n − k). */
  sigma: number;
}

/** Fixed seed: the sketch, and so every float the solver produces, depends on the inputs only. */
const SKETCH_SEED = 20250;

/**
 * Rank-ℓ Nyström sketch of the symmetric positive semi-definite n×n matrix K (Tropp et al. 2017, stable
 * version with a small shift ν) after `powerIterations` subspace iterations, given `multiply(Ω)` = K·Ω
 * for a row-major n×ℓ Ω. Internally the ℓ sketch vectors are stored one after another (ℓ×n) so that
 * every loop runs along n.
 */
export async function nystromSketch(
  K: Float64Array,
  n: number,
  rank: number,
  multiply: (omega: Float64Array, cols: number) => Promise<Float64Array>,
  powerIterations = 1,
): Promise<NystromSketch> {
  const l = Math.min(rank, n);
  let omega = gaussianColumns(n, l);
  let Y = transpose(await multiply(transpose(omega, l, n), l), n, l);
  // Power iterations: the test matrix becomes K·Ω, orthonormalised, which aligns the sketch with the
  // top eigenvectors (the plain sketch underestimates the outlying eigenvalues by 10–40 %).
  for (let q = 0; q < powerIterations; q++) {
    omega = orthonormalRows(Y, l, n);
    Y = transpose(await multiply(transpose(omega, l, n), l), n, l);
  }
  let trace = 0;
  for (let i = 0; i < n; i++) trace += K[i * n + i];
  let frob = 0;
  for (let i = 0; i < Y.length; i++) frob += Y[i] * Y[i];
  // K comes from a float32 Gram: its tiny negative eigenvalues (~1e-6 relative) must not break the Cholesky.
  let shift = 1e-6 * Math.sqrt(frob) + Number.MIN_VALUE;
  for (let attempt = 0; attempt < 20; attempt++, shift *= 10) {
    const sketch = tryNystrom(Y, omega, n, l, shift, trace);
    if (sketch) return sketch;
  }
  return { n, U: new Float64Array(0), lambda: new Float64Array(0), sigma: trace / n };
}

/** Y and Ω as ℓ vectors of length n, one after another. */
function tryNystrom(Y: Float64Array, omega: Float64Array, n: number, l: number, shift: number, trace: number): NystromSketch | null {
  const Ys = new Float64Array(l * n);
  for (let i = 0; i < Ys.length; i++) Ys[i] = Y[i] + shift * omega[i];
  // core = Ωᵀ·Yν (ℓ×ℓ, symmetric in exact arithmetic): the lower triangle is all the Cholesky reads.
  const core = new Float64Array(l * l);
  for (let a = 0; a < l; a++) for (let b = 0; b <= a; b++) core[a * l + b] = rowDot(omega, a, Ys, b, n);
  if (!choleskyInPlace(core, l)) return null;
  // B = Yν·R⁻ᵀ, i.e. Yν = B·Rᵀ: column a of B is (Yν_a − Σ_{b<a} R[a][b]·B_b) / R[a][a].
  const B = new Float64Array(l * n);
  for (let a = 0; a < l; a++) {
    const o = a * n;
    for (let i = 0; i < n; i++) B[o + i] = Ys[o + i];
    for (let b = 0; b < a; b++) {
      const r = core[a * l + b];
      const ob = b * n;
      for (let i = 0; i < n; i++) B[o + i] -= r * B[ob + i];
    }
    const inv = 1 / core[a * l + a];
    for (let i = 0; i < n; i++) B[o + i] *= inv;
  }
  // Thin SVD of B through the eigen-decomposition of BᵀB (ℓ×ℓ): B = U·Σ·Vᵀ, U = B·V·Σ⁻¹.
  const G = new Float64Array(l * l);
  for (let a = 0; a < l; a++) {
    for (let b = 0; b <= a; b++) G[a * l + b] = G[b * l + a] = rowDot(B, a, B, b, n);
  }
  const { values, vectors } = symmetricEigen(G, l);
  const lambdaAll = Array.from(values, (s2) => Math.max(0, s2 - shift));
  // Keep the eigenvalues standing above the level of the rest; the rest is what σ stands for.
  let kept = 0;
  let keptSum = 0;
  let sigma = trace / n;
  for (let k = 0; k < l; k++) {
    const restMean = (trace - keptSum - lambdaAll[k]) / Math.max(1, n - k - 1);
    if (!(lambdaAll[k] > 2 * Math.max(restMean, 0)) || !(values[k] > 0)) break;
    kept++;
    keptSum += lambdaAll[k];
    sigma = Math.max(restMean, 0);
  }
  const U = new Float64Array(kept * n);
  for (let k = 0; k < kept; k++) {
    const o = k * n;
    const inv = 1 / Math.sqrt(values[k]);
    for (let a = 0; a < l; a++) {
      const v = vectors[a * l + k] * inv;
      const ob = a * n;
      for (let i = 0; i < n; i++) U[o + i] += v * B[ob + i];
    }
  }
  return { n, U, lambda: Float64Array.from(lambdaAll.slice(0, kept)), sigma };
}

function rowDot(A: Float64Array, a: number, B: Float64Array, b: number, n: number): number {
  const oa = a * n;
  const ob = b * n;
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 2 <= n; i += 2) {
    s0 += A[oa + i] * B[ob + i];
    s1 += A[oa + i + 1] * B[ob + i + 1];
  }
  if (i < n) s0 += A[oa + i] * B[ob + i];
  return s0 + s1;
}

/** Row-major rows×cols → row-major cols×rows. */
function transpose(A: Float64Array, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) T[j * rows + i] = A[i * cols + j];
  return T;
}

/** Modified Gram–Schmidt on the m rows (each of length n) of A; a row that vanishes stays zero. */
function orthonormalRows(A: Float64Array, m: number, n: number): Float64Array {
  const Q = Float64Array.from(A);
  for (let a = 0; a < m; a++) {
    const oa = a * n;
    for (let b = 0; b < a; b++) {
      const s = rowDot(Q, a, Q, b, n);
      const ob = b * n;
      for (let i = 0; i < n; i++) Q[oa + i] -= s * Q[ob + i];
    }
    const norm = rowDot(Q, a, Q, a, n);
    const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let i = 0; i < n; i++) Q[oa + i] *= inv;
  }
  return Q;
}

let cachedGaussian = { key: '', value: new Float64Array(0) };

/**
 * A fixed pseudo-random standard normal matrix, ℓ rows of length n (Box–Muller on numpy's MT19937
 * stream); every cell of a heatmap has the same shape, so it is drawn once.
 */
function gaussianColumns(n: number, l: number): Float64Array {
  const key = `${n}/${l}`;
  if (cachedGaussian.key === key) return cachedGaussian.value;
  const rng = new MT19937(SKETCH_SEED);
  const out = new Float64Array(l * n);
  for (let i = 0; i < out.length; i += 2) {
    const u = 1 - rng.nextDouble();
    const v = rng.nextDouble();
    const radius = Math.sqrt(-2 * Math.log(u));
    out[i] = radius * Math.cos(2 * Math.PI * v);
    if (i + 1 < out.length) out[i + 1] = radius * Math.sin(2 * Math.PI * v);
  }
  cachedGaussian = { key, value: out };
  return out;
}

/** P⁻¹ for P = diag(w) + σ·I + U·(Λ − σ)·Uᵀ, built for one W; apply() is O(n·k). */
export class NystromPreconditioner {
  private readonly e: Float64Array; // 1 / (wᵢ + σ)
  private readonly core: Float64Array; // Cholesky of I + Δ^½·Uᵀ·E⁻¹·U·Δ^½ (k×k)
  private readonly rootDelta: Float64Array;
  private readonly t: Float64Array;

  constructor(
    private readonly sketch: NystromSketch,
    w: Float64Array,
  ) {
    const { n, U, lambda, sigma } = sketch;
    const k = lambda.length;
    this.e = Float64Array.from(w, (wi) => 1 / (wi + sigma));
    this.rootDelta = Float64Array.from(lambda, (l) => Math.sqrt(l - sigma));
    this.t = new Float64Array(k);
    const core = new Float64Array(k * k);
    const eu = new Float64Array(n);
    for (let a = 0; a < k; a++) {
      const oa = a * n;
      for (let i = 0; i < n; i++) eu[i] = this.e[i] * U[oa + i];
      for (let b = 0; b <= a; b++) {
        const ob = b * n;
        let s = 0;
        for (let i = 0; i < n; i++) s += eu[i] * U[ob + i];
        core[a * k + b] = s * this.rootDelta[a] * this.rootDelta[b];
      }
      core[a * k + a] += 1;
    }
    // ≥ I in exact arithmetic; a failure can only come from non-finite input.
    if (!choleskyInPlace(core, k)) throw new RangeError('Nyström preconditioner: non-finite weights');
    this.core = core;
  }

  /** out = P⁻¹·v. */
  apply(v: Float64Array, out: Float64Array): void {
    const { n, U } = this.sketch;
    const k = this.rootDelta.length;
    const { e, t, rootDelta } = this;
    for (let i = 0; i < n; i++) out[i] = v[i] * e[i];
    if (k === 0) return;
    for (let a = 0; a < k; a++) {
      const o = a * n;
      let s = 0;
      for (let i = 0; i < n; i++) s += U[o + i] * out[i];
      t[a] = s * rootDelta[a];
    }
    choleskySolve(this.core, k, t);
    for (let a = 0; a < k; a++) t[a] *= rootDelta[a];
    // out −= E⁻¹·U·t, one eigenvector at a time (contiguous).
    for (let a = 0; a < k; a++) {
      const o = a * n;
      const ta = t[a];
      for (let i = 0; i < n; i++) out[i] -= e[i] * ta * U[o + i];
    }
  }
}
