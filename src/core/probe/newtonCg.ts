// Truncated Newton (Newton–CG) for L2 logistic regression in the primal, for many rows relative to
// features (chooseSolver in logistic.ts), where newtonGram.ts's n×n Gram matrix would cost more.
//
// Features are centred on the fly (z = (X − 1μᵀ)·w + c, b = c − μ·w): an exact reparametrisation because
// the intercept is unpenalised, and it removes the large mean direction of raw activations that
// otherwise couples w with b. Each Newton system H·p = −g is solved by conjugate gradients, stopped at
// a relative residual η = min(½, √(‖g‖/‖g₀‖)) (superlinear convergence); each CG step costs two passes
// over X. Raw activations are too ill-conditioned for a diagonal preconditioner (about 1000 CG steps
// in all on 8000×768 activation-like data), so CG is preconditioned by the exact Hessian of an earlier
// iterate, Cholesky-factored (preconditioners.ts): D changes slowly, and the same fit then takes 13
// steps. It is rebuilt when a solve needed more than d/8 steps (a CG step ≈ 2nd, a rebuild ≈ nd²/2).
import { gradientNormAtZero, objectiveAt, StallDetector, startingIntercept } from './fitCommon';
import type { LogisticFit, SolverSettings } from './fitTypes';
import { dot, matTVec, matVec, maxAbs } from './linalg';
import { backtrackingStep } from './lineSearch';
import { weightedLogLoss, weightedLogLossAlong, weightedLogLossSlopeAlong } from './logLoss';
import { diagonalPreconditioner, hessianPreconditioner, type Preconditioner } from './preconditioners';

/** What the Newton loop asks its driver for: a preconditioner for the Hessian at these curvatures. */
export interface PreconditionerRequest {
  mu: Float64Array;
  D: Float64Array;
}

/** Newton–CG with the exact-Hessian preconditioner built in JS (preconditioners.ts). */
export function fitNewtonCg(X: Float32Array, n: number, d: number, y: Uint8Array, settings: SolverSettings): LogisticFit {
  const steps = newtonCgIterations(X, n, d, y, settings);
  let next = steps.next();
  while (!next.done) {
    const { mu, D } = next.value;
    next = steps.next(hessianPreconditioner(X, n, d, mu, D) ?? diagonalPreconditioner(X, n, d, mu, D));
  }
  return next.value;
}

/**
 * The Newton loop as a generator, so that the preconditioner can come from a synchronous builder
 * (fitNewtonCg) or an onnxruntime one (newtonCgOrt.ts) without two copies of the loop: it yields a
 * request whenever it needs a (new) preconditioner and expects one back.
 */
export function* newtonCgIterations(
  X: Float32Array,
  n: number,
  d: number,
  y: Uint8Array,
  { C, tol, maxIter }: SolverSettings,
): Generator<PreconditionerRequest, LogisticFit, Preconditioner> {
  const mu = columnMeans(X, n, d);
  const w = new Float64Array(d);
  let c = startingIntercept(y); // centred intercept
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  const D = new Float64Array(n);
  const gw = new Float64Array(d);
  const g = new Float64Array(d + 1); // centred-coordinates gradient (w part, then c)
  const p = new Float64Array(d + 1);
  const dz = new Float64Array(n);
  const cg = new CgWorkspace(n, d);
  const threshold = tol * gradientNormAtZero(X, n, d, y, C);

  let iterations = 0;
  let converged = false;
  const stall = new StallDetector();
  let firstNorm = 0;
  let precond: Preconditioner | null = null;
  let cgSteps = 0;
  const rebuildAfter = Math.max(10, Math.ceil(d / 8));
  for (;;) {
    centredMargins(X, n, d, mu, w, c, z, cg.xv);
    const f = weightedLogLoss(z, y, C, r, D) + 0.5 * dot(w, w);
    // Stopping rule on the gradient in the original (w, b) coordinates, as newtonGram reports it.
    matTVec(X, n, d, r, gw);
    let gb = 0;
    for (let i = 0; i < n; i++) gb += r[i];
    for (let j = 0; j < d; j++) gw[j] += w[j];
    const gnorm = Math.max(maxAbs(gw), Math.abs(gb));
    if (gnorm <= threshold) {
      converged = true;
      break;
    }
    if (iterations >= maxIter || stall.stalled(gnorm)) break;

    for (let j = 0; j < d; j++) g[j] = gw[j] - mu[j] * gb;
    g[d] = gb;
    if (!precond || cgSteps > rebuildAfter) precond = yield { mu, D };
    if (iterations === 0) firstNorm = Math.sqrt(dot(g, g));
    const forcing = Math.min(0.5, Math.sqrt(Math.sqrt(dot(g, g)) / firstNorm));
    cgSteps = cg.solve(X, mu, D, precond, g, forcing, p);

    centredMargins(X, n, d, mu, p, p[d], dz, cg.xv);
    const slope = dot(g, p);
    const wp = dot(w, p, d);
    const pp = dot(p, p, d);
    const ww = dot(w, w);
    const step = backtrackingStep(
      (t) => weightedLogLossAlong(z, dz, t, y, C) + 0.5 * (ww + 2 * t * wp + t * t * pp),
      (t) => weightedLogLossSlopeAlong(z, dz, t, y, C) + wp + t * pp,
      f,
      slope,
    );
    if (!step) break;
    for (let j = 0; j < d; j++) w[j] += step.t * p[j];
    c += step.t * p[d];
    iterations++;
  }

  const intercept = c - dot(mu, w);
  return {
    weights: w,
    intercept,
    iterations,
    converged,
    objective: objectiveAt(X, n, d, y, C, w, intercept),
    solver: 'newton-cg',
  };
}

