import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import { activationLayers, activationLike } from '../../../bench/probes/activationLike';
import { rocAuc } from '../../../src/core/probe/auc';
import type { DualNewtonFit } from '../../../src/core/probe/dualNewton';
import {
  chooseFastSolver,
  type FastSolverName,
  fitLogistic,
  fitLogisticFast,
  predictProbaCorrect,
} from '../../../src/core/probe/logistic';
import { OrtKernels } from '../../../src/core/probe/ortKernels';
import { probeCell, probeCellAsync } from '../../../src/core/probe/probeCell';
import { PROBLEMS } from './sklearnReference';
import { makeProblem } from './syntheticProblem';

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected} (|Δ| > ${tolerance})`);
}

describe('fast solvers (onnxruntime products) against scikit-learn', () => {
  let kernels: OrtKernels;
  before(async () => {
    kernels = await OrtKernels.create({ threads: 1 });
  });
  after(async () => {
    await kernels.release();
  });

  const SOLVERS: FastSolverName[] = ['newton-dual', 'newton-cg'];
  for (const [spec, sk] of PROBLEMS) {
    for (const solver of SOLVERS) {
      it(`${spec.name} (${spec.n}×${spec.d}), ${solver}: same optimum as sklearn`, async () => {
        const { X, y } = makeProblem(spec);
        const fit = await fitLogisticFast(X, spec.n, spec.d, y, { solver, tol: 1e-12, kernels });
        assert.equal(fit.solver, solver);
        assert.ok(fit.converged, `not converged after ${fit.iterations} iterations`);
        close(fit.objective, sk.objective, 1e-11 * sk.objective, 'objective');
        close(fit.intercept, sk.intercept, 1e-7 * Math.max(1, Math.abs(sk.intercept)), 'intercept');
        sk.weightsHead.forEach((w, j) => close(fit.weights[j], w, 1e-8 * sk.weightsNorm, `w[${j}]`));
        close(Math.hypot(...fit.weights), sk.weightsNorm, 1e-8 * sk.weightsNorm, '‖w‖');
      });
    }
  }

  it('newton-dual: duplicate rows (singular Gram) equal C = 2 on the originals', async () => {
    const { X, y } = makeProblem({ name: 'dup', n: 20, d: 50, seed: 9, noise: 1, errors: 10 });
    const doubled = new Float32Array(40 * 50);
    doubled.set(X);
    doubled.set(X, X.length);
    const yy = new Uint8Array(40);
    yy.set(y);
    yy.set(y, 20);
    const dual = await fitLogisticFast(doubled, 40, 50, yy, { solver: 'newton-dual', tol: 1e-10, kernels });
    const c2 = fitLogistic(X, 20, 50, y, { C: 2, tol: 1e-10 });
    assert.ok(dual.converged);
    close(dual.objective, c2.objective, 1e-10 * c2.objective, 'objective');
  });

  it('newton-dual refuses non-finite activations, naming the row', async () => {
    const { X, y } = makeProblem({ name: 'inf', n: 20, d: 8, seed: 3, noise: 1, errors: 10 });
    X[13 * 8 + 5] = Infinity;
    await assert.rejects(fitLogisticFast(X, 20, 8, y, { solver: 'newton-dual', kernels }), /non-finite value \(Infinity\) in row 13/);
    X[13 * 8 + 5] = NaN;
    await assert.rejects(fitLogisticFast(X, 20, 8, y, { solver: 'newton-dual', kernels }), /non-finite value \(NaN\) in row 13/);
  });

  it('newton-dual reports an unconverged fit honestly when maxIter is too small', async () => {
    const [spec] = PROBLEMS[0];
    const { X, y } = makeProblem(spec);
    const fit = await fitLogisticFast(X, spec.n, spec.d, y, { solver: 'newton-dual', maxIter: 1, kernels });
    assert.equal(fit.iterations, 1);
    assert.equal(fit.converged, false);
  });

  describe('on activation-like data (300 × 2048: heavy-tailed, massive dimensions, near-separable)', () => {
    const n = 300;
    const d = 2048;
    const nTest = 100;
    const { X: all, y: yAll } = activationLike(n + nTest, d, 5);
    const X = all.subarray(0, n * d);
    const y = yAll.subarray(0, n);
    const Xte = all.subarray(n * d);
    const yte = yAll.subarray(n);

    it('is what chooseFastSolver picks, and matches the JS Gram solver', async () => {
      assert.equal(chooseFastSolver(n, d), 'newton-dual');
      assert.equal(chooseFastSolver(800, 4096), 'newton-dual');
      assert.equal(chooseFastSolver(4000, 4096), 'newton-dual');
      assert.equal(chooseFastSolver(8000, 768), 'newton-cg');
      assert.equal(chooseFastSolver(40, 120), 'newton-gram'); // small: JS
      const fast = (await fitLogisticFast(X, n, d, y, { kernels })) as DualNewtonFit;
      const js = fitLogistic(X, n, d, y, { solver: 'newton-gram' });
      assert.equal(fast.solver, 'newton-dual');
      assert.ok(fast.converged && js.converged);
      close(fast.objective, js.objective, 1e-10 * js.objective, 'objective');
      const aucFast = rocAuc(yte, predictProbaCorrect(fast, Xte, nTest, d))!;
      const aucJs = rocAuc(yte, predictProbaCorrect(js, Xte, nTest, d))!;
      close(aucFast, aucJs, 1e-9, 'test AUC');
      assert.ok(fast.cgSteps > 0 && fast.refinements >= 0);
    });

    it('is deterministic: bit-identical fits from the same inputs (new sessions included)', async () => {
      const a = await fitLogisticFast(X, n, d, y, { kernels });
      const b = await fitLogisticFast(X, n, d, y, { kernels });
      const other = await OrtKernels.create({ threads: 1 });
      const c = await fitLogisticFast(X, n, d, y, { kernels: other });
      await other.release();
      for (const fit of [b, c]) {
        assert.deepEqual(fit.weights, a.weights);
        assert.equal(fit.intercept, a.intercept);
        assert.equal(fit.objective, a.objective);
        assert.equal(fit.iterations, a.iterations);
      }
    });

    it('warm start: a neighbouring cell’s dual weights reach the same optimum in fewer steps, deterministically', async () => {
      const { Xs, y: yl } = activationLayers(n, d, 3, 7, 0.1);
      const cold = (await fitLogisticFast(Xs[1], n, d, yl, { kernels })) as DualNewtonFit;
      const parent = (await fitLogisticFast(Xs[0], n, d, yl, { kernels })) as DualNewtonFit;
      const warm = (await fitLogisticFast(Xs[1], n, d, yl, { kernels, warmStart: parent.dual })) as DualNewtonFit;
      const again = (await fitLogisticFast(Xs[1], n, d, yl, { kernels, warmStart: parent.dual })) as DualNewtonFit;
      const js = fitLogistic(Xs[1], n, d, yl, { solver: 'newton-gram' });
      assert.equal(cold.warmStarted, false);
      assert.equal(warm.warmStarted, true);
      assert.ok(warm.converged && cold.converged && js.converged);
      assert.ok(warm.cgSteps < cold.cgSteps, `CG steps warm ${warm.cgSteps} vs cold ${cold.cgSteps}`);
      close(warm.objective, js.objective, 1e-10 * js.objective, 'objective');
      assert.deepEqual(again.weights, warm.weights);
      assert.equal(again.intercept, warm.intercept);
    });

    it('warm start: an unrelated cell’s dual weights are refused (same bits as the cold start)', async () => {
      const { Xs, y: yl } = activationLayers(n, d, 2, 7, 1);
      const parent = (await fitLogisticFast(Xs[0], n, d, yl, { kernels })) as DualNewtonFit;
      const cold = (await fitLogisticFast(Xs[1], n, d, yl, { kernels })) as DualNewtonFit;
      const warm = (await fitLogisticFast(Xs[1], n, d, yl, { kernels, warmStart: parent.dual })) as DualNewtonFit;
      assert.equal(warm.warmStarted, false);
      assert.deepEqual(warm.weights, cold.weights);
      assert.equal(warm.intercept, cold.intercept);
      // A start for other rows (wrong length) or with non-finite values is ignored as well.
      const short = (await fitLogisticFast(Xs[1], n, d, yl, { kernels, warmStart: { alpha: new Float64Array(3), c: 0 } })) as DualNewtonFit;
      const nan = (await fitLogisticFast(Xs[1], n, d, yl, { kernels, warmStart: { alpha: new Float64Array(n).fill(NaN), c: 0 } })) as DualNewtonFit;
      assert.deepEqual(short.weights, cold.weights);
      assert.deepEqual(nan.weights, cold.weights);
    });

    it('probeCellAsync gives probeCell’s metrics and interval', async () => {
      const fast = await probeCellAsync(X, y, Xte, yte, d, { seed: 3, threads: 1 });
      const slow = probeCell(X, y, Xte, yte, d, { seed: 3 });
      assert.equal(fast.solver, 'newton-dual');
      assert.equal(slow.solver, 'newton-gram');
      assert.ok(fast.converged && slow.converged);
      for (const [name, value] of Object.entries(slow.metrics)) {
        const v = fast.metrics[name as keyof typeof slow.metrics];
        assert.ok(value !== null && v !== null && Math.abs(v - value) <= 1e-9, `${name}: ${v} vs ${value}`);
      }
      assert.ok(fast.aucInterval && slow.aucInterval);
      close(fast.aucInterval[0], slow.aucInterval[0], 1e-9, 'interval lo');
      close(fast.aucInterval[1], slow.aucInterval[1], 1e-9, 'interval hi');
      assert.deepEqual(fast.aucBootstrap, { resamples: 1000, skipped: 0 });
    });
  });
});
