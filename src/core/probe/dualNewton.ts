// Newton's method in the n-dimensional row space of X with onnxruntime products: the fast solver for
// few rows and many features (800 × 4096 probes). Same iterates in exact arithmetic as newtonGram.ts,
// organised so that no n×n factorisation is ever needed (JS Choleskys dominated that solver):
//
// - Centred coordinates z = Xc·w + c, Xc = X − 1μᵀ (exact: the intercept is unpenalised), w = Xcᵀα.
//   K = Xc·Xcᵀ comes from onnxruntime in float32 (ortKernels.ts); products with it from gramProducts.ts.
// - The Newton step (Δw, Δc) = (Xcᵀδ, Δc), with W = D⁻¹ and γ = α + r (∇_w f = Xcᵀγ), solves
//     (K + W)·δ = −W·γ − 1·Δc,  1ᵀδ = −1ᵀα,
//   i.e. two solves (K + W)·u₁ = −W·γ, (K + W)·u₂ = 1, δ = u₁ − u₂·Δc, Δc = (1ᵀu₁ + 1ᵀα)/(1ᵀu₂).
//   W ≥ 4/C, so K + W is positive definite. The solves are inexact: conjugate gradients to a relative
//   residual η that shrinks with the gradient (Eisenstat–Walker), preconditioned by a Nyström sketch of K
//   plus W (nystrom.ts), a few steps of one n×n×2 product each.
// - Phase A runs Newton on that float32-Gram problem. Phase B re-evaluates margins, objective and
//   gradient from X itself in float64 and takes refinement steps (exact gradient, Gram-based Hessian,
//   line search on the exact objective) until the stopping rule of logistic.ts holds there, so
//   `converged` is decided on the exact problem, as for the other solvers. One refinement is typical:
//   the float32 Gram leaves the phase-A optimum about 1e-6 (relative gradient) away from the exact one.
import { blockPcg } from './blockCg';
import { checkFinite, StallDetector, startingIntercept } from './fitCommon';
import type { LogisticFit, SolverSettings } from './fitTypes';
import { GramProducts } from './gramProducts';
import { dot, matTVec, matVec, maxAbs } from './linalg';
import { backtrackingStep } from './lineSearch';
import { weightedLogLoss, weightedLogLossAlong, weightedLogLossSlopeAlong } from './logLoss';
import { NystromPreconditioner, nystromSketch } from './nystrom';
import type { GramScratch, OrtKernels } from './ortKernels';

export interface DualNewtonOptions {
  /** Columns of the Nyström sketch (default 32). */
  sketchRank?: number;
  /** Subspace iterations before the sketch (default 1). */
  powerIterations?: number;
  /**
   * Warm start: another fit's dual weights on the SAME rows (its `dual`), e.g. a neighbouring layer's or
   * token's probe. The dual weights αᵢ = −C·(σ(zᵢ) − yᵢ) at an optimum are per-row residuals, free of the
   * features' scale, so they carry over between cells of one heatmap. Used only when its objective on this
   * problem is below the cold start's; the optimum found is the same (same stopping rule).
   */
  start?: DualStart;
  /** Reused memory for K (see GramScratch): one fit at a time per scratch. */
  gramScratch?: GramScratch;
}

/** A point of the dual iteration: w = Xcᵀα, centred intercept c (z = Xc·w + c). */
export interface DualStart {
  alpha: Float64Array;
  c: number;
}

export interface DualNewtonFit extends LogisticFit {
  /** Products with K inside conjugate gradients, summed over the fit. */
  cgSteps: number;
  /** Phase B steps (exact gradient) among `iterations`. */
  refinements: number;
  /** Wall-clock milliseconds: Gram matrix, sketch, phase A, phase B. */
  phaseMs: { gram: number; sketch: number; gramNewton: number; exact: number };
  /** The final dual weights and centred intercept: a warm start for a neighbouring cell. */
  dual: DualStart;
  /** True when options.start was better than the cold start and used. */
  warmStarted: boolean;
}

/** Curvatures below this count as this (W = 1/D must stay finite); far below anything that matters. */
const MIN_CURVATURE = 1e-280;
/**
 * Phase A stops once its gradient has fallen by this factor: the float32 Gram's own error (~1e-6) is not
 * far below, so going further polishes the wrong problem (phase B takes over with exact gradients).
 * Measured: 1e-5 saves phase A's last Newton step at 800 × 896 and 800 × 4096 (97 → 79 and 45 → 37 CG
 * steps) with the same single exact refinement; 1e-4 costs a second refinement at 4000 × 4096.
 */
