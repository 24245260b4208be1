// newtonCg.ts for many rows and few features (8000 × 768), with its one expensive piece, the d×d data
// term XcᵀDXc of the Hessian preconditioner (n·d² multiply-adds), computed by onnxruntime instead of JS
// (~40× faster). The Newton loop, CG and the stopping rule are newtonCg.ts's own.
import type { LogisticFit, SolverSettings } from './fitTypes';
import { newtonCgIterations } from './newtonCg';
import type { OrtKernels } from './ortKernels';
import { diagonalPreconditioner, factoredHessian, type Preconditioner, scaledCentred } from './preconditioners';

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
  const { Y, cross, sumD } = scaledCentred(X, n, d, mu, D, 'rows');
  return factoredHessian(await kernels.covariance(Y, n, d), cross, sumD, d);
}
