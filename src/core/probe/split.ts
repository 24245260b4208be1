// Which rows are probed, and on which side: the reference's seeded subsample and 80/20 split
// (llmsknow-pipeline.md §3.3), reproduced bit for bit with numpy's legacy MT19937 stream.
import { MT19937 } from './mt19937';

export interface SplitIndices {
  train: number[];
  test: number[];
}

export interface SampleSplitOptions {
  /** Keep at most this many rows after the seeded shuffle; 0 = all rows and no shuffle (as the reference). */
  sampleLimit: number;
  /** Fraction of the kept rows held out; the test side gets ceil(testFraction·m), as sklearn. */
  testFraction: number;
  /** Integer in [0, 2³²). */
  seed: number;
}

/** Fisher–Yates exactly as numpy's legacy `RandomState.shuffle` (last index first, `random_interval`). */
export function shuffleInPlace<T>(items: T[], rng: MT19937): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.interval(i);
    const tmp = items[i];
    items[i] = items[j];
    items[j] = tmp;
  }
  return items;
}

/** numpy's `np.random.RandomState(seed).permutation(n)`. */
export function seededPermutation(n: number, seed: number): number[] {
  return shuffleInPlace(Array.from({ length: n }, (_, i) => i), new MT19937(seed));
}

/**
 * sklearn's `train_test_split(items, test_size=testFraction, random_state=seed)` (ShuffleSplit):
 * test = the first ceil(testFraction·m) of a seed permutation, train = the rest, both in that order.
 */
export function trainTestSplit(items: readonly number[], testFraction: number, seed: number): SplitIndices {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`testFraction must be in (0, 1), got ${testFraction}`);
  const m = items.length;
  const nTest = Math.ceil(testFraction * m);
  if (nTest >= m) throw new RangeError(`${m} rows are too few to hold out ${nTest} for testing`);
  const perm = seededPermutation(m, seed);
  return {
    test: perm.slice(0, nTest).map((p) => items[p]),
    train: perm.slice(nTest).map((p) => items[p]),
  };
}

/**
 * The reference's `compile_probing_indices` over row indices 0…n−1: with a sample limit, shuffle with
 * `np.random.seed(seed)` and keep the first `sampleLimit` (a limit ≥ n still shuffles, as there); then
 * split as `train_test_split(…, random_state=seed)`. Rows that turn out unusable (invalid exact answer)
 * are removed by the caller *afterwards* from both sides, as the reference does, so pass n = every
 * record of the file to reproduce its subset.
 */
export function sampleAndSplit(n: number, { sampleLimit, testFraction, seed }: SampleSplitOptions): SplitIndices {
  const all = Array.from({ length: n }, (_, i) => i);
  const kept = sampleLimit > 0 ? shuffleInPlace(all, new MT19937(seed)).slice(0, sampleLimit) : all;
  return trainTestSplit(kept, testFraction, seed);
}

/**
 * Split given per row (a `split` column): the same seeded subsample as sampleAndSplit, then each kept
 * row goes to the side it names, in ascending row order; rows with no side are left out.
 */
export function sampleAndSplitByColumn(
  sides: readonly ('train' | 'test' | undefined)[],
  { sampleLimit, seed }: Pick<SampleSplitOptions, 'sampleLimit' | 'seed'>,
): SplitIndices {
  const all = Array.from({ length: sides.length }, (_, i) => i);
  const kept = sampleLimit > 0 ? shuffleInPlace(all, new MT19937(seed)).slice(0, sampleLimit).sort((a, b) => a - b) : all;
  return {
    train: kept.filter((i) => sides[i] === 'train'),
    test: kept.filter((i) => sides[i] === 'test'),
  };
}
