import { sampleAndSplit, sampleAndSplitByColumn } from '../probe/split';
import type { DatasetRow, RunSettings } from '../types';

export interface RowSelection {
  train: DatasetRow[];
  test: DatasetRow[];
  all: DatasetRow[];
  splitSource: 'column' | 'seeded';
}

/**
 * Chooses the probed rows the way the reference does: the seeded subsample and 80/20 split are drawn
 * over *all* records, and rows dropped as invalid are removed afterwards from both sides
 * (llmsknow-pipeline.md §3.3). A `split` column, when present, decides the side instead.
 */
export function selectRows(recordCount: number, rows: DatasetRow[], settings: RunSettings): RowSelection {
  const byRecord = new Map(rows.map((r) => [r.rowIndex, r]));
  const valid = (indices: number[]): DatasetRow[] =>
    indices.map((i) => byRecord.get(i)).filter((r): r is DatasetRow => r !== undefined);

  if (rows.some((r) => r.split !== undefined)) {
    const sides = Array.from({ length: recordCount }, (_, i) => byRecord.get(i)?.split);
    const split = sampleAndSplitByColumn(sides, settings);
    const train = valid(split.train);
    const test = valid(split.test);
    return { train, test, all: [...train, ...test], splitSource: 'column' };
  }

  const split = sampleAndSplit(recordCount, {
    sampleLimit: settings.sampleLimit,
    testFraction: settings.testFraction,
    seed: settings.seed,
  });
  const train = valid(split.train);
  const test = valid(split.test);
  return { train, test, all: [...train, ...test], splitSource: 'seeded' };
}
