// Token sequences with plausible 15 positions, drawn from a seed: extraction speed depends only on
// lengths and batch shapes, not on what the tokens say, so no tokenizer or dataset is needed.

import type { PreparedSequence } from '../../src/core/types';
import { mulberry32 } from '../../src/demo/prng';

export function syntheticRows(count: number, vocabSize: number, minLength: number, maxLength: number, seed = 1): PreparedSequence[] {
  const rand = mulberry32(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  return Array.from({ length: count }, (_, rowIndex) => {
    const length = int(Math.max(16, minLength), maxLength);
    const ids = Array.from({ length }, (_, i) => (i === 0 ? 1 : int(3, vocabSize - 1)));
    const qLength = int(4, length - 10);
    const first = int(qLength, length - 3);
    const last = int(first, length - 2);
    const positions = [
      qLength - 1,
      qLength,
      qLength + 1,
      Math.max(0, first - 1),
      first,
      last,
      last + 1,
      ...[8, 7, 6, 5, 4, 3, 2, 1].map((k) => length - k),
    ];
    return { rowIndex, ids, qLength, positions };
  });
}
