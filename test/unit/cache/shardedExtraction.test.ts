import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runCacheCommand } from '../../../src/cli/cacheCommand';
import { runExtractCommand } from '../../../src/cli/extractCommand';
import { UsageError } from '../../../src/cli/usageError';
import type { ProbeResult } from '../../../src/contract/result';
import { runOptions } from '../../../src/contract/runOptions';
import type { CacheManifest } from '../../../src/core/cache/manifest';
import { CacheMergeError, mergeCacheRoots } from '../../../src/core/cache/mergeCaches';
import { extractShard } from '../../../src/core/pipeline/extractShard';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { parseShard, shardPositions } from '../../../src/core/pipeline/shard';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from '../pipeline/plantedDataset';

const MODEL = fixtureModel('tiny-llama-unfused-extdata');
const OPTIONS = runOptions({ modelFolder: MODEL, sampleLimit: 0, baselines: false });
// A chunk per batch, so merging and the shared manifest see more than one entry each.
const SMALL_CHUNKS = { chunkBytes: 1, flushMs: 60_000 };

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-shards-'));

function manifests(root: string): CacheManifest[] {
  return fs
    .readdirSync(root)
    .filter((n) => fs.existsSync(path.join(root, n, 'manifest.json')))
    .map((n) => JSON.parse(fs.readFileSync(path.join(root, n, 'manifest.json'), 'utf8')) as CacheManifest);
}

function assertSameResult(actual: ProbeResult, expected: ProbeResult): void {
  assert.equal(actual.model.forwardPassRows, 0, 'the probe run reads every row from the cache');
  // Bit-equal: the same cached float32 activations, the same probes.
  assert.deepEqual(actual.metrics, expected.metrics);
  assert.deepEqual([actual.nTrain, actual.nTest], [expected.nTrain, expected.nTest]);
}

async function shard(datasetFile: string, cacheDir: string, spec: string, options = OPTIONS): Promise<Awaited<ReturnType<typeof extractShard>>> {
  // Batches of 8 (the unsharded runs use the default 32): a row's activations do not depend on its batch.
  return extractShard({ datasetFile, options, cacheDir, shard: parseShard(spec), cacheChunkPolicy: SMALL_CHUNKS, maxBatchSize: 8 });
}

test('two shards into separate folders, merged, then one probe run from the cache: the unsharded result, no forward pass', async () => {
  const dir = tempDir();
  const file = plantedDataset(dir, 60);
  const reference = await runProbe({ datasetFile: file, options: OPTIONS, cacheDir: path.join(dir, 'unsharded') });
  assert.ok((reference.model.forwardPassRows ?? 0) > 0);

  const a = await shard(file, path.join(dir, 'machine-a'), '0/2');
  const b = await shard(file, path.join(dir, 'machine-b'), '1/2');
  assert.equal(a.runRows, b.runRows);
  assert.equal(a.shardRows + b.shardRows, a.runRows, 'the two shards make the whole run');
  assert.deepEqual([a.forwardPassRows, b.forwardPassRows], [a.shardRows, b.shardRows]);
  assert.equal(a.shardRows, Math.ceil(a.runRows / 2));

  const merged = path.join(dir, 'merged');
  const lines: string[] = [];
  assert.equal(await runCacheCommand(['merge', path.join(dir, 'machine-a'), path.join(dir, 'machine-b'), '--into', merged], (t) => lines.push(t)), 0);
  assert.match(lines.join(''), new RegExp(`mlp_out\\s+${a.runRows} rows \\(${a.runRows} added; \\d+ chunks copied, 0 rewritten, 0 already present\\)`));
  const [m] = manifests(merged);
  assert.equal(new Set(m.chunks.flatMap((c) => c.rows)).size, a.runRows);
  assert.equal(m.chunks.flatMap((c) => c.rows).length, a.runRows, 'each row once');

  // The sources are only read: their manifests and chunks are as the shards left them.
  const before = fs.readdirSync(path.join(dir, 'machine-a'), { recursive: true }).sort();
  const again = await mergeCacheRoots([path.join(dir, 'machine-a'), path.join(dir, 'machine-b')], merged);
  assert.deepEqual(
    again.map((r) => [r.rowsAdded, r.chunksCopied, r.chunksRewritten]),
    [[0, 0, 0]],
    'merging again adds nothing',
  );
  assert.deepEqual(fs.readdirSync(path.join(dir, 'machine-a'), { recursive: true }).sort(), before);

  const fromCache = await runProbe({ datasetFile: file, options: OPTIONS, cacheDir: merged });
  assertSameResult(fromCache, reference);
});

test('two shards into one shared folder (one manifest, both shards at once), then a probe run: the unsharded result', async () => {
  const dir = tempDir();
  const file = plantedDataset(dir, 60);
  const reference = await runProbe({ datasetFile: file, options: OPTIONS, cacheDir: path.join(dir, 'unsharded') });
  const shared = path.join(dir, 'shared');
  // Concurrently, as two machines would: each holds its own shard lock, the manifest lock only per chunk.
  const [a, b] = await Promise.all([shard(file, shared, '0/2'), shard(file, shared, '1/2')]);
  assert.equal(a.forwardPassRows + b.forwardPassRows, a.runRows);
  const [m] = manifests(shared);
  assert.ok(m.chunks.length >= 4, `chunks of both shards are listed (${m.chunks.length})`);
  assert.equal(new Set(m.chunks.flatMap((c) => c.rows)).size, a.runRows);
  for (const folder of fs.readdirSync(shared)) assert.deepEqual(fs.readdirSync(path.join(shared, folder)).filter((n) => n.includes('.lock')), [], 'no lock is left');

  const fromCache = await runProbe({ datasetFile: file, options: OPTIONS, cacheDir: shared });
  assertSameResult(fromCache, reference);
});

