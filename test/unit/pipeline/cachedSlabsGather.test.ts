// A probe's rows read straight from the activation cache (CachedSlabs.gather) are the very values the
// slab gives (packRows(slab(…))), for float32 and float16 caches, rows spread over several chunks and
// asked for in any order — and the buffer it fills is the caller's (reused between cells).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { ActivationCache } from '../../../src/core/cache/activationCache';
import type { CacheKey } from '../../../src/core/cache/cacheKey';
import { CachedSlabs } from '../../../src/core/pipeline/cachedSlabs';
import { gatherRows, packRows } from '../../../src/core/pipeline/slabSource';
import type { PreparedSequence } from '../../../src/core/types';

const LAYERS = 3;
const D = 24;

function sequence(rowIndex: number): PreparedSequence {
  return { rowIndex, ids: [1, 2, 3, 4 + rowIndex], qLength: 2, positions: TOKEN_POSITIONS.map((_, t) => t % 4) };
}

function cacheWith(dtype: 'float32' | 'float16', chunks: number[][]): { slabs: CachedSlabs; sequences: PreparedSequence[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-gather-'));
  // A key of the right shape: the cache only hashes it and reads its location and dtype.
  const key = { format: 1, dataset: { contentHash: 'test', columns: {} }, model: {}, sequenceRule: 'test', options: { location: 'mlp_out', cacheDtype: dtype } } as unknown as CacheKey;
  const cache = ActivationCache.open(root, key);
  for (const rows of chunks) {
    const slabs = Array.from({ length: LAYERS }, (_, layer) =>
      TOKEN_POSITIONS.map((_, token) => Float32Array.from({ length: rows.length * D }, (_, k) => Math.sin(1 + layer * 7.1 + token * 0.37 + rows[Math.floor(k / D)] * 1.3 + (k % D) * 0.11) * 40)),
    );
    cache.addChunk(rows.map(sequence), slabs, { numLayers: LAYERS, hiddenSize: D, blockKind: 'sequential' }, 'cpu');
  }
  // The run's order of rows is not the chunks' order.
  const sequences = [7, 2, 9, 0, 4, 5, 1, 8, 3, 6].map(sequence);
  assert.deepEqual(cache.resolve(sequences), [], 'every row cached');
  return { slabs: new CachedSlabs(cache, sequences, LAYERS, D), sequences };
}

for (const dtype of ['float32', 'float16'] as const) {
  test(`${dtype} cache: gather gives packRows(slab) bit for bit, into the caller's buffer`, () => {
    const { slabs } = cacheWith(dtype, [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    const train = [9, 0, 3, 5, 1, 7, 2];
    const test = [8, 4, 6];
    const buffer = new Float32Array(train.length * D).fill(Number.NaN);
    for (let layer = 0; layer < LAYERS; layer++) {
      for (let token = 0; token < TOKEN_POSITIONS.length; token++) {
        const slab = slabs.slab(layer, token);
        const out = gatherRows(slabs, layer, token, train, buffer);
        assert.equal(out, buffer, 'filled in place');
        assert.deepEqual(out, packRows(slab, D, train), `layer ${layer} token ${token}`);
        assert.deepEqual(gatherRows(slabs, layer, token, test, new Float32Array(test.length * D)), packRows(slab, D, test));
      }
    }
    // A float16 cache holds the activations rounded to half precision: the values are not the raw ones.
    const first = slabs.slab(0, 0)[0];
    if (dtype === 'float16') assert.notEqual(first, Math.fround(Math.sin(1 + 7 * 1.3) * 40));
    // A row asked for twice takes the slab's way and still gives the same rows.
    assert.deepEqual(gatherRows(slabs, 1, 2, [3, 3, 0], new Float32Array(3 * D)), packRows(slabs.slab(1, 2), D, [3, 3, 0]));
  });
}
