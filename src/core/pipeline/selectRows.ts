import { effectiveSampleLimit, type RunOptions } from '../../contract/runOptions';
import { sampleAndSplit, sampleAndSplitByColumn } from '../probe/split';
import type { DatasetRow } from '../types';

export interface RowSelection {
  train: DatasetRow[];
  test: DatasetRow[];
  all: DatasetRow[];
  splitSource: 'column' | 'seeded';
  /** Rows sampled before the split (0 = all): the explicit limit, or its default for this split source. */
  sampleLimit: number;
}

/**
 * Chooses the probed rows the way the reference does: the seeded subsample and 80/20 split are drawn
 * over *all* records, and rows dropped as invalid are removed afterwards from both sides
 * (llmsknow-pipeline.md §3.3). A `split` column, when present, decides the side instead; its rows are
 * then used whole unless a sample limit was given explicitly.
 */
export function selectRows(
  recordCount: number,
  rows: DatasetRow[],
  settings: Pick<RunOptions, 'sampleLimit' | 'seed' | 'testFraction'>,
): RowSelection {
  const byRecord = new Map(rows.map((r) => [r.rowIndex, r]));
  const valid = (indices: number[]): DatasetRow[] =>
    indices.map((i) => byRecord.get(i)).filter((r): r is DatasetRow => r !== undefined);

  if (rows.some((r) => r.split !== undefined)) {
    const sampleLimit = effectiveSampleLimit(settings.sampleLimit, true);
    const sides = Array.from({ length: recordCount }, (_, i) => byRecord.get(i)?.split);
    const split = sampleAndSplitByColumn(sides, { sampleLimit, seed: settings.seed });
    const train = valid(split.train);
    const test = valid(split.test);
    return { train, test, all: [...train, ...test], splitSource: 'column', sampleLimit };
  }

  const sampleLimit = effectiveSampleLimit(settings.sampleLimit, false);
  const split = sampleAndSplit(recordCount, { sampleLimit, testFraction: settings.testFraction, seed: settings.seed });
  const train = valid(split.train);
  const test = valid(split.test);
  return { train, test, all: [...train, ...test], splitSource: 'seeded', sampleLimit };
}