const GRAM_PROBLEM_FLOOR = 1e-5;
/** A warm start is used only when its gradient norm is at most this fraction of the cold start's. */
const WARM_START_GAIN = 0.5;

export async function fitNewtonDual(
  X: Float32Array,
  n: number,
  d: number,
  y: Uint8Array,
  { C, tol, maxIter }: SolverSettings,
  kernels: OrtKernels,
  { sketchRank = 32, powerIterations = 1, start, gramScratch }: DualNewtonOptions = {},
): Promise<DualNewtonFit> {
  const t0 = performance.now();
  // r at (w, b) = (0, 0) is C·(½ − y): its Xᵀ-image, from the same pass as the Gram, sets the threshold.
  const r0 = Float32Array.from(y, (yi) => C * (0.5 - yi));
  const { K, K32, mu, xtu } = await kernels.centredGram(X, n, d, r0, gramScratch);
  // A non-finite entry of X makes the column mean, hence every K[i][i], and Xᵀr₀ non-finite.
  if (!Number.isFinite(K[0]) || !Number.isFinite(maxAbs(xtu))) checkFinite(X, d);
  let sumR0 = 0;
  for (let i = 0; i < n; i++) sumR0 += r0[i];
  const threshold = tol * Math.max(maxAbs(xtu), Math.abs(sumR0));
  const t1 = performance.now();

  const gram = new GramProducts(K, n, kernels, K32);
  const kTimes = (vs: Float64Array[]): Promise<Float64Array[]> => gram.times(vs);
  const sketch = await nystromSketch(K, n, sketchRank, (omega, l) => gram.timesMatrix(omega, l), powerIterations);
  const t2 = performance.now();

  const ones = new Float64Array(n).fill(1);
  const u1 = new Float64Array(n);
  const u2 = new Float64Array(n);
  const W = new Float64Array(n);
  const rhs = new Float64Array(n);
  const scale = new Float64Array(n);
  let cgSteps = 0;
  const sum = (v: Float64Array): number => {
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i];
    return s;
  };

  /**
   * The Newton step (δ, Δc) for α-space gradient γ and curvatures D, to relative residual eta. A residual
   * ρ of (K + W)·δ = −W·γ − 1·Δc is the primal residual Xcᵀ(D∘ρ) (and −W·γ maps to the gradient Xcᵀγ),
   * so residuals are measured as ‖D∘ρ‖: rows with D → 0 (confidently fitted, W huge) must not swamp it.
   */
  const newtonStep = async (gamma: Float64Array, alpha: Float64Array, D: Float64Array, eta: number) => {
    for (let i = 0; i < n; i++) {
      const di = Math.max(D[i], MIN_CURVATURE);
      W[i] = 1 / di;
      rhs[i] = -gamma[i] / di;
      scale[i] = di;
    }
    const P = new NystromPreconditioner(sketch, W);
    const multiply = async (ps: Float64Array[]): Promise<Float64Array[]> => {
      const kp = await gram.times32(ps);
      kp.forEach((v, c) => {
        const p = ps[c];
        for (let i = 0; i < n; i++) v[i] += W[i] * p[i];
      });
      return kp;
    };
    const cg = await blockPcg(multiply, (r, out) => P.apply(r, out), [rhs, ones], [u1, u2], eta, Math.min(n, 500), scale);
    cgSteps += cg.steps;
    const s2 = sum(u2);
    const dc = s2 > 0 ? (sum(u1) + sum(alpha)) / s2 : 0;
    const delta = new Float64Array(n);
    for (let i = 0; i < n; i++) delta[i] = u1[i] - u2[i] * dc;
    return { delta, dc };
  };

  // ---- Phase A: Newton on the float32-Gram problem, everything n-dimensional.
  const alpha = new Float64Array(n);
  let c = startingIntercept(y);
  const ka = new Float64Array(n); // K·α, updated along with α
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  const D = new Float64Array(n);
  const gamma = new Float64Array(n);
  const dz = new Float64Array(n);
  let iterations = 0;
  // The gradient scale of phase A's floor and forcing terms: the cold start's, whatever start is used
  // (a warm start's smaller gradient must not tighten them).
  let firstNorm = 0;
  let warmStarted = false;
  if (start && start.alpha.length === n && start.alpha.every(Number.isFinite) && Number.isFinite(start.c)) {
    for (let i = 0; i < n; i++) z[i] = c;
    const fCold = weightedLogLoss(z, y, C, r);
    const [kCold] = await kTimes([r]);
    firstNorm = Math.max(Math.sqrt(Math.max(0, dot(r, kCold))), Math.abs(sum(r)));
    const [kStart] = await kTimes([start.alpha]);
    const { s: scaleBy, c: c0, f: fWarm } = scaledStart(kStart, dot(start.alpha, kStart), start.c, y, C);
    if (fWarm < fCold) {
      // A lower objective is not enough: on unrelated data a start of lower objective but larger gradient
      // (large margins, tiny curvatures) costs Newton more iterations than the cold start (measured: 13–15
      // instead of 9 at 800 × 4096). Only a start whose gradient is half the cold one's or less is used.
      for (let i = 0; i < n; i++) {
        z[i] = scaleBy * kStart[i] + c0;
        gamma[i] = scaleBy * start.alpha[i];
      }
      weightedLogLoss(z, y, C, r);
      for (let i = 0; i < n; i++) gamma[i] += r[i];
      const [kg] = await kTimes([gamma]);
      const gWarm = Math.max(Math.sqrt(Math.max(0, dot(gamma, kg))), Math.abs(sum(r)));
      if (gWarm <= WARM_START_GAIN * firstNorm) {
        for (let i = 0; i < n; i++) {
          alpha[i] = gamma[i] - r[i];
          ka[i] = scaleBy * kStart[i];
        }
        c = c0;
        warmStarted = true;
      }
    }
  }
  const stallA = new StallDetector(2);
  for (;;) {
    for (let i = 0; i < n; i++) z[i] = ka[i] + c;
    const quad = dot(alpha, ka);
    const f = weightedLogLoss(z, y, C, r, D) + 0.5 * quad;
    for (let i = 0; i < n; i++) gamma[i] = alpha[i] + r[i];
    const gb = sum(r);
    const [kGamma] = await kTimes([gamma]);
    // ‖∇_w f‖₂ = √(γᵀKγ) ≥ ‖∇_w f‖∞.
    const gnorm = Math.max(Math.sqrt(Math.max(0, dot(gamma, kGamma))), Math.abs(gb));
    if (firstNorm === 0) firstNorm = gnorm;
    if (gnorm <= Math.max(threshold, GRAM_PROBLEM_FLOOR * firstNorm) || iterations >= maxIter || stallA.stalled(gnorm)) break;
    const eta = Math.min(0.5, Math.sqrt(gnorm / firstNorm));
    const { delta, dc } = await newtonStep(gamma, alpha, D, eta);
    const [kd] = await kTimes([delta]);
    for (let i = 0; i < n; i++) dz[i] = kd[i] + dc;
    const aKd = dot(alpha, kd);
    const dKd = dot(delta, kd);
    const step = backtrackingStep(
      (t) => weightedLogLossAlong(z, dz, t, y, C) + 0.5 * (quad + 2 * t * aKd + t * t * dKd),
      (t) => weightedLogLossSlopeAlong(z, dz, t, y, C) + aKd + t * dKd,
      f,
      dot(gamma, kd) + gb * dc,
    );
    if (!step) break;
    for (let i = 0; i < n; i++) {
      alpha[i] += step.t * delta[i];
      ka[i] += step.t * kd[i];
    }
    c += step.t * dc;
    iterations++;
  }
  const t3 = performance.now();

  // ---- Phase B: the exact problem, from X in float64. Xcᵀv = Xᵀv − μ·Σv and Xc·v = X·v − μ·v.
  const w = new Float64Array(d);
  const gw = new Float64Array(d);
  const dw = new Float64Array(d);
  const centredTimesT = (v: Float64Array, out: Float64Array): void => {
    matTVec(X, n, d, v, out);
    const s = sum(v);
    for (let j = 0; j < d; j++) out[j] -= mu[j] * s;
  };
  const centredTimes = (v: Float64Array, shift: number, out: Float64Array): void => {
    matVec(X, n, d, v, out);
    const m = shift - dot(mu, v);
    for (let i = 0; i < n; i++) out[i] += m;
  };
  centredTimesT(alpha, w);
  centredTimes(w, c, z);
  let f = weightedLogLoss(z, y, C, r, D) + 0.5 * dot(w, w);
  let converged = false;
  let refinements = 0;
  const stallB = new StallDetector(3);
  for (let pass = 0; ; pass++) {
    const gb = sum(r);
    for (let i = 0; i < n; i++) gamma[i] = alpha[i] + r[i];
    // The exact ∞-norm costs a pass over X. Right after phase A the float32 Gram's error usually leaves
    // the gradient far above the threshold: when even the lower bound ‖·‖₂/√d (‖·‖₂ estimated through K)
    // says so, refine without looking.
    let skipCheck = false;
    let gnorm = Infinity;
    if (pass === 0) {
      const [kGamma] = await kTimes([gamma]);
      gnorm = Math.max(Math.sqrt(Math.max(0, dot(gamma, kGamma))), Math.abs(gb)); // ≥ the ∞-norm
      skipCheck = gnorm / Math.sqrt(d) > 2 * threshold;
    }
    if (!skipCheck) {
      // ∇ in the original (w, b) coordinates, as the other solvers report it: (w + Xᵀr, Σr).
      matTVec(X, n, d, r, gw);
      for (let j = 0; j < d; j++) gw[j] += w[j];
      gnorm = Math.max(maxAbs(gw), Math.abs(gb));
      if (gnorm <= threshold) {
        converged = true;
        break;
      }
      if (iterations >= maxIter || stallB.stalled(gnorm)) break;
    } else if (iterations >= maxIter) {
      break;
    }
    // Enough to bring the gradient under the threshold in one step (the Gram's error caps the gain anyway).
    const eta = Math.min(0.1, Math.max(1e-6, (0.1 * threshold) / gnorm));
    const { delta, dc } = await newtonStep(gamma, alpha, D, eta);
    centredTimesT(delta, dw);
    centredTimes(dw, dc, dz);
    const ww = dot(w, w);
    const wdw = dot(w, dw);
    const dwdw = dot(dw, dw);
    const step = backtrackingStep(
      (t) => weightedLogLossAlong(z, dz, t, y, C) + 0.5 * (ww + 2 * t * wdw + t * t * dwdw),
      (t) => weightedLogLossSlopeAlong(z, dz, t, y, C) + wdw + t * dwdw,
      f,
      dot(r, dz) + wdw,
    );
    if (!step) break;
    for (let i = 0; i < n; i++) {
      alpha[i] += step.t * delta[i];
      z[i] += step.t * dz[i];
    }
    for (let j = 0; j < d; j++) w[j] += step.t * dw[j];
    c += step.t * dc;
    f = weightedLogLoss(z, y, C, r, D) + 0.5 * dot(w, w);
    iterations++;
    refinements++;
  }
  const t4 = performance.now();
  return {
    weights: w,
    intercept: c - dot(mu, w),
    iterations,
    converged,
    objective: f,
    solver: 'newton-dual',
    cgSteps,
    refinements,
    phaseMs: { gram: t1 - t0, sketch: t2 - t1, gramNewton: t3 - t2, exact: t4 - t3 },
    dual: { alpha, c },
    warmStarted,
  };
}

