import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { METRIC_NAMES } from '../../../src/contract/types';
import { bootstrapAucInterval } from '../../../src/core/probe/bootstrap';
import { probeCell } from '../../../src/core/probe/probeCell';
import { makeProblem } from './syntheticProblem';

describe('probeCell', () => {
  it('end to end: same metrics as a sklearn probe on the same data', () => {
    const train = makeProblem({ name: 'train', n: 160, d: 12, seed: 31, noise: 3.0, errors: 70 });
    const test = makeProblem({ name: 'test', n: 60, d: 12, seed: 32, noise: 3.0, errors: 25 });
    const cell = probeCell(train.X, train.y, test.X, test.y, 12, { tol: 1e-10 });
    // Expected values: `/usr/bin/python3 bench/probes/crosscheck.py`, metrics "probe end to end":
    // LogisticRegression(C=1, tol=1e-10, solver="newton-cholesky") fitted on the train problem, then the
    // reference's compute_metrics_probing(pos_label=0) on the test problem (scikit-learn 1.2.1).
    const expected = {
      auc: 0.8411428571428572,
      acc: 0.8166666666666667,
      baseline_acc: 0.5833333333333334,
      precision: 0.7916666666666666,
      recall: 0.76,
      f1: 0.7755102040816326,
    };
    for (const [name, value] of Object.entries(expected)) {
      const actual = cell.metrics[name as keyof typeof expected];
      assert.ok(actual !== null && Math.abs(actual - value) <= 1e-12, `${name}: ${actual} vs ${value}`);
    }
    assert.equal(cell.pCorrectTest.length, 60);
    // The AUC interval: 1000 seeded resamples of the test rows (seed 0 unless told), percentile method.
    const boot = bootstrapAucInterval(test.y, cell.pCorrectTest, { resamples: 1000, seed: 0 });
    assert.deepEqual(cell.aucInterval, boot.interval);
    assert.deepEqual(cell.aucBootstrap, { resamples: 1000, skipped: boot.skipped });
    assert.ok(cell.aucInterval![0] < cell.metrics.auc! && cell.metrics.auc! < cell.aucInterval![1]);
    const seeded = probeCell(train.X, train.y, test.X, test.y, 12, { tol: 1e-10, seed: 42, bootstrapResamples: 200 });
    assert.deepEqual(seeded.aucInterval, bootstrapAucInterval(test.y, seeded.pCorrectTest, { resamples: 200, seed: 42 }).interval);
    assert.equal(probeCell(train.X, train.y, test.X, test.y, 12, { bootstrapResamples: 0 }).aucInterval, null);
    assert.ok(cell.converged);
    assert.equal(cell.solver, 'newton-cg');
    assert.ok(cell.iterations > 0);
  });

  it('is undefined (all metrics null, nothing fitted) when a side holds a single class', () => {
    const train = makeProblem({ name: 'train', n: 30, d: 4, seed: 1, noise: 1, errors: 10 });
    const ones = new Uint8Array(30).fill(1);
    const both = (cell: ReturnType<typeof probeCell>): void => {
      assert.deepEqual(Object.keys(cell.metrics).sort(), [...METRIC_NAMES].sort());
      assert.ok(Object.values(cell.metrics).every((v) => v === null));
      assert.equal(cell.pCorrectTest.length, 0);
      assert.equal(cell.aucInterval, null);
      assert.equal(cell.converged, false);
      assert.equal(cell.iterations, 0);
    };
    both(probeCell(train.X, ones, train.X, train.y, 4));
    both(probeCell(train.X, train.y, train.X, ones, 4));
  });

  it('checks the test matrix shape', () => {
    const train = makeProblem({ name: 'train', n: 30, d: 4, seed: 1, noise: 1, errors: 10 });
    assert.throws(() => probeCell(train.X, train.y, new Float32Array(7), Uint8Array.from([0, 1]), 4), /Xtest/);
  });
});
