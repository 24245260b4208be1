// Preconditioned conjugate gradients on a few right-hand sides at once: each column runs its own
// recurrence, but the products with A for all active columns go out as one n×r matrix product, so a
// step costs one pass over A whatever r is.
import { dot } from './linalg';

export interface BlockCgResult {
  /** Products with A taken (each covering every still-active column). */
  steps: number;
  /** Per column: relative residual ‖s∘(b − A·x)‖ / ‖s∘b‖ reached (as tracked by the recurrence). */
  residuals: number[];
}

/** ‖s∘v‖₂ (s = scale), or ‖v‖₂ without one. */
function scaledNorm(v: Float64Array, scale: Float64Array | undefined): number {
  if (!scale) return Math.sqrt(dot(v, v));
  let s = 0;
  for (let i = 0; i < v.length; i++) {
    const x = scale[i] * v[i];
    s += x * x;
  }
  return Math.sqrt(s);
}

/**
 * Solves A·xⱼ = bⱼ (A symmetric positive definite) from xⱼ = 0 until ‖s∘rⱼ‖ ≤ relTol·‖s∘bⱼ‖ for every
 * column or maxSteps products; s = `scale` (all ones if absent) says which residual components matter.
 * `multiply` returns A·p for each given p; `precondition` writes P⁻¹·r.
 */
export async function blockPcg(
  multiply: (ps: Float64Array[]) => Promise<Float64Array[]>,
  precondition: (r: Float64Array, out: Float64Array) => void,
  bs: Float64Array[],
  xs: Float64Array[],
  relTol: number,
  maxSteps: number,
  scale?: Float64Array,
): Promise<BlockCgResult> {
  const cols = bs.length;
  const n = bs[0].length;
  const res = bs.map((b) => Float64Array.from(b));
  const z = bs.map(() => new Float64Array(n));
  const p = bs.map(() => new Float64Array(n));
  const rz = new Float64Array(cols);
  const bNorm = bs.map((b) => scaledNorm(b, scale));
  const rNorm = bNorm.slice();
  const active: number[] = [];
  for (let j = 0; j < cols; j++) {
    xs[j].fill(0);
    if (!(bNorm[j] > 0)) continue; // b = 0: x = 0 is exact
    precondition(res[j], z[j]);
    p[j].set(z[j]);
    rz[j] = dot(res[j], z[j]);
    active.push(j);
  }
  let steps = 0;
  let live = active.filter((j) => rNorm[j] > relTol * bNorm[j]);
  while (live.length > 0 && steps < maxSteps) {
    const ap = await multiply(live.map((j) => p[j]));
    steps++;
    const next: number[] = [];
    live.forEach((j, c) => {
      const curvature = dot(p[j], ap[c]);
      if (!(curvature > 0)) return; // only rounding (or a non-finite A) gets here: stop this column
      const a = rz[j] / curvature;
      const x = xs[j];
      const r = res[j];
      const pj = p[j];
      const apj = ap[c];
      for (let i = 0; i < n; i++) {
        x[i] += a * pj[i];
        r[i] -= a * apj[i];
      }
      rNorm[j] = scaledNorm(r, scale);
      if (rNorm[j] <= relTol * bNorm[j]) return;
      precondition(r, z[j]);
      const rzNext = dot(r, z[j]);
      const beta = rzNext / rz[j];
      rz[j] = rzNext;
      const zj = z[j];
      for (let i = 0; i < n; i++) pj[i] = zj[i] + beta * pj[i];
      next.push(j);
    });
    live = next;
  }
  return { steps, residuals: bs.map((_, j) => (bNorm[j] > 0 ? rNorm[j] / bNorm[j] : 0)) };
}