/**
 * The best multiple of a warm start: min over (s, c) of C·Σ logloss(s·(Kα)ᵢ + c) + ½s²·αᵀKα, by a few
 * damped 2×2 Newton steps (O(n) each) from (1, c₀). A neighbouring cell's scale differs (activations grow
 * with depth), its direction is what transfers.
 */
function scaledStart(ka: Float64Array, aKa: number, c0: number, y: Uint8Array, C: number): { s: number; c: number; f: number } {
  const n = ka.length;
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  const D = new Float64Array(n);
  const value = (s: number, c: number, grad: boolean): number => {
    for (let i = 0; i < n; i++) z[i] = s * ka[i] + c;
    return weightedLogLoss(z, y, C, grad ? r : undefined, grad ? D : undefined) + 0.5 * s * s * aKa;
  };
  let s = 1;
  let c = c0;
  let f = value(s, c, true);
  for (let it = 0; it < 8; it++) {
    let gs = s * aKa;
    let gc = 0;
    let hss = aKa;
    let hsc = 0;
    let hcc = 0;
    for (let i = 0; i < n; i++) {
      gs += r[i] * ka[i];
      gc += r[i];
      hss += D[i] * ka[i] * ka[i];
      hsc += D[i] * ka[i];
      hcc += D[i];
    }
    const det = hss * hcc - hsc * hsc;
    if (!(det > 0)) break;
    const ds = -(hcc * gs - hsc * gc) / det;
    const dc = -(hss * gc - hsc * gs) / det;
    let t = 1;
    let fNew = value(s + ds, c + dc, false);
    while (!(fNew <= f) && t > 1e-4) {
      t /= 2;
      fNew = value(s + t * ds, c + t * dc, false);
    }
    if (!(fNew <= f)) break;
    const done = f - fNew <= 1e-3 * Math.abs(f);
    s += t * ds;
    c += t * dc;
    f = value(s, c, true);
    if (done) break;
  }
  return { s, c, f };
}
