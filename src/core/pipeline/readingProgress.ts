// "Reading data.csv: parsing, 812/2,048 MiB · 95 MiB/s · about 15 s left": the dataset stage's three
// passes over the file (the encoding check, parsing, hashing for the cache key) as one count of MiB,
// so a 2 GB CSV shows how far it is instead of one still "Reading" line.
import * as path from 'node:path';

import type { ReadingPass } from '../dataset/readTable';
import { formatCount } from '../progress/formatTiming';
import type { ProgressCallback } from '../progress/timedProgress';

const MIB = 1024 * 1024;
const PASSES: (ReadingPass | 'hashing')[] = ['checking', 'parsing', 'hashing'];
const LABEL: Record<ReadingPass | 'hashing', string> = { checking: 'checking the encoding', parsing: 'parsing', hashing: 'hashing' };

/**
 * Progress callbacks for readTable's passes and contentHash's; updates at most once per 1 % of the
 * total, none for files under `minBytes` (nothing to watch).
 */
export function readingProgress(progress: ProgressCallback, file: string, minBytes = 16 * MIB): { table: (pass: ReadingPass, bytes: number, size: number) => void; hash: (bytes: number) => void } {
  const name = path.basename(file);
  let size = 0;
  let last = -1;
  const report = (pass: ReadingPass | 'hashing', bytes: number): void => {
    const total = (PASSES.length * size) / MIB;
    const done = (PASSES.indexOf(pass) * size + bytes) / MIB;
    if (size < minBytes || done <= last || (done - last < total / 100 && bytes < size)) return;
    last = done;
    progress('dataset', done, total, `Reading ${name}: ${LABEL[pass]}, ${formatCount(done)}/${formatCount(total)} MiB`);
  };
  return {
    table: (pass, bytes, fileSize) => {
      size = fileSize;
      report(pass, bytes);
    },
    hash: (bytes) => report('hashing', bytes),
  };
}
