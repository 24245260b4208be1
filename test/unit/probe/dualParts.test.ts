import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { blockPcg } from '../../../src/core/probe/blockCg';
import { gram, matVec } from '../../../src/core/probe/linalg';
import { MT19937 } from '../../../src/core/probe/mt19937';
import { NystromPreconditioner, nystromSketch } from '../../../src/core/probe/nystrom';
import { symmetricEigen } from '../../../src/core/probe/symmetricEigen';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = new MT19937(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.nextDouble() * 2 - 1);
}

/** A Gram matrix with a few outlying eigenvalues over a bulk, as centred activations give. */
function spikedGram(n: number, d: number, seed: number): Float64Array {
  const X = randomMatrix(n, d, seed);
  for (let i = 0; i < n; i++) {
    X[i * d] *= 40;
    X[i * d + 1] *= 15;
    X[i * d + 2] *= 6;
  }
  return gram(X, n, d);
}

describe('symmetricEigen (Jacobi)', () => {
  it('reconstructs A = V·Λ·Vᵀ with orthonormal V and descending Λ', () => {
    const m = 9;
    const A = spikedGram(m, 12, 1);
    const { values, vectors } = symmetricEigen(A, m);
    for (let k = 1; k < m; k++) assert.ok(values[k - 1] >= values[k]);
    let scale = 0;
    for (const a of A) scale = Math.max(scale, Math.abs(a));
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        let s = 0;
        let o = 0;
        for (let k = 0; k < m; k++) {
          s += vectors[i * m + k] * values[k] * vectors[j * m + k];
          o += vectors[k * m + i] * vectors[k * m + j];
        }
        assert.ok(Math.abs(s - A[i * m + j]) <= 1e-12 * scale, `A[${i}][${j}]`);
        assert.ok(Math.abs(o - (i === j ? 1 : 0)) <= 1e-12, `VᵀV[${i}][${j}]`);
      }
    }
  });
});

describe('Nyström sketch and preconditioner', () => {
  const n = 60;
  const K = spikedGram(n, 80, 2);
  const multiply = async (omega: Float64Array, cols: number): Promise<Float64Array> => {
    const out = new Float64Array(n * cols);
    for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) for (let k = 0; k < n; k++) out[i * cols + c] += K[i * n + k] * omega[k * cols + c];
    return out;
  };

  it('captures the outlying eigenvalues', async () => {
    const sketch = await nystromSketch(K, n, 12, multiply);
    const exact = symmetricEigen(K, n).values;
    assert.ok(sketch.lambda.length >= 3);
    for (let k = 0; k < 3; k++) assert.ok(Math.abs(sketch.lambda[k] - exact[k]) <= 1e-3 * exact[k], `λ${k}: ${sketch.lambda[k]} vs ${exact[k]}`);
    assert.ok(sketch.sigma > 0 && sketch.sigma < sketch.lambda[sketch.lambda.length - 1]);
  });

  it('applies exactly P⁻¹ for P = W + σI + U(Λ − σ)Uᵀ', async () => {
    const sketch = await nystromSketch(K, n, 12, multiply);
    const w = Float64Array.from({ length: n }, (_, i) => 4 + (i % 5) * 30);
    const P = new NystromPreconditioner(sketch, w);
    const k = sketch.lambda.length;
    const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const x = new Float64Array(n);
    P.apply(v, x);
    // P·x, built explicitly, must give back v.
    for (let i = 0; i < n; i++) {
      let s = (w[i] + sketch.sigma) * x[i];
      for (let a = 0; a < k; a++) {
        let ux = 0;
        for (let j = 0; j < n; j++) ux += sketch.U[a * n + j] * x[j];
        s += sketch.U[a * n + i] * (sketch.lambda[a] - sketch.sigma) * ux;
      }
      assert.ok(Math.abs(s - v[i]) <= 1e-10, `(P·x)[${i}] = ${s} vs ${v[i]}`);
    }
  });

  it('block PCG solves (K + W)·x = b for two right-hand sides', async () => {
    const sketch = await nystromSketch(K, n, 12, multiply);
    const w = Float64Array.from({ length: n }, (_, i) => 4 + (i % 7) * 100);
    const P = new NystromPreconditioner(sketch, w);
    const A = Float64Array.from(K);
    for (let i = 0; i < n; i++) A[i * n + i] += w[i];
    const bs = [Float64Array.from({ length: n }, (_, i) => Math.cos(i)), new Float64Array(n).fill(1)];
    const xs = [new Float64Array(n), new Float64Array(n)];
    const result = await blockPcg(
      async (ps) => ps.map((p) => matVec(A, n, n, p, new Float64Array(n))),
      (r, out) => P.apply(r, out),
      bs,
      xs,
      1e-12,
      n,
    );
    assert.ok(result.steps < n, `${result.steps} steps`);
    xs.forEach((x, c) => {
      const ax = matVec(A, n, n, x, new Float64Array(n));
      ax.forEach((v, i) => assert.ok(Math.abs(v - bs[c][i]) <= 1e-9 * (1 + Math.abs(bs[c][i])), `column ${c}, row ${i}`));
    });
  });
});
