// Newton's method for L2 logistic regression carried out in the n-dimensional row space of X: the
// solver for few rows and many features (800 × 4096 probes; chooseSolver in logistic.ts).
//
// The optimum has w = Xᵀα (the penalty only acts on w and every loss gradient lies in the row space),
// so with K = X·Xᵀ computed once, margins are z = Kα + b and ½‖w‖² = ½αᵀKα. The exact primal Newton
// step (Δw, Δb) for H = [I + XᵀDX, XᵀD1; 1ᵀDX, 1ᵀD1] is mapped into α-space with the Woodbury
// identity: with S = D^½ and M = I + S·K·S (eigenvalues ≥ 1, so its Cholesky never fails for want of
// definiteness), and γ = α + r (so that ∇_w f = Xᵀγ):
//   q = M⁻¹·S·K·γ,  m = M⁻¹·S·1,  Δb = (−∇_b f + (S1)·q) / ((S1)·m),  Δα = −γ + S·(q − m·Δb).
// The intercept's Schur complement (S1)ᵀM⁻¹(S1) is a sum of squares: no cancellation. Each step costs
// one n×n Cholesky (n³/6) instead of the d×d system of primal Newton, and K is never inverted, so
// duplicate or collinear rows (singular K) are harmless. Iterates are exactly primal Newton's, so the
// iteration count does not depend on how ill-conditioned raw activations are.
import { gradientNormAtZero, objectiveAt, StallDetector, startingIntercept } from './fitCommon';
import type { LogisticFit, SolverSettings } from './fitTypes';
import { choleskyInPlace, choleskySolve, dot, gram, matTVec, matVec, maxAbs } from './linalg';
import { backtrackingStep } from './lineSearch';
import { weightedLogLoss, weightedLogLossAlong, weightedLogLossSlopeAlong } from './logLoss';

export function fitNewtonGram(
  X: Float32Array,
  n: number,
  d: number,
  y: Uint8Array,
  { C, tol, maxIter }: SolverSettings,
): LogisticFit {
  const K = gram(X, n, d);
  const M = new Float64Array(n * n);
  const alpha = new Float64Array(n);
  let b = startingIntercept(y);
  const ka = new Float64Array(n); // K·α
  const z = new Float64Array(n);
  const r = new Float64Array(n);
  const D = new Float64Array(n);
  const S = new Float64Array(n);
  const gamma = new Float64Array(n);
  const gw = new Float64Array(d);
  const q = new Float64Array(n);
  const m = new Float64Array(n);
  const dAlpha = new Float64Array(n);
  const kdAlpha = new Float64Array(n);
  const dz = new Float64Array(n);
  const threshold = tol * gradientNormAtZero(X, n, d, y, C);

  let iterations = 0;
  let converged = false;
  const stall = new StallDetector();
  for (;;) {
    // Recomputed from α each time so rounding does not accumulate in K·α.
    matVec(K, n, n, alpha, ka);
    for (let i = 0; i < n; i++) z[i] = ka[i] + b;
    const quad = dot(alpha, ka);
    const f = weightedLogLoss(z, y, C, r, D) + 0.5 * quad;
    let gb = 0;
    for (let i = 0; i < n; i++) {
      gamma[i] = alpha[i] + r[i];
      gb += r[i];
    }
    matTVec(X, n, d, gamma, gw);
    const gnorm = Math.max(maxAbs(gw), Math.abs(gb));
    if (gnorm <= threshold) {
      converged = true;
      break;
    }
    if (iterations >= maxIter || stall.stalled(gnorm)) break;

    // M = I + S·K·S (lower triangle is all the Cholesky reads).
    for (let i = 0; i < n; i++) S[i] = Math.sqrt(D[i]);
    for (let i = 0; i < n; i++) {
      const ri = i * n;
      const si = S[i];
      for (let j = 0; j < i; j++) M[ri + j] = si * K[ri + j] * S[j];
      M[ri + i] = 1 + D[i] * K[ri + i];
    }
    if (!choleskyInPlace(M, n)) break; // only on non-finite input: M ≥ I in exact arithmetic

    matVec(K, n, n, gamma, q);
    for (let i = 0; i < n; i++) q[i] *= S[i];
    choleskySolve(M, n, q);
    m.set(S);
    choleskySolve(M, n, m);
    const schur = dot(S, m);
    const db = schur > 0 ? (-gb + dot(S, q)) / schur : 0;
    for (let i = 0; i < n; i++) dAlpha[i] = -gamma[i] + S[i] * (q[i] - m[i] * db);

    matVec(K, n, n, dAlpha, kdAlpha);
    for (let i = 0; i < n; i++) dz[i] = kdAlpha[i] + db;
    const slope = dot(gamma, kdAlpha) + gb * db;
    const aKd = dot(alpha, kdAlpha);
    const dKd = dot(dAlpha, kdAlpha);
    const step = backtrackingStep(
      (t) => weightedLogLossAlong(z, dz, t, y, C) + 0.5 * (quad + 2 * t * aKd + t * t * dKd),
      (t) => weightedLogLossSlopeAlong(z, dz, t, y, C) + aKd + t * dKd,
      f,
      slope,
    );
    if (!step) break;
    for (let i = 0; i < n; i++) alpha[i] += step.t * dAlpha[i];
    b += step.t * db;
    iterations++;
  }

  const weights = matTVec(X, n, d, alpha, new Float64Array(d));
  return {
    weights,
    intercept: b,
    iterations,
    converged,
    objective: objectiveAt(X, n, d, y, C, weights, b),
    solver: 'newton-gram',
  };
}
