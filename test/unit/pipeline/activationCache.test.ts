import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runCacheCommand } from '../../../src/cli/cacheCommand';
import { runOptions } from '../../../src/contract/runOptions';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import type { CacheManifest } from '../../../src/core/cache/manifest';
import { readSafetensorsHeader, readTensor } from '../../../src/core/cache/safetensors';
import { ActivationSession, LocationUnavailableError } from '../../../src/core/model/activationSession';
import { type RunInput, runProbe, runProbeLocations } from '../../../src/core/pipeline/runProbe';
import { clearCacheFolders, listCacheFolders } from '../../../src/storage/cacheFolders';
import { fixtureModel } from '../../helpers/fixtures';
import { PYTHON, requirePythonModules } from '../../helpers/python';
import { plantedDataset } from './plantedDataset';

const MODEL = fixtureModel('tiny-llama-unfused-extdata');
// These tests are about the activations; the baselines' own cache is tested in test/unit/baselines.
const OPTIONS = runOptions({ modelFolder: MODEL, sampleLimit: 0, baselines: false });
// One chunk per batch of 8 rows, so cancellation and corruption tests have several chunks to work with.
const SMALL_CHUNKS = { chunkBytes: 1, flushMs: 60_000 };

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-cache-'));

/** Counts real model loads and forward passes (the sessions are real onnxruntime sessions). */
function countSessions(): { opens: number; runs: number; locations: string[][]; restore(): void } {
  const counter = { opens: 0, runs: 0, locations: [] as string[][], restore: () => undefined as void };
  const open = ActivationSession.open.bind(ActivationSession);
  const run = ActivationSession.prototype.run;
  ActivationSession.open = (...args) => {
    counter.opens++;
    counter.locations.push([...args[1].locations]);
    return open(...args);
  };
  ActivationSession.prototype.run = function (...args) {
    counter.runs++;
    return run.apply(this, args);
  };
  counter.restore = () => {
    ActivationSession.open = open;
    ActivationSession.prototype.run = run;
  };
  return counter;
}

async function counted<T>(fn: () => Promise<T>): Promise<{ value: T; opens: number; runs: number; locations: string[][] }> {
  const c = countSessions();
  try {
    const value = await fn();
    return { value, opens: c.opens, runs: c.runs, locations: c.locations };
  } finally {
    c.restore();
  }
}

function cacheFolder(root: string, location: string): { dir: string; manifest: CacheManifest } {
  const [name] = fs.readdirSync(root).filter((n) => n.startsWith(`${location}-`));
  assert.ok(name, `a ${location} cache folder in ${fs.readdirSync(root).join(', ')}`);
  const dir = path.join(root, name);
  return { dir, manifest: JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as CacheManifest };
}

test('a re-run with another seed, sample size or split reads the cache: no model load, no forward pass', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 120);
  const cacheDir = path.join(dir, 'cache');
  const base: RunInput = { datasetFile, options: OPTIONS, cacheDir, maxBatchSize: 16 };

  const first = await counted(() => runProbe(base));
  assert.equal(first.opens, 1);
  assert.ok(first.runs > 1);
  // Cached float32 activations are exactly what the model gave: same matrices as a run without a cache.
  const memory = await runProbe({ ...base, cacheDir: undefined });
  assert.deepEqual(first.value.metrics, memory.metrics);

  const { manifest } = cacheFolder(cacheDir, 'mlp_out');
  assert.equal(new Set(manifest.chunks.flatMap((c) => c.rows)).size, 120);
  assert.deepEqual(manifest.positions, [...TOKEN_POSITIONS]);
  assert.equal(manifest.numLayers, 4);
  assert.equal(manifest.hiddenSize, 64);

  const logs: string[] = [];
  const again = await counted(() =>
    runProbe({ ...base, options: { ...OPTIONS, seed: 7, testFraction: 0.25, sampleLimit: 100 } }, { log: (l) => logs.push(l) }),
  );
  assert.equal(again.runs, 0, 'no forward pass');
  assert.equal(again.opens, 0, 'the model is not even loaded');
  assert.equal(again.value.model.provider, 'cpu', 'the provider that computed the cached activations');
  // 100 of the 121 records are sampled; the invalid one, if drawn, is dropped.
  const used = again.value.nTrain + again.value.nTest;
  assert.ok(used >= 99 && used <= 100);
  assert.ok(logs.some((l) => l.includes(`all ${used} rows are cached`)), logs.join('\n'));
  // And it is the same probe grid as running the model again with those settings (up to batch-shape rounding).
  const direct = await runProbe({ ...base, cacheDir: undefined, options: { ...OPTIONS, seed: 7, testFraction: 0.25, sampleLimit: 100 } });
  again.value.metrics.auc.forEach((row, l) => row.forEach((v, t) => assert.ok(Math.abs(v! - direct.metrics.auc[l][t]!) < 1e-3)));
});

