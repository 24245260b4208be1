import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { rocAuc } from '../../../src/core/probe/auc';
import { scoredLabels } from './scoredLabels';

// Expected values: sklearn.metrics.roc_auc_score (scikit-learn 1.2.1), printed by
// `/usr/bin/python3 bench/probes/crosscheck.py` (section "auc"); the reference's own form,
// roc_curve(y, P(error), pos_label=0) + auc, gives the same numbers (to 1 ulp).
const SEEDED: [string, [number, number, number, number], number][] = [
  ['heavy ties (5 levels)', [11, 200, 5, 0.3], 0.7155498721227621],
  ['heavy ties (2 levels)', [12, 101, 2, 0.2], 0.7296747967479675],
  ['continuous scores', [13, 1000, 0, 0.5], 0.8708543405101774],
  ['no signal (3 levels)', [14, 300, 3, 0.0], 0.5361448676689562],
];

describe('rocAuc', () => {
  for (const [name, [seed, n, levels, signal], expected] of SEEDED) {
    it(`${name}: equals sklearn's roc_auc_score to 1e-12`, () => {
      const { labels, scores } = scoredLabels(seed, n, levels, signal);
      const auc = rocAuc(labels, scores);
      assert.ok(auc !== null && Math.abs(auc - expected) <= 1e-12, `${auc} vs ${expected}`);
    });
  }

  it('all scores tied gives 0.5', () => {
    assert.equal(rocAuc([0, 1, 1, 0, 1], [0.3, 0.3, 0.3, 0.3, 0.3]), 0.5);
  });

  it('a small literal case with a three-way tie (sklearn: 0.6666666666666667)', () => {
    const auc = rocAuc([1, 0, 1, 1, 0, 0, 1], [0.9, 0.1, 0.4, 0.4, 0.4, 0.8, 0.7]);
    assert.ok(auc !== null && Math.abs(auc - 0.6666666666666667) <= 1e-15);
  });

  it('perfect, reversed and orientation: positives are label 1 (correct)', () => {
    assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1);
    assert.equal(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9]), 0);
    // Scoring P(error) instead of P(correct) would give 1 − AUC.
    const labels = [1, 0, 1, 1, 0];
    const p = [0.7, 0.4, 0.6, 0.3, 0.35];
    const aucCorrect = rocAuc(labels, p)!;
    const aucFlipped = rocAuc(labels, p.map((v) => 1 - v))!;
    assert.ok(Math.abs(aucCorrect + aucFlipped - 1) < 1e-15);
  });

  it('does not depend on the input order or on ±Infinity scores', () => {
    const labels = [1, 0, 1, 0, 1, 0];
    const scores = [Infinity, -Infinity, 0.5, 0.5, 0.2, 0.1];
    const forward = rocAuc(labels, scores);
    const reversed = rocAuc([...labels].reverse(), [...scores].reverse());
    assert.equal(forward, reversed);
    assert.equal(forward, (3 + 2.5 + 2) / 9); // pairs won: ∞ beats 3, 0.5 ties one and beats 2, 0.2 beats 2
  });

  it('is null with a single class and rejects bad input', () => {
    assert.equal(rocAuc([1, 1, 1], [0.2, 0.5, 0.9]), null);
    assert.equal(rocAuc([0, 0], [0.2, 0.5]), null);
    assert.equal(rocAuc([], []), null);
    assert.throws(() => rocAuc([0, 1], [0.5]), /labels but/);
    assert.throws(() => rocAuc([0, 2], [0.5, 0.4]), /expected 0 or 1/);
    assert.throws(() => rocAuc([0, 1], [NaN, 0.4]), /NaN/);
  });
});
