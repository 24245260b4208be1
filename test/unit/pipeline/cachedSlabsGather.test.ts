// Rows read from the activation cache: the slab holds the values written (float16: rounded to nearest
// half), and a probe's rows read straight into its matrix (CachedSlabs.gather) are packRows of that slab,
// for float32 and float16 caches, rows spread over several chunks and asked for in any order — into the
// caller's buffer (reused between cells).
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { ActivationCache } from '../../../src/core/cache/activationCache';
import type { CacheKey } from '../../../src/core/cache/cacheKey';
import { float32ArrayToHalfBits } from '../../../src/core/cache/float16';
import { halfBitsToFloat32 } from '../../../src/core/onnx/half';
import { CachedSlabs } from '../../../src/core/pipeline/cachedSlabs';
import { gatherRows, packRows } from '../../../src/core/pipeline/slabSource';
import type { PreparedSequence } from '../../../src/core/types';

const LAYERS = 3;
/** Dataset rows in the run's order (store row i holds dataset row ORDER[i]); not the chunks' order. */
const ORDER = [7, 2, 9, 0, 4, 5, 1, 8, 3, 6];
const D = 24;

/** The activation written for (layer, token, dataset row, feature): the test's own record of the cache. */
const value = (layer: number, token: number, rowIndex: number, j: number): number => Math.sin(1 + layer * 7.1 + token * 0.37 + rowIndex * 1.3 + j * 0.11) * 40;

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
      TOKEN_POSITIONS.map((_, token) => Float32Array.from({ length: rows.length * D }, (_, k) => value(layer, token, rows[Math.floor(k / D)], k % D))),
    );
    cache.addChunk(rows.map(sequence), slabs, { numLayers: LAYERS, hiddenSize: D, blockKind: 'sequential' }, 'cpu');
  }
  const sequences = ORDER.map(sequence);
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
        // The slab itself against what was written: exact in float32, rounded to nearest half in float16.
        const written = Float32Array.from({ length: ORDER.length * D }, (_, k) => value(layer, token, ORDER[Math.floor(k / D)], k % D));
        assert.deepEqual(slab, dtype === 'float32' ? written : halfBitsToFloat32(float32ArrayToHalfBits(written).bits), `slab ${layer} ${token}`);
        const out = gatherRows(slabs, layer, token, train, buffer);
        assert.equal(out, buffer, 'filled in place');
        assert.deepEqual(out, packRows(slab, D, train), `layer ${layer} token ${token}`);
        assert.deepEqual(gatherRows(slabs, layer, token, test, new Float32Array(test.length * D)), packRows(slab, D, test));
      }
    }
    // A float16 cache holds the activations rounded to half precision: the values are not the raw ones.
    if (dtype === 'float16') assert.notEqual(slabs.slab(0, 0)[0], Math.fround(value(0, 0, ORDER[0], 0)));
    // A row asked for twice takes the slab's way and still gives the same rows.
    assert.deepEqual(gatherRows(slabs, 1, 2, [3, 3, 0], new Float32Array(3 * D)), packRows(slabs.slab(1, 2), D, [3, 3, 0]));
  });
}