test('a cancelled run keeps its finished chunks and the next run extracts only the rest', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 120);
  const cacheDir = path.join(dir, 'cache');
  const base: RunInput = { datasetFile, options: OPTIONS, cacheDir, maxBatchSize: 8, cacheChunkPolicy: SMALL_CHUNKS };

  const controller = new AbortController();
  let batches = 0;
  await assert.rejects(
    runProbe(base, {
      signal: controller.signal,
      onProgress: (stage, done) => {
        if (stage === 'extract' && done > 0 && ++batches === 3) controller.abort();
      },
    }),
    /cancelled/,
  );
  const cached = new Set(cacheFolder(cacheDir, 'mlp_out').manifest.chunks.flatMap((c) => c.rows));
  assert.equal(cached.size, 24, 'three batches of 8 rows were kept');

  const totals: number[] = [];
  const resumed = await counted(() =>
    runProbe(base, { onProgress: (stage, _done, total) => stage === 'extract' && totals.push(total) }),
  );
  assert.deepEqual([...new Set(totals)], [96], 'only the 96 missing rows are extracted');
  assert.equal(resumed.runs, 12);
  const full = await runProbe({ ...base, cacheDir: undefined });
  resumed.value.metrics.auc.forEach((row, l) => row.forEach((v, t) => assert.ok(Math.abs(v! - full.metrics.auc[l][t]!) < 1e-3)));
});

test('a corrupt or missing chunk is detected by its sha256, logged, dropped and extracted again', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 60);
  const cacheDir = path.join(dir, 'cache');
  const base: RunInput = { datasetFile, options: OPTIONS, cacheDir, maxBatchSize: 8, cacheChunkPolicy: SMALL_CHUNKS };
  await runProbe(base);
  const { dir: folder, manifest } = cacheFolder(cacheDir, 'mlp_out');
  const [victim, gone] = manifest.chunks;
  const file = path.join(folder, victim.file);
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 100] ^= 0x40; // one flipped bit in an activation
  fs.writeFileSync(file, bytes);
  fs.rmSync(path.join(folder, gone.file));

  const logs: string[] = [];
  const totals: number[] = [];
  const rerun = await counted(() =>
    runProbe(base, { log: (l) => logs.push(l), onProgress: (stage, _d, total) => stage === 'extract' && totals.push(total) }),
  );
  assert.ok(logs.some((l) => l.includes(`chunk ${victim.file} does not match its sha256 (corrupt); dropped`)), logs.join('\n'));
  assert.ok(logs.some((l) => l.includes(`chunk ${gone.file} is missing; dropped`)), logs.join('\n'));
  assert.deepEqual([...new Set(totals)], [victim.rows.length + gone.rows.length]);
  assert.ok(rerun.runs > 0);
  const after = cacheFolder(cacheDir, 'mlp_out').manifest;
  assert.ok(!after.chunks.some((c) => c.file === victim.file || c.file === gone.file));
  assert.equal(new Set(after.chunks.flatMap((c) => c.rows)).size, 60);
  assert.ok(!fs.existsSync(file), 'the corrupt file is deleted');
});