function columnMeans(X: Float32Array, n: number, d: number): Float64Array {
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) mu[j] += X[o + j];
  }
  for (let j = 0; j < d; j++) mu[j] /= n;
  return mu;
}

/** out = (X − 1μᵀ)·v + c, using the first d entries of v. `tmp` is an n-vector of scratch. */
function centredMargins(
  X: Float32Array,
  n: number,
  d: number,
  mu: Float64Array,
  v: Float64Array,
  c: number,
  out: Float64Array,
  tmp: Float64Array,
): void {
  matVec(X, n, d, v, tmp);
  const shift = c - dot(mu, v, d);
  for (let i = 0; i < n; i++) out[i] = tmp[i] + shift;
}

/** Preconditioned conjugate gradients on H·p = −g with H = [I + XcᵀDXc, XcᵀD1; 1ᵀDXc, 1ᵀD1]. */
class CgWorkspace {
  readonly xv: Float64Array;
  private readonly u: Float64Array;
  private readonly xtu: Float64Array;
  private readonly res: Float64Array;
  private readonly zr: Float64Array;
  private readonly dir: Float64Array;
  private readonly hd: Float64Array;

  constructor(
    private readonly n: number,
    private readonly d: number,
  ) {
    this.xv = new Float64Array(n);
    this.u = new Float64Array(n);
    this.xtu = new Float64Array(d);
    this.res = new Float64Array(d + 1);
    this.zr = new Float64Array(d + 1);
    this.dir = new Float64Array(d + 1);
    this.hd = new Float64Array(d + 1);
  }

  /** Writes into p an approximate solution of H·p = −g with ‖H·p + g‖ ≤ forcing·‖g‖ (or d + 1 steps). */
  solve(X: Float32Array, mu: Float64Array, D: Float64Array, precond: Preconditioner, g: Float64Array, forcing: number, p: Float64Array): number {
    const { d, res, zr, dir, hd } = this;
    const m = d + 1;
    p.fill(0);
    for (let j = 0; j < m; j++) res[j] = -g[j];
    const stop = forcing * Math.sqrt(dot(g, g));
    precond.apply(res, zr);
    dir.set(zr);
    let rz = dot(res, zr);
    let steps = 0;
    while (steps < m && Math.sqrt(dot(res, res)) > stop) {
      this.hessianTimes(X, mu, D, dir, hd);
      const curvature = dot(dir, hd);
      if (!(curvature > 0)) break; // H is positive definite; only rounding can get here
      const a = rz / curvature;
      for (let j = 0; j < m; j++) {
        p[j] += a * dir[j];
        res[j] -= a * hd[j];
      }
      precond.apply(res, zr);
      const rzNext = dot(res, zr);
      const beta = rzNext / rz;
      rz = rzNext;
      for (let j = 0; j < m; j++) dir[j] = zr[j] + beta * dir[j];
      steps++;
    }
    return steps;
  }

  private hessianTimes(X: Float32Array, mu: Float64Array, D: Float64Array, v: Float64Array, out: Float64Array): void {
    const { n, d, u, xtu } = this;
    centredMargins(X, n, d, mu, v, v[d], u, this.xv);
    let sumU = 0;
    for (let i = 0; i < n; i++) {
      u[i] *= D[i];
      sumU += u[i];
    }
    matTVec(X, n, d, u, xtu);
    for (let j = 0; j < d; j++) out[j] = v[j] + xtu[j] - mu[j] * sumU;
    out[d] = sumU;
  }
}
