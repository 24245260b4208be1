import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { METRIC_NAMES } from '../../../src/contract/types';
import { cellMetrics } from '../../../src/core/probe/metrics';
import { MT19937 } from '../../../src/core/probe/mt19937';

// Expected values: `/usr/bin/python3 bench/probes/crosscheck.py`, section "metrics": the reference's
// compute_metrics_probing parts (accuracy_score, precision/recall/f1_score with pos_label=0 and the
// default zero_division, roc_curve(pos_label=0) + auc) with scikit-learn 1.2.1, predicted = P > 0.5.
describe('cellMetrics', () => {
  it('matches sklearn on P(correct) on a 0.05 grid (many exactly 0.5, predicted as errors)', () => {
    // Mirror of scored_labels(21, 150, 20, 0.25) in crosscheck.py, capped at 1.
    const rng = new MT19937(21);
    const labels: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < 150; i++) {
      const u = rng.nextDouble();
      const v = rng.nextDouble();
      const label = u < 0.6 ? 1 : 0;
      labels.push(label);
      p.push(Math.min(Math.floor((v + 0.25 * label) * 20) / 20, 1));
    }
    assert.ok(p.filter((v) => v === 0.5).length > 0);
    const m = cellMetrics(labels, p);
    const expected = {
      auc: 0.7203601354965236,
      acc: 0.6266666666666667,
      baseline_acc: 0.5266666666666666,
      precision: 0.6153846153846154,
      recall: 0.5633802816901409,
      f1: 0.5882352941176471,
    };
    for (const [name, value] of Object.entries(expected)) {
      const actual = m[name as keyof typeof expected];
      assert.ok(actual !== null && Math.abs(actual - value) <= 1e-12, `${name}: ${actual} vs ${value}`);
    }
    assert.ok(Math.abs(m.acc_diff_from_baseline! - (0.6266666666666667 - 0.5266666666666666)) <= 1e-15);
  });

  it('uses zero_division = 0 like sklearn when nothing is predicted as an error', () => {
    const m = cellMetrics([1, 0, 1, 1, 0], [0.9, 0.6, 0.7, 0.55, 0.8]);
    assert.deepEqual(m, { auc: 0.5, acc: 0.6, baseline_acc: 0.6, acc_diff_from_baseline: 0, precision: 0, recall: 0, f1: 0 });
  });

  it('a single-class test set: auc null, recall of errors 0 (sklearn zero_division)', () => {
    const m = cellMetrics([1, 1, 1, 1], [0.9, 0.4, 0.7, 0.8]);
    assert.equal(m.auc, null);
    assert.equal(m.acc, 0.75);
    assert.equal(m.baseline_acc, 1);
    assert.equal(m.acc_diff_from_baseline, -0.25);
    assert.equal(m.precision, 0); // one predicted error, which was correct
    assert.equal(m.recall, 0);
    assert.equal(m.f1, 0);
  });

  it('returns every metric name, all null for no rows', () => {
    const m = cellMetrics([], []);
    assert.deepEqual(Object.keys(m).sort(), [...METRIC_NAMES].sort());
    assert.ok(Object.values(m).every((v) => v === null));
    assert.throws(() => cellMetrics([0, 1], [0.3]), /labels but/);
  });
});
