import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { cacheBytes } from '../../../src/core/cache/cacheSize';
import type { CacheManifest } from '../../../src/core/cache/manifest';
import { ActivationSession } from '../../../src/core/model/activationSession';
import { CACHE_SPACE_MARGIN_BYTES, checkCacheSpace, planCacheSpace } from '../../../src/core/pipeline/cacheSpace';
import { PipelineError } from '../../../src/core/pipeline/errors';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { listCacheFolders } from '../../../src/storage/cacheFolders';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from './plantedDataset';

const MODEL = fixtureModel('tiny-llama-unfused-extdata'); // 4 layers × 64, fp32 weights
const OPTIONS = runOptions({ modelFolder: MODEL, sampleLimit: 0, baselines: false });
const MiB = 1024 * 1024;
const disk = (freeBytes: number) => () => ({ bsize: 1, bavail: freeBytes });

test('cache size: rows × layers × 15 positions × hidden × bytes per value, plus 72 bytes of row bookkeeping', () => {
  assert.equal(TOKEN_POSITIONS.length, 15);
  // An 8B shape: 32 layers × 4096, 1,000 rows.
  assert.equal(cacheBytes({ rows: 1000, numLayers: 32, hiddenSize: 4096, dtype: 'float32' }), 1000 * (32 * 15 * 4096 * 4 + 72));
  assert.equal(cacheBytes({ rows: 1000, numLayers: 32, hiddenSize: 4096, dtype: 'float16' }), 1000 * (32 * 15 * 4096 * 2 + 72));
  assert.equal(cacheBytes({ rows: 0, numLayers: 32, hiddenSize: 4096, dtype: 'float16' }), 0);
});

test('a cache that does not fit (with the margin) is refused naming the folder, bytes needed and free, and what to do', () => {
  const shape = { rows: 1000, numLayers: 32, hiddenSize: 4096, dtype: 'float32' as const };
  const needed = cacheBytes(shape);
  const plan = planCacheSpace('/data/cache', [{ location: 'mlp_out', shape }], disk(needed + 8192));
  assert.equal(plan.bytes, needed);
  assert.equal(plan.free, needed + 8192);
  assert.throws(
    () => checkCacheSpace(plan),
    (err: Error) => {
      assert.ok(err instanceof PipelineError);
      assert.match(err.message, /activation cache in \/data\/cache/);
      assert.match(err.message, new RegExp(`would write 7\\.3 GB \\(${needed.toLocaleString('en-US')} bytes\\)`));
      assert.match(err.message, new RegExp(`\\(${(needed + 8192).toLocaleString('en-US')} bytes\\) is free`));
      assert.match(err.message, /mlp_out: 1,000 rows × 32 layers × 15 positions × 4,096 × 4 bytes \(float32\)/);
      assert.match(err.message, /256\.0 MB is kept spare/);
      for (const way of ['--cache-dir', '--cache-dtype float16', '--samples', '--no-cache']) assert.ok(err.message.includes(way), way);
      return true;
    },
  );
  // Exactly the margin left over fits; a float16 cache is not told to use float16.
  checkCacheSpace(planCacheSpace('/data/cache', [{ location: 'mlp_out', shape }], disk(needed + CACHE_SPACE_MARGIN_BYTES + 4096)));
  const half = { ...shape, dtype: 'float16' as const };
  assert.throws(() => checkCacheSpace(planCacheSpace('/d', [{ location: 'mlp_out', shape: half }], disk(0))), (err: Error) => !err.message.includes('--cache-dtype float16'));
  // Two locations on one disk add up.
  const two = planCacheSpace('/d', [{ location: 'mlp_out', shape }, { location: 'resid_post', shape: half }], disk(2 ** 40));
  assert.equal(two.bytes, needed + cacheBytes(half));
  // A file system that will not say its free space is not a reason to refuse.
  const unknown = planCacheSpace('/d', [{ location: 'mlp_out', shape }], () => {
    throw new Error('ENOSYS');
  });
  assert.equal(unknown.free, undefined);
  checkCacheSpace(unknown);
});

test('a run on a full disk is refused before any forward pass; rows already cached do not count', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-space-'));
  const datasetFile = plantedDataset(dir, 60);
  const cacheDir = path.join(dir, 'cache');
  const perRow = cacheBytes({ rows: 1, numLayers: 4, hiddenSize: 64, dtype: 'float32' });

  let runs = 0;
  const run = ActivationSession.prototype.run;
  ActivationSession.prototype.run = function (...args) {
    runs++;
    return run.apply(this, args);
  };
  try {
    const lines: string[] = [];
    await assert.rejects(
      runProbe({ datasetFile, options: OPTIONS, cacheDir, cacheStatfs: disk(100 * MiB) }, { log: (l) => lines.push(l) }),
      (err: Error) => err instanceof PipelineError && err.message.includes(cacheDir) && err.message.includes(`${(60 * perRow).toLocaleString('en-US')} bytes`),
    );
    assert.equal(runs, 0, 'no forward pass');
    assert.ok(lines.some((l) => l.includes(`this run writes`) && l.includes('60 rows × 4 layers × 15 positions × 64 × 4 bytes (float32)')), lines.join('\n'));

    // With room: the progress line states the cache and the free space; what is written matches the estimate
    // up to each chunk's safetensors header.
    const messages: string[] = [];
    await runProbe({ datasetFile, options: OPTIONS, cacheDir, cacheStatfs: disk(2 ** 40) }, { onProgress: (_stage, _done, _total, message) => messages.push(message) });
    assert.ok(messages.some((m) => /^Forward passes .*\(cache 904\.2 KB, 1\.0 TB free\)/.test(m)), messages.join('\n'));
    const [folder] = listCacheFolders(cacheDir);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder.dir, 'manifest.json'), 'utf8')) as CacheManifest;
    const headers = manifest.chunks.reduce((sum, c) => {
      const fd = fs.openSync(path.join(folder.dir, c.file), 'r');
      const len = Buffer.alloc(8);
      fs.readSync(fd, len, 0, 8, 0);
      fs.closeSync(fd);
      return sum + 8 + Number(len.readBigUInt64LE(0));
    }, 0);
    assert.equal(manifest.chunks.reduce((sum, c) => sum + c.bytes, 0), 60 * perRow + headers);

    // Everything cached: nothing left to write, so a full disk does not stop a re-run.
    const before = runs;
    await runProbe({ datasetFile, options: { ...OPTIONS, seed: 3 }, cacheDir, cacheStatfs: disk(0) });
    assert.equal(runs, before);
  } finally {
    ActivationSession.prototype.run = run;
  }
});
