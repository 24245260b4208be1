import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rocAuc } from '../../../src/core/probe/auc';
import { bootstrapAucInterval, percentile, resampleCounts } from '../../../src/core/probe/bootstrap';
import { MT19937 } from '../../../src/core/probe/mt19937';
import { scoredLabels } from './scoredLabels';

// Expected values: `/usr/bin/python3 bench/probes/crosscheck.py`, section "bootstrap" (numpy 1.24.2,
// scikit-learn 1.2.1): RandomState(seed).randint(0, m, size=m) per resample, roc_auc_score, single-class
// resamples skipped, np.percentile(aucs, [2.5, 97.5]).
describe('bootstrapAucInterval', () => {
  const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-12, `${what}: ${a} vs ${b}`);

  it('heavy ties, 1000 resamples, seed 0: equals the numpy bootstrap', () => {
    const { labels, scores } = scoredLabels(11, 200, 5, 0.3);
    const boot = bootstrapAucInterval(labels, scores, { resamples: 1000, seed: 0 });
    assert.ok(boot.interval);
    close(boot.interval[0], 0.6486613749107321, 'lo');
    close(boot.interval[1], 0.7798714747578579, 'hi');
    assert.equal(boot.skipped, 0);
    assert.equal(boot.resamples, 1000);
    const auc = rocAuc(labels, scores)!;
    assert.ok(boot.interval[0] < auc && auc < boot.interval[1]);
  });

  it('continuous scores, 500 resamples, seed 42', () => {
    const { labels, scores } = scoredLabels(13, 200, 0, 0.5);
    const boot = bootstrapAucInterval(labels, scores, { resamples: 500, seed: 42 });
    close(boot.interval![0], 0.8291241666666667, 'lo');
    close(boot.interval![1], 0.9244004078652445, 'hi');
  });

  it('skips and counts resamples that hold a single class (2 errors among 30 rows)', () => {
    const { scores } = scoredLabels(14, 30, 0, 0.4);
    const labels = Array.from({ length: 30 }, (_, i) => (i === 3 || i === 17 ? 0 : 1));
    const boot = bootstrapAucInterval(labels, scores, { resamples: 400, seed: 7 });
    assert.equal(boot.skipped, 44);
    close(boot.interval![0], 0.23197115384615385, 'lo');
    close(boot.interval![1], 0.5874502652519893, 'hi');
  });

  it('each resample is rocAuc of the expanded sample, drawn as numpy randint', () => {
    const { labels, scores } = scoredLabels(12, 37, 3, 0.2);
    const counts = resampleCounts(37, 5, 9);
    const rng = new MT19937(9);
    for (let b = 0; b < 5; b++) {
      const idx = Array.from({ length: 37 }, () => rng.interval(36));
      const expected = new Array(37).fill(0);
      for (const i of idx) expected[i]++;
      assert.deepEqual(Array.from(counts.subarray(b * 37, (b + 1) * 37)), expected);
    }
    // A single resample: its interval is that resample's AUC, computed by rocAuc on the expanded rows.
    const one = bootstrapAucInterval(labels, scores, { resamples: 1, seed: 9 });
    const first = new MT19937(9);
    const rows = Array.from({ length: 37 }, () => first.interval(36));
    const auc = rocAuc(rows.map((i) => labels[i]), rows.map((i) => scores[i]))!;
    assert.deepEqual(one.interval, [auc, auc]);
  });

  it('is deterministic and seed-dependent; null without resamples or without a second class', () => {
    const { labels, scores } = scoredLabels(11, 120, 0, 0.3);
    const a = bootstrapAucInterval(labels, scores, { resamples: 200, seed: 3 });
    assert.deepEqual(bootstrapAucInterval(labels, scores, { resamples: 200, seed: 3 }), a);
    assert.notDeepEqual(bootstrapAucInterval(labels, scores, { resamples: 200, seed: 4 }).interval, a.interval);
    assert.equal(bootstrapAucInterval(labels, scores, { resamples: 0, seed: 3 }).interval, null);
    const allOnes = bootstrapAucInterval([1, 1, 1], [0.1, 0.2, 0.3], { resamples: 10, seed: 0 });
    assert.equal(allOnes.interval, null);
    assert.equal(allOnes.skipped, 10);
  });

  it('percentile interpolates as numpy (linear, from the nearer end)', () => {
    const v = [0.1, 0.2, 0.4, 0.8];
    assert.equal(percentile(v, 0), 0.1);
    assert.equal(percentile(v, 100), 0.8);
    assert.equal(percentile(v, 50), 0.30000000000000004); // np.percentile([.1,.2,.4,.8], 50)
    assert.equal(percentile([5], 2.5), 5);
  });
});
