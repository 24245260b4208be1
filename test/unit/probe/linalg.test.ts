import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { choleskyInPlace, choleskySolve, gram, matTVec, matVec } from '../../../src/core/probe/linalg';
import { MT19937 } from '../../../src/core/probe/mt19937';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = new MT19937(seed);
  return Float32Array.from({ length: rows * cols }, () => rng.nextDouble() * 4 - 2);
}

describe('linalg', () => {
  it('gram equals the naive X·Xᵀ, including rows left over by the 4×4 blocking', () => {
    for (const n of [1, 4, 7, 10]) {
      const d = 9;
      const X = randomMatrix(n, d, n);
      const K = gram(X, n, d);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += X[i * d + k] * X[j * d + k];
          assert.ok(Math.abs(K[i * n + j] - s) <= 1e-13 * (1 + Math.abs(s)), `K[${i}][${j}]`);
          assert.equal(K[i * n + j], K[j * n + i]);
        }
      }
    }
  });

  it('matVec and matTVec agree with each other (uᵀ·X·v)', () => {
    const X = randomMatrix(5, 3, 1);
    const v = Float64Array.from([1, -2, 0.5]);
    const u = Float64Array.from([0.3, 0, -1, 2, 1]);
    const Xv = matVec(X, 5, 3, v, new Float64Array(5));
    const Xtu = matTVec(X, 5, 3, u, new Float64Array(3));
    const a = Xv.reduce((s, x, i) => s + x * u[i], 0);
    const b = Xtu.reduce((s, x, j) => s + x * v[j], 0);
    assert.ok(Math.abs(a - b) < 1e-13);
  });

  it('Cholesky solves an SPD system and refuses an indefinite one', () => {
    const n = 9; // not a multiple of 4: exercises the column remainder
    const B = randomMatrix(n, n, 2);
    const A = gram(B, n, n);
    for (let i = 0; i < n; i++) A[i * n + i] += 1;
    const original = Float64Array.from(A);
    const x = Float64Array.from({ length: n }, (_, i) => i - 4);
    const b = matVec(original, n, n, x, new Float64Array(n));
    assert.ok(choleskyInPlace(A, n));
    const solved = choleskySolve(A, n, b);
    solved.forEach((v, i) => assert.ok(Math.abs(v - x[i]) < 1e-10, `x[${i}] = ${v}`));
    assert.equal(choleskyInPlace(Float64Array.from([1, 2, 2, 1]), 2), false);
  });
});
