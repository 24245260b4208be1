import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  chooseSolver,
  fitLogistic,
  hasBothClasses,
  type LogisticSolverName,
  predictProbaCorrect,
} from '../../../src/core/probe/logistic';
import { PROBLEMS } from './sklearnReference';
import { makeProblem } from './syntheticProblem';

const SOLVERS: LogisticSolverName[] = ['newton-gram', 'newton-cg'];

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (|Δ| > ${tolerance})`);
}

describe('fitLogistic against scikit-learn', () => {
  for (const [spec, sk] of PROBLEMS) {
    const { X, y } = makeProblem(spec);

    it(`${spec.name}: regenerates the same data as crosscheck.py`, () => {
      assert.equal(X.reduce((s, v) => s + v, 0), sk.checksumX);
      assert.equal(y.reduce((s, v) => s + v, 0), sk.ones);
    });

    for (const solver of SOLVERS) {
      it(`${spec.name} (${spec.n}×${spec.d}), ${solver}: weights, intercept and objective match`, () => {
        const fit = fitLogistic(X, spec.n, spec.d, y, { solver, tol: 1e-12 });
        assert.equal(fit.solver, solver);
        assert.ok(fit.converged, `not converged after ${fit.iterations} iterations`);
        assert.ok(fit.iterations < 30);
        // The objective is flat at the optimum: it agrees far more tightly than the weights.
        close(fit.objective, sk.objective, 1e-11 * sk.objective, 'objective');
        assert.ok(fit.objective < sk.lbfgsObjective, 'beats sklearn lbfgs, which stops early');
        close(fit.intercept, sk.intercept, 1e-7 * Math.max(1, Math.abs(sk.intercept)), 'intercept');
        sk.weightsHead.forEach((w, j) => close(fit.weights[j], w, 1e-8 * sk.weightsNorm, `w[${j}]`));
        close(Math.hypot(...fit.weights), sk.weightsNorm, 1e-8 * sk.weightsNorm, '‖w‖');
        const ramp = fit.weights.reduce((s, w, j) => s + (j + 1) * w, 0);
        close(ramp, sk.weightsRamp, 1e-8 * spec.d * spec.d * sk.weightsNorm, 'Σ(j+1)·w_j');
      });
    }
  }

  it('the default tolerance (1e-8) already gives the optimum to sklearn precision', () => {
    const [spec, sk] = PROBLEMS[0];
    const { X, y } = makeProblem(spec);
    const fit = fitLogistic(X, spec.n, spec.d, y);
    assert.ok(fit.converged);
    close(fit.objective, sk.objective, 1e-10 * sk.objective, 'objective');
  });
});

describe('fitLogistic behaviour', () => {
  it('picks the Gram solver for few rows and many features, Newton–CG otherwise', () => {
    assert.equal(chooseSolver(800, 4096), 'newton-gram');
    assert.equal(chooseSolver(2000, 4096), 'newton-gram');
    assert.equal(chooseSolver(4000, 4096), 'newton-cg');
    assert.equal(chooseSolver(8000, 768), 'newton-cg');
    const wide = makeProblem(PROBLEMS[0][0]);
    assert.equal(fitLogistic(wide.X, 40, 120, wide.y).solver, 'newton-gram');
    const tall = makeProblem(PROBLEMS[1][0]);
    assert.equal(fitLogistic(tall.X, 300, 12, tall.y).solver, 'newton-cg');
  });

  it('separable data converge to a finite solution (L2 keeps it bounded)', () => {
    // Two points per class on a line, perfectly separated: without the penalty ‖w‖ would diverge.
    const X = Float32Array.from([-2, -1, 1, 2]);
    const y = Uint8Array.from([0, 0, 1, 1]);
    for (const solver of SOLVERS) {
      const fit = fitLogistic(X, 4, 1, y, { solver, tol: 1e-12 });
      assert.ok(fit.converged);
      assert.ok(Number.isFinite(fit.weights[0]) && fit.weights[0] > 0 && fit.weights[0] < 10);
      // Symmetric data: the optimum has b = 0 and satisfies w = C·Σ xᵢ·(yᵢ − σ(w·xᵢ)).
      close(fit.intercept, 0, 1e-12, 'intercept');
      const w = fit.weights[0];
      const stationarity = w - [-2, -1, 1, 2].reduce((s, x, i) => s + x * (y[i] - 1 / (1 + Math.exp(-w * x))), 0);
      close(stationarity, 0, 1e-12, 'gradient');
    }
  });

  it('scales with C as sklearn does (weaker penalty, larger weights)', () => {
    const [spec] = PROBLEMS[1];
    const { X, y } = makeProblem(spec);
    const small = fitLogistic(X, spec.n, spec.d, y, { C: 0.01 });
    const large = fitLogistic(X, spec.n, spec.d, y, { C: 100 });
    assert.ok(small.converged && large.converged);
    assert.ok(Math.hypot(...small.weights) < Math.hypot(...large.weights));
  });

  it('tolerates duplicate rows (singular Gram matrix)', () => {
    const { X, y } = makeProblem({ name: 'dup', n: 20, d: 50, seed: 9, noise: 1, errors: 10 });
    const doubled = new Float32Array(40 * 50);
    doubled.set(X);
    doubled.set(X, X.length);
    const yy = new Uint8Array(40);
    yy.set(y);
    yy.set(y, 20);
    const gram = fitLogistic(doubled, 40, 50, yy, { solver: 'newton-gram', tol: 1e-10 });
    const cg = fitLogistic(doubled, 40, 50, yy, { solver: 'newton-cg', tol: 1e-10 });
    assert.ok(gram.converged && cg.converged);
    close(gram.objective, cg.objective, 1e-10 * cg.objective, 'objective');
    // Duplicating every row is the same as C = 2 on the original rows.
    const c2 = fitLogistic(X, 20, 50, y, { C: 2, tol: 1e-10 });
    close(gram.objective, c2.objective, 1e-10 * c2.objective, 'objective vs C = 2');
  });

  it('reports an unconverged fit honestly when maxIter is too small', () => {
    const [spec] = PROBLEMS[2];
    const { X, y } = makeProblem(spec);
    for (const solver of SOLVERS) {
      const fit = fitLogistic(X, spec.n, spec.d, y, { solver, maxIter: 1 });
      assert.equal(fit.iterations, 1);
      assert.equal(fit.converged, false);
    }
  });

  it('stops at the float64 floor instead of spinning to maxIter when tol cannot be met', () => {
    const [spec] = PROBLEMS[1];
    const { X, y } = makeProblem(spec);
    for (const solver of SOLVERS) {
      const fit = fitLogistic(X, spec.n, spec.d, y, { solver, tol: 0, maxIter: 1000 });
      assert.equal(fit.converged, false);
      assert.ok(fit.iterations < 40, `${solver}: ${fit.iterations} iterations`);
      close(fit.objective, PROBLEMS[1][1].objective, 1e-12 * fit.objective, 'objective');
    }
  });

  it('refuses a single-class training set (the cell is undefined)', () => {
    const X = Float32Array.from([1, 2, 3]);
    assert.equal(hasBothClasses(Uint8Array.from([1, 1, 1])), false);
    assert.equal(hasBothClasses(Uint8Array.from([0, 0])), false);
    assert.equal(hasBothClasses(Uint8Array.from([0, 1, 0])), true);
    assert.throws(() => fitLogistic(X, 3, 1, Uint8Array.from([1, 1, 1])), /single class/);
    assert.throws(() => fitLogistic(X, 3, 1, Uint8Array.from([0, 2, 1])), /expected 0 or 1/);
    assert.throws(() => fitLogistic(X, 2, 1, Uint8Array.from([0, 1])), /n·d/);
    assert.throws(() => fitLogistic(Float32Array.from([1, Infinity]), 2, 1, Uint8Array.from([0, 1])), /non-finite.*row 1/);
  });

  it('predictProbaCorrect is σ(x·w + b), stable for huge margins', () => {
    const fit = { weights: Float64Array.from([2, -1]), intercept: 0.5, iterations: 0, converged: true, objective: 0, solver: 'test' };
    const X = Float32Array.from([1, 1, 0, 0, 1000, 0, -1000, 0]);
    const p = predictProbaCorrect(fit, X, 4, 2);
    close(p[0], 1 / (1 + Math.exp(-1.5)), 1e-16, 'p0');
    close(p[1], 1 / (1 + Math.exp(-0.5)), 1e-16, 'p1');
    assert.equal(p[2], 1);
    assert.equal(p[3], 0); // e^-1999.5 underflows to 0 without a NaN
  });

  it('is deterministic', () => {
    const [spec] = PROBLEMS[3];
    const { X, y } = makeProblem(spec);
    const a = fitLogistic(X, spec.n, spec.d, y);
    const b = fitLogistic(X, spec.n, spec.d, y);
    assert.deepEqual(a, b);
  });
});