test('several locations from one pass: switching location later probes from the cache', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 60);
  const cacheDir = path.join(dir, 'cache');
  const base: RunInput = { datasetFile, options: { ...OPTIONS, extraLocations: ['resid_post', 'attn_out'] }, cacheDir };
  const both = await counted(() => runProbeLocations(base));
  assert.deepEqual(
    both.value.map((r) => r.model.location),
    ['mlp_out', 'resid_post', 'attn_out'],
  );
  assert.deepEqual(both.locations, [['mlp_out', 'resid_post', 'attn_out']], 'one session, one pass for all locations');
  const one = await counted(() => runProbe({ datasetFile, options: { ...OPTIONS, location: 'resid_post' }, cacheDir }));
  assert.equal(one.runs, 0);
  assert.equal(one.opens, 0);
  assert.deepEqual(one.value.metrics, both.value[1].metrics);
  assert.equal(one.value.settings.options.location, 'resid_post');
  // mlp_in was never extracted: the model runs again, for that location only.
  const more = await counted(() =>
    runProbe({ datasetFile, options: { ...OPTIONS, location: 'mlp_in', extraLocations: ['mlp_out'] }, cacheDir }),
  );
  assert.ok(more.runs > 0);
  assert.deepEqual(more.locations, [['mlp_in']]);
  assert.equal(listCacheFolders(cacheDir).length, 4);
});

test('float16 caches round to nearest even, read back as float32, and numpy reads a chunk as-is', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 60);
  const cacheDir = path.join(dir, 'cache');
  const base: RunInput = { datasetFile, options: OPTIONS, cacheDir };
  const f32 = await runProbe(base);
  const f16 = await runProbe({ ...base, options: { ...OPTIONS, cacheDtype: 'float16' } });
  assert.equal(listCacheFolders(cacheDir).length, 2, 'the dtype is part of the key');
  // AUC moves in steps of 1/(P·N), one per test (correct, wrong) pair ordered differently. Rounding
  // every activation by ≤ 2^-11 relative moves each score by about that much, which can only reorder
  // pairs whose f32 scores nearly tie: allow 2 such pairs or 1 % of them, whichever is more.
  const positives = f32.test.label.filter((y) => y === 1).length;
  const pairs = positives * (f32.test.label.length - positives);
  const allowed = Math.max(2, Math.floor(0.01 * pairs));
  assert.deepEqual(f16.test.label, f32.test.label, 'same test rows');
  f16.metrics.auc.forEach((row, l) =>
    row.forEach((v, t) => {
      const swapped = Math.abs(v! - f32.metrics.auc[l][t]!) * pairs;
      assert.ok(Math.abs(swapped - Math.round(swapped)) < 1e-6, `layer ${l} ${TOKEN_POSITIONS[t]}: ΔAUC is a whole number of pairs`);
      assert.ok(Math.round(swapped) <= allowed, `layer ${l} ${TOKEN_POSITIONS[t]}: f16 reorders ${Math.round(swapped)} of ${pairs} pairs (allowed ${allowed})`);
    }),
  );

  const folders = listCacheFolders(cacheDir);
  const read = (dtype: string): { rows: Int32Array; values: Float32Array; file: string } => {
    const folder = folders.find((f) => f.dtype === dtype)!;
    const manifest = JSON.parse(fs.readFileSync(path.join(folder.dir, 'manifest.json'), 'utf8')) as CacheManifest;
    const file = path.join(folder.dir, manifest.chunks[0].file);
    const fd = fs.openSync(file, 'r');
    try {
      const header = readSafetensorsHeader(fd, fs.statSync(file).size, file);
      assert.equal(header.tensors.get('layer.2.exact_answer_last')!.dtype, dtype === 'float16' ? 'F16' : 'F32');
      return {
        rows: readTensor(fd, header, 'row_index', file) as Int32Array,
        values: readTensor(fd, header, 'layer.2.exact_answer_last', file) as Float32Array,
        file,
      };
    } finally {
      fs.closeSync(fd);
    }
  };
  const a = read('float32');
  const b = read('float16');
  assert.deepEqual(Array.from(a.rows), Array.from(b.rows));
  const half = new Float32Array(a.values.length);
  // Reference rounding through Math.fround-free float16: decode(encode(x)) must be the nearest half.
  const { float32ArrayToHalfBits } = await import('../../../src/core/cache/float16');
  const { halfBitsToFloat32 } = await import('../../../src/core/onnx/half');
  half.set(halfBitsToFloat32(float32ArrayToHalfBits(a.values).bits));
  assert.deepEqual(Array.from(b.values), Array.from(half));

  requirePythonModules(['numpy']);
  const script =
    'import json,struct,sys\nimport numpy as np\nraw=open(sys.argv[1],"rb").read()\n(n,)=struct.unpack("<Q",raw[:8])\n' +
    'h=json.loads(raw[8:8+n]);d=raw[8+n:]\nt=h["layer.2.exact_answer_last"];b,e=t["data_offsets"]\n' +
    'a=np.frombuffer(d[b:e],dtype="<f2").reshape(t["shape"]).astype(np.float64)\n' +
    'r=h["row_index"];rows=np.frombuffer(d[r["data_offsets"][0]:r["data_offsets"][1]],dtype="<i4")\n' +
    'print(json.dumps({"shape":t["shape"],"values":a.ravel().tolist(),"rows":rows.tolist(),"meta":h["__metadata__"]}))';
  const out = JSON.parse(execFileSync(PYTHON, ['-c', script, b.file], { encoding: 'utf8' })) as {
    shape: number[];
    values: number[];
    rows: number[];
    meta: Record<string, string>;
  };
  assert.deepEqual(out.shape, [b.rows.length, 64]);
  assert.deepEqual(out.values, Array.from(b.values));
  assert.deepEqual(out.rows, Array.from(b.rows));
  assert.deepEqual(JSON.parse(out.meta.positions), [...TOKEN_POSITIONS]);
});

