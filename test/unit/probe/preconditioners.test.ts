import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MT19937 } from '../../../src/core/probe/mt19937';
import { diagonalPreconditioner, hessianPreconditioner } from '../../../src/core/probe/preconditioners';

// H·v in centred coordinates, written out plainly: H = [I + XcᵀDXc, XcᵀD1; 1ᵀDXc, 1ᵀD1].
function hessianTimes(X: Float32Array, n: number, d: number, mu: Float64Array, D: Float64Array, v: Float64Array): Float64Array {
  const out = new Float64Array(d + 1);
  for (let j = 0; j < d; j++) out[j] = v[j];
  for (let i = 0; i < n; i++) {
    let q = v[d];
    for (let j = 0; j < d; j++) q += (X[i * d + j] - mu[j]) * v[j];
    for (let j = 0; j < d; j++) out[j] += D[i] * (X[i * d + j] - mu[j]) * q;
    out[d] += D[i] * q;
  }
  return out;
}

describe('preconditioners', () => {
  const n = 30;
  const d = 5;
  const rng = new MT19937(8);
  const X = Float32Array.from({ length: n * d }, () => rng.nextDouble() * 2 - 1);
  const mu = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mu[j] += X[i * d + j] / n;
  const D = Float64Array.from({ length: n }, () => 0.05 + 0.2 * rng.nextDouble());
  const v = Float64Array.from([0.5, -1, 2, 0.25, -0.75, 1.5]);
  const Hv = hessianTimes(X, n, d, mu, D, v);

  it('the Hessian preconditioner inverts H at the D it was built from (float32 Gram: to ~1e-6)', () => {
    const P = hessianPreconditioner(X, n, d, mu, D);
    assert.ok(P);
    const out = new Float64Array(d + 1);
    P.apply(Hv, out);
    out.forEach((x, j) => assert.ok(Math.abs(x - v[j]) < 1e-5, `[${j}] ${x} vs ${v[j]}`));
  });

  it('the diagonal preconditioner divides by diag(H)', () => {
    const P = diagonalPreconditioner(X, n, d, mu, D);
    const e = new Float64Array(d + 1);
    const out = new Float64Array(d + 1);
    for (let j = 0; j <= d; j++) {
      e.fill(0);
      e[j] = 1;
      const Hjj = hessianTimes(X, n, d, mu, D, e)[j];
      P.apply(e, out);
      assert.ok(Math.abs(out[j] * Hjj - 1) < 1e-12);
    }
  });
});
