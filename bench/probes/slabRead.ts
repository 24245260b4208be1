// How a probe cell's rows come out of the activation cache, old way and new, on one machine in one run:
//   node --import tsx bench/probes/slabRead.ts [rows] [d] [dtype]     (default 1000 4096 float16)
// "slab + packRows": CachedSlabs.slab (a fresh rows × d slab, each chunk's tensor decoded into a fresh
// array) then packRows into fresh train/test matrices — what trainProbes did per cell before. "gather":
// CachedSlabs.gather into two matrices reused from cell to cell (one reused read buffer, float16 decoded
// row by row). Cells alternate between the two ways; 15 tokens × 2 layers, 80/20 split, chunks of 64 rows.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { TOKEN_POSITIONS } from '../../src/contract/types';
import { ActivationCache } from '../../src/core/cache/activationCache';
import type { CacheKey } from '../../src/core/cache/cacheKey';
import { CachedSlabs } from '../../src/core/pipeline/cachedSlabs';
import { gatherRows, packRows } from '../../src/core/pipeline/slabSource';
import type { PreparedSequence } from '../../src/core/types';

const [rows = 1000, d = 4096] = process.argv.slice(2, 4).map(Number);
const dtype = (process.argv[4] ?? 'float16') as 'float16' | 'float32';
const LAYERS = 2;
const CHUNK = 64;

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'slab-read-bench-'));
try {
  const sequence = (rowIndex: number): PreparedSequence => ({ rowIndex, ids: [1, 2, rowIndex + 3], qLength: 1, positions: TOKEN_POSITIONS.map(() => 1) });
  const key = { format: 1, dataset: { contentHash: 'bench', columns: {} }, model: {}, sequenceRule: 'bench', options: { location: 'mlp_out', cacheDtype: dtype } } as unknown as CacheKey;
  const cache = ActivationCache.open(root, key);
  for (let first = 0; first < rows; first += CHUNK) {
    const chunkRows = Array.from({ length: Math.min(CHUNK, rows - first) }, (_, i) => first + i);
    const slabs = Array.from({ length: LAYERS }, () => TOKEN_POSITIONS.map(() => Float32Array.from({ length: chunkRows.length * d }, () => Math.random() * 8 - 4)));
    cache.addChunk(chunkRows.map(sequence), slabs, { numLayers: LAYERS, hiddenSize: d, blockKind: 'sequential' }, 'cpu');
  }
  const sequences = Array.from({ length: rows }, (_, i) => sequence(i));
  cache.resolve(sequences);
  const source = new CachedSlabs(cache, sequences, LAYERS, d);
  const nTrain = Math.round(rows * 0.8);
  const train = Array.from({ length: nTrain }, (_, i) => i);
  const test = Array.from({ length: rows - nTrain }, (_, i) => nTrain + i);
  const trainBuffer = new Float32Array(train.length * d);
  const testBuffer = new Float32Array(test.length * d);
  const old: number[] = [];
  const now: number[] = [];
  for (let rep = 0; rep < 2; rep++) {
    for (let layer = 0; layer < LAYERS; layer++) {
      for (let token = 0; token < TOKEN_POSITIONS.length; token++) {
        let t = performance.now();
        const slab = source.slab(layer, token);
        packRows(slab, d, train);
        packRows(slab, d, test);
        if (rep > 0) old.push(performance.now() - t);
        t = performance.now();
        gatherRows(source, layer, token, train, trainBuffer);
        gatherRows(source, layer, token, test, testBuffer);
        if (rep > 0) now.push(performance.now() - t);
      }
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  console.log(`${rows} rows × ${d}, ${dtype} cache, ${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}, load ${os.loadavg()[0].toFixed(2)}`);
  console.log(`| way | per cell, median of ${old.length} | min |`);
  console.log('| --- | --- | --- |');
  console.log(`| slab + packRows (fresh arrays) | ${median(old).toFixed(1)} ms | ${Math.min(...old).toFixed(1)} ms |`);
  console.log(`| gather into reused matrices | ${median(now).toFixed(1)} ms | ${Math.min(...now).toFixed(1)} ms |`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
