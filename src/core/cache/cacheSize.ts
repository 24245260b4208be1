// How many bytes an activation cache will take, from its shape alone, so a run can say so (and refuse)
// before the first forward pass instead of failing with ENOSPC hours into extraction.

import type { CacheDtype } from '../../contract/runOptions';
import { TOKEN_POSITIONS } from '../../contract/types';

export const BYTES_PER_VALUE: Record<CacheDtype, number> = { float32: 4, float16: 2 };

// Per row, beside the activations, a chunk holds row_index, length, ids_hash (4 bytes each) and its 15
// positions (int32): small, but counted so the estimate is not below what is written.
const ROW_BOOKKEEPING_BYTES = 4 * 3 + 4 * TOKEN_POSITIONS.length;

export interface CacheShape {
  rows: number;
  numLayers: number;
  hiddenSize: number;
  dtype: CacheDtype;
}

/** rows × layers × 15 positions × hidden × bytes per value, plus each row's bookkeeping. */
export function cacheBytes(shape: CacheShape): number {
  const perRow = shape.numLayers * TOKEN_POSITIONS.length * shape.hiddenSize * BYTES_PER_VALUE[shape.dtype] + ROW_BOOKKEEPING_BYTES;
  return shape.rows * perRow;
}

/** "1,500 rows × 8 layers × 15 positions × 128 × 4 bytes (float32)", for logs and messages. */
export function describeCacheShape(shape: CacheShape): string {
  const n = (v: number): string => v.toLocaleString('en-US');
  return `${n(shape.rows)} rows × ${n(shape.numLayers)} layers × ${TOKEN_POSITIONS.length} positions × ${n(shape.hiddenSize)} × ${BYTES_PER_VALUE[shape.dtype]} bytes (${shape.dtype})`;
}
