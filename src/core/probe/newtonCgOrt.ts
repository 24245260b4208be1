// newtonCg.ts for many rows and few features (8000 × 768), with its one expensive piece, the d×d data
// term XcᵀDXc of the Hessian preconditioner (n·d² multiply-adds), computed by onnxruntime instead of JS
// (~40× faster). The Newton loop, CG and the stopping rule are newtonCg.ts's own.
import type { LogisticFit, SolverSettings } from './fitTypes';
import { newtonCgIterations } from './newtonCg';
import type { OrtKernels } from './ortKernels';
import { diagonalPreconditioner, factoredHessian, type Preconditioner } from './preconditioners';

export async function fitNewtonCgOrt(
  X: Float32Array,
  n: number,
  d: number,
  y: Uint8Array,
  settings: SolverSettings,
  kernels: OrtKernels,
): Promise<LogisticFit> {
  const steps = newtonCgIterations(X, n, d, y, settings);
  let next = steps.next();
  while (!next.done) {
    const { mu, D } = next.value;
    next = steps.next((await ortHessianPreconditioner(X, n, d, mu, D, kernels)) ?? diagonalPreconditioner(X, n, d, mu, D));
  }
  return next.value;
}

/** hessianPreconditioner (preconditioners.ts) with Yᵀ·Y, Y = D^½·Xc (n×d, float32), from onnxruntime. */
async function ortHessianPreconditioner(
  X: Float32Array,
  n: number,
  d: number,
  mu: Float64Array,
  D: Float64Array,
  kernels: OrtKernels,
): Promise<Preconditioner | null> {
  const Y = new Float32Array(n * d);
  const cross = new Float64Array(d); // XcᵀD1
  let sumD = 0;
  for (let i = 0; i < n; i++) {
    const di = D[i];
    const si = Math.sqrt(di);
    sumD += di;
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const xc = X[o + j] - mu[j];
      Y[o + j] = si * xc;
      cross[j] += di * xc;
    }
  }
  return factoredHessian(await kernels.covariance(Y, n, d), cross, sumD, d);
}