test('merge refuses shards whose cache keys differ, naming the fields, and writes nothing', async () => {
  const dir = tempDir();
  const file = plantedDataset(dir, 20);
  // Machine b has its own copy of the model, at another path and with new modification times.
  const copy = path.join(dir, 'model-copy');
  fs.cpSync(MODEL, copy, { recursive: true });
  await shard(file, path.join(dir, 'a'), '0/2');
  await shard(file, path.join(dir, 'b'), '1/2', { ...OPTIONS, modelFolder: copy });
  const into = path.join(dir, 'merged');
  await assert.rejects(mergeCacheRoots([path.join(dir, 'a'), path.join(dir, 'b')], into), (err: Error) => {
    assert.ok(err instanceof CacheMergeError);
    assert.match(err.message, /refused: the sources' activation caches were not made by shards of one extraction/);
    assert.match(err.message, /a\/mlp_out-[0-9a-f]{16} and .*b\/mlp_out-[0-9a-f]{16} \(mlp_out\) have different cache keys/);
    assert.ok(err.message.includes(`model.modelFile: ${JSON.stringify(path.join(MODEL, 'model.onnx'))} vs ${JSON.stringify(path.join(copy, 'model.onnx'))}`), err.message);
    assert.match(err.message, /model\.files\[model\.onnx\.data\]\.mtimeMs: \d+(\.\d+)? vs \d+/);
    assert.match(err.message, /rsync -a/);
    return true;
  });
  assert.equal(fs.existsSync(into), false, 'nothing was written');

  // Another option that changes activations is named the same way.
  await shard(file, path.join(dir, 'c'), '1/2', { ...OPTIONS, cacheDtype: 'float16' });
  await assert.rejects(mergeCacheRoots([path.join(dir, 'a'), path.join(dir, 'c')], into), /options\.cacheDtype: "float32" vs "float16"/);
  // A corrupt chunk is named before anything is merged.
  const [folder] = fs.readdirSync(path.join(dir, 'a'));
  const [m] = manifests(path.join(dir, 'a'));
  const victim = path.join(dir, 'a', folder, m.chunks[0].file);
  const bytes = fs.readFileSync(victim);
  bytes[bytes.length - 1] ^= 1;
  fs.writeFileSync(victim, bytes);
  await assert.rejects(mergeCacheRoots([path.join(dir, 'a')], into), (err: Error) => {
    assert.ok(err.message.startsWith(`${victim} does not match its sha256 (corrupt): nothing was merged`), err.message);
    return true;
  });
  assert.equal(fs.existsSync(into), false);
  await assert.rejects(mergeCacheRoots([path.join(dir, 'a')], path.join(dir, 'a')), /is both a source and --into: the sources are never modified/);
});

test('a partly present chunk is rewritten with only its new rows: each row is kept once', async () => {
  const dir = tempDir();
  const file = plantedDataset(dir, 30);
  // One chunk with every row (unsharded) and the shard 0 of 2: merging both keeps each row once.
  await shard(file, path.join(dir, 'half'), '0/3');
  await extractShard({ datasetFile: file, options: OPTIONS, cacheDir: path.join(dir, 'whole'), shard: parseShard('0/1') });
  const merged = await mergeCacheRoots([path.join(dir, 'half'), path.join(dir, 'whole')], path.join(dir, 'merged'));
  assert.equal(merged[0].chunksRewritten, 1);
  const [m] = manifests(path.join(dir, 'merged'));
  const rows = m.chunks.flatMap((c) => c.rows);
  assert.equal(rows.length, new Set(rows).size);
  const fromCache = await runProbe({ datasetFile: file, options: OPTIONS, cacheDir: path.join(dir, 'merged') });
  const reference = await runProbe({ datasetFile: file, options: OPTIONS, cacheDir: path.join(dir, 'whole') });
  assertSameResult(fromCache, reference);
});

test('--shard: i/n with integers 0 ≤ i < n (0-based), anything else refused saying so', async () => {
  assert.deepEqual(parseShard('0/2'), { index: 0, count: 2 });
  assert.deepEqual(parseShard(' 3/4 '), { index: 3, count: 4 });
  assert.deepEqual(shardPositions(7, { index: 1, count: 3 }), [1, 4]);
  for (const [text, message] of [
    ['2/2', /--shard must be i\/n with integers 0 ≤ i < n \(i is 0-based: shards 0\/2 and 1\/2 make a whole\); "2\/2" has i = 2, but the last of 2 shards is 1\/2/],
    ['1/0', /"1\/0" has n = 0/],
    ['-1/2', /--shard must be i\/n .*got "-1\/2"/],
    ['1.5/2', /got "1\.5\/2"/],
    ['a/b', /got "a\/b"/],
    ['3', /got "3"/],
    ['', /got ""/],
  ] as const) {
    await assert.rejects(runExtractCommand(['data.jsonl', '--model', MODEL, '--cache-dir', '/tmp/never', `--shard=${text}`]), (err: Error) => {
      assert.ok(err instanceof UsageError, `${text}: ${err.message}`);
      assert.match(err.message, message);
      return true;
    });
  }
  await assert.rejects(runExtractCommand(['data.jsonl', '--model', MODEL, '--cache-dir', '/tmp/never']), /--shard i\/n is required \(0-based/);
  await assert.rejects(runExtractCommand(['data.jsonl', '--model', MODEL, '--shard', '0/2']), /--cache-dir <dir> is required/);
  await assert.rejects(runExtractCommand(['data.jsonl', '--model', MODEL, '--shard', '0/2', '--cache-dir', '/tmp/x', '--no-cache']), /--no-cache cannot be used/);
  assert.equal(fs.existsSync('/tmp/never'), false);
});