test('the cache command lists and clears only our folders', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 40);
  const cacheDir = path.join(dir, 'cache');
  await runProbe({ datasetFile, options: OPTIONS, cacheDir });
  const foreign = path.join(cacheDir, 'not-ours');
  fs.mkdirSync(foreign);
  fs.writeFileSync(path.join(foreign, 'keep.txt'), 'x');
  const lines: string[] = [];
  assert.equal(runCacheCommand([cacheDir], (t) => lines.push(t)), 0);
  assert.match(lines.join(''), /40 rows\s+mlp_out\s+float32 tiny-llama-unfused-extdata/);
  assert.match(lines.join(''), /total, 1 cache in/);
  assert.equal(runCacheCommand([cacheDir, '--clear'], (t) => lines.push(t)), 0);
  assert.match(lines.at(-1)!, /cleared 1 activation cache \(\d/);
  assert.deepEqual(fs.readdirSync(cacheDir), ['not-ours'], 'unrelated folders are never deleted');
  assert.equal(clearCacheFolders(cacheDir).folders, 0);
});

test('an extra location the model cannot give is dropped alone; the other extras are still cached', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 40);
  const cacheDir = path.join(dir, 'cache');
  // The fixture has sequential blocks; refuse resid_mid as a parallel-block model does (the refusal
  // itself is tested on generated parallel graphs in test/unit/model/graphCoverage.test.ts).
  const open = ActivationSession.open.bind(ActivationSession);
  ActivationSession.open = (modelDir, options) => {
    if (options.locations.includes('resid_mid')) throw new LocationUnavailableError("location 'resid_mid' is not available: the blocks are parallel", 'resid_mid');
    return open(modelDir, options);
  };
  const logs: string[] = [];
  try {
    await runProbe({ datasetFile, options: { ...OPTIONS, extraLocations: ['resid_mid', 'mlp_in'] }, cacheDir }, { log: (l) => logs.push(l) });
  } finally {
    ActivationSession.open = open;
  }
  assert.deepEqual(listCacheFolders(cacheDir).map((f) => f.location).sort(), ['mlp_in', 'mlp_out']);
  assert.ok(logs.some((l) => l.startsWith('extra location resid_mid dropped: ')), logs.join('\n'));
});
