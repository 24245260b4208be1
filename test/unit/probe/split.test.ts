import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MT19937 } from '../../../src/core/probe/mt19937';
import { sampleAndSplit, sampleAndSplitByColumn, seededPermutation, trainTestSplit } from '../../../src/core/probe/split';

// Expected values: `/usr/bin/python3 bench/probes/crosscheck.py`, section "split" (numpy 1.24.2,
// scikit-learn 1.2.1): np.random.RandomState(seed).permutation / random_sample, and the reference's
// compile_probing_indices (np.random.seed + shuffle + [:n_samples], then train_test_split).
describe('MT19937 (numpy legacy RandomState)', () => {
  it('first outputs for seed 0 and random_sample for seed 5', () => {
    const rng = new MT19937(0);
    assert.deepEqual([rng.nextUint32(), rng.nextUint32(), rng.nextUint32()], [2357136044, 2546248239, 3071714933]);
    const r5 = new MT19937(5);
    assert.deepEqual([r5.nextDouble(), r5.nextDouble(), r5.nextDouble()], [0.22199317108973948, 0.8707323061773764, 0.20671915533942642]);
  });

  it('rejects seeds numpy rejects', () => {
    assert.throws(() => new MT19937(-1), RangeError);
    assert.throws(() => new MT19937(2 ** 32), RangeError);
    assert.throws(() => new MT19937(1.5), RangeError);
  });

  it('interval stays within [0, max]', () => {
    const rng = new MT19937(3);
    for (const max of [1, 2, 5, 1000, 2 ** 31, 2 ** 32 - 1]) {
      for (let k = 0; k < 50; k++) {
        const v = rng.interval(max);
        assert.ok(Number.isInteger(v) && v >= 0 && v <= max);
      }
    }
    assert.equal(rng.interval(0), 0);
  });
});

describe('seededPermutation', () => {
  it('equals numpy RandomState(seed).permutation(n)', () => {
    assert.deepEqual(seededPermutation(20, 0), [18, 1, 19, 8, 10, 17, 6, 13, 4, 2, 5, 14, 9, 7, 16, 11, 3, 0, 15, 12]);
    assert.deepEqual(seededPermutation(20, 42), [0, 17, 15, 1, 8, 5, 11, 3, 18, 16, 13, 2, 9, 19, 4, 12, 7, 10, 14, 6]);
    assert.deepEqual(seededPermutation(10, 2 ** 32 - 1), [6, 9, 5, 1, 8, 0, 7, 4, 2, 3]);
    assert.deepEqual(seededPermutation(0, 0), []);
    assert.deepEqual(seededPermutation(1, 0), [0]);
  });
});

describe('sampleAndSplit', () => {
  it('reproduces the reference subset: 5000 rows, n_samples 1000, seed 0 → 800/200', () => {
    const { train, test } = sampleAndSplit(5000, { sampleLimit: 1000, testFraction: 0.2, seed: 0 });
    assert.equal(train.length, 800);
    assert.equal(test.length, 200);
    assert.deepEqual(test.slice(0, 8), [3873, 2726, 3899, 34, 1995, 4073, 4268, 39]);
    assert.deepEqual(train.slice(0, 8), [4208, 3871, 3274, 2011, 2358, 383, 668, 1085]);
    assert.equal(test.reduce((s, v) => s + v, 0), 490213);
    assert.equal(train.reduce((s, v) => s + v, 0), 2021021);
  });

  it("sampleLimit 0 is the reference's n_samples='all': no shuffle, train_test_split of 0…n−1", () => {
    const { train, test } = sampleAndSplit(23, { sampleLimit: 0, testFraction: 0.2, seed: 7 });
    assert.deepEqual(test, [1, 5, 2, 22, 20]); // ceil(0.2 · 23) = 5
    assert.deepEqual(train, [12, 11, 0, 21, 6, 18, 16, 13, 10, 17, 9, 8, 14, 7, 19, 3, 4, 15]);
  });

  it('is deterministic, disjoint and covers the sample; 1000 → 800/200', () => {
    const a = sampleAndSplit(1000, { sampleLimit: 0, testFraction: 0.2, seed: 1 });
    const b = sampleAndSplit(1000, { sampleLimit: 0, testFraction: 0.2, seed: 1 });
    assert.deepEqual(a, b);
    assert.equal(a.train.length, 800);
    assert.equal(a.test.length, 200);
    const all = new Set([...a.train, ...a.test]);
    assert.equal(all.size, 1000);
    assert.ok([...all].every((i) => i >= 0 && i < 1000));
    const c = sampleAndSplit(1000, { sampleLimit: 0, testFraction: 0.2, seed: 2 });
    assert.notDeepEqual(a.test, c.test);
  });

  it('a limit above n keeps every row (still shuffled, as the reference)', () => {
    const { train, test } = sampleAndSplit(50, { sampleLimit: 1000, testFraction: 0.2, seed: 0 });
    assert.equal(train.length + test.length, 50);
    assert.equal(test.length, 10);
    assert.equal(new Set([...train, ...test]).size, 50);
  });

  it('rejects splits sklearn rejects', () => {
    assert.throws(() => trainTestSplit([0], 0.2, 0), /too few/);
    assert.throws(() => trainTestSplit([0, 1, 2], 0, 0), /testFraction/);
    assert.throws(() => trainTestSplit([0, 1, 2], 1, 0), /testFraction/);
  });
});

describe('sampleAndSplitByColumn', () => {
  it('honours the per-row side and leaves out rows without one', () => {
    const sides = ['train', 'test', undefined, 'train', 'test', 'train'] as const;
    assert.deepEqual(sampleAndSplitByColumn(sides, { sampleLimit: 0, seed: 0 }), { train: [0, 3, 5], test: [1, 4] });
  });

  it('applies the same seeded subsample first', () => {
    const sides = Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 'test' : 'train') as 'train' | 'test');
    const { train, test } = sampleAndSplitByColumn(sides, { sampleLimit: 8, seed: 0 });
    const kept = seededPermutation(20, 0).slice(0, 8).sort((a, b) => a - b);
    assert.deepEqual([...train, ...test].sort((a, b) => a - b), kept);
    assert.ok(test.every((i) => i % 4 === 0) && train.every((i) => i % 4 !== 0));
  });
});
