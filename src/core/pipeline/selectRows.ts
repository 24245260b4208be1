import { sampleAndSplit, seededPermutation } from '../probe/split';
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
    const order = seededPermutation(recordCount, settings.seed);
    const limited = settings.sampleLimit > 0 ? order.slice(0, settings.sampleLimit) : order;
    const chosen = valid(Array.from(limited).sort((a, b) => a - b));
    const train = chosen.filter((r) => r.split === 'train');
    const test = chosen.filter((r) => r.split === 'test');
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
