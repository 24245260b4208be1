import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { isRunCancelled } from '../../../src/contract/errors';
import { runOptions } from '../../../src/contract/runOptions';
import type { CacheManifest } from '../../../src/core/cache/manifest';
import { generateAnswers, GenerationRefused } from '../../../src/core/generate/generateAnswers';
import { type RunHooks, type RunInput, runProbe } from '../../../src/core/pipeline/runProbe';
import { clearCacheFolders, listCacheFolders } from '../../../src/storage/cacheFolders';
import { acquireRunLock } from '../../../src/storage/runLock';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from './plantedDataset';

const MODEL = fixtureModel('tiny-llama-unfused-extdata');
const OPTIONS = runOptions({ modelFolder: MODEL, sampleLimit: 0, baselines: false });
const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-lock-run-'));

/** A run's log lines and progress messages. */
function recorder(): { hooks: RunHooks; lines: string[]; progress: { stage: string; message: string }[] } {
  const lines: string[] = [];
  const progress: { stage: string; message: string }[] = [];
  return { lines, progress, hooks: { log: (l) => lines.push(l), onProgress: (stage, _d, _t, message) => progress.push({ stage, message }) } };
}

const WAITING = new RegExp(`^waiting for another Layer Probe run on the mlp_out activation cache \\(pid ${process.pid}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\)$`);

/** Every cache folder under `root` holds no lock, and its manifest lists every row once, each chunk present. */
function assertConsistent(root: string, rows: number): void {
  const folders = fs.readdirSync(root).map((n) => path.join(root, n));
  for (const dir of folders) assert.ok(!fs.existsSync(path.join(dir, 'run.lock')), `${dir}: lock released`);
  const activation = folders.filter((d) => path.basename(d).startsWith('mlp_out-'));
  assert.equal(activation.length, 1);
  const manifest = JSON.parse(fs.readFileSync(path.join(activation[0], 'manifest.json'), 'utf8')) as CacheManifest;
  const listed = manifest.chunks.flatMap((c) => c.rows);
  assert.equal(listed.length, rows, 'no row extracted twice');
  assert.equal(new Set(listed).size, rows);
  for (const c of manifest.chunks) assert.equal(fs.statSync(path.join(activation[0], c.file)).size, c.bytes);
  const chunkFiles = fs.readdirSync(activation[0]).filter((n) => n.endsWith('.safetensors'));
  assert.equal(chunkFiles.length, manifest.chunks.length, 'no unlisted chunk');
}

test('two runs on one cache at once: the second waits (saying for whom), then reads what the first cached; same results', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 120);
  const cacheDir = path.join(dir, 'cache');
  // With the baselines, whose folder is locked too.
  const base: RunInput = { datasetFile, options: { ...OPTIONS, baselines: true }, cacheDir, maxBatchSize: 8, lockPollMs: 20 };
  const a = recorder();
  const b = recorder();
  const [ra, rb] = await Promise.all([runProbe(base, a.hooks), runProbe(base, b.hooks)]);
  const waited = [a, b].filter((r) => r.lines.some((l) => WAITING.test(l)));
  assert.equal(waited.length, 1, `exactly one run waited:\n${a.lines.join('\n')}\n---\n${b.lines.join('\n')}`);
  const [second] = waited;
  assert.ok(second.lines.some((l) => /^all 120 rows are cached for mlp_out: no forward pass/.test(l)), second.lines.join('\n'));
  assert.ok(second.lines.some((l) => /^the mlp_out activation cache: the other run is done after \d+ s; continuing$/.test(l)));
  assert.ok(second.progress.some((p) => p.stage === 'dataset' && /^Waiting for another Layer Probe run on the mlp_out activation cache \(pid \d+/.test(p.message)));
  // The first run took the baselines' lock when it released the activations': the second reads its scores.
  assert.ok(second.lines.some((l) => /^baselines: 24 of 24 test rows cached/.test(l)), second.lines.join('\n'));
  assert.deepEqual(rb.metrics, ra.metrics);
  assert.deepEqual(rb.baselines, ra.baselines);
  assertConsistent(cacheDir, 120);
});

test('runs on different caches do not wait for each other', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 60);
  const a = recorder();
  const b = recorder();
  const input = (cache: string): RunInput => ({ datasetFile, options: OPTIONS, cacheDir: path.join(dir, cache), maxBatchSize: 8, lockPollMs: 20 });
  const [ra, rb] = await Promise.all([runProbe(input('cache-a'), a.hooks), runProbe(input('cache-b'), b.hooks)]);
  for (const r of [a, b]) {
    assert.ok(!r.lines.some((l) => l.startsWith('waiting for')), r.lines.join('\n'));
    assert.ok(r.lines.some((l) => l.startsWith('activation cache mlp_out: 0 of 60 rows cached')), 'each extracted its own');
  }
  assert.deepEqual(rb.metrics, ra.metrics);
  assertConsistent(path.join(dir, 'cache-a'), 60);
  assertConsistent(path.join(dir, 'cache-b'), 60);
});

test('a lock left by a killed run is taken over (logged); cancelling while another run holds the cache stops the wait', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 40);
  const cacheDir = path.join(dir, 'cache');
  const base: RunInput = { datasetFile, options: OPTIONS, cacheDir, maxBatchSize: 8, lockPollMs: 20 };
  const first = await runProbe(base);
  const [folder] = fs.readdirSync(cacheDir).filter((n) => n.startsWith('mlp_out-'));
  const lockFile = path.join(cacheDir, folder, 'run.lock');

  // A worker process killed mid-run (VS Code's Cancel) leaves its lock behind.
  const dead = spawnSync(process.execPath, ['-e', '']).pid;
  fs.writeFileSync(lockFile, JSON.stringify({ pid: dead, hostname: os.hostname(), startedAt: new Date().toISOString(), purpose: 'probe', token: 'dead' }));
  const r = recorder();
  const again = await runProbe(base, r.hooks);
  assert.ok(
    r.lines.includes(`the mlp_out activation cache: took over the lock of a run that ended without releasing it (pid ${dead} on ${os.hostname()} is no longer running)`),
    r.lines.join('\n'),
  );
  assert.ok(!r.lines.some((l) => l.startsWith('waiting for')));
  assert.deepEqual(again.metrics, first.metrics);
  assert.ok(!fs.existsSync(lockFile));

  // Another (live) run holds the cache: the waiting run is cancelled from its progress message.
  const held = await acquireRunLock(lockFile, 'the mlp_out activation cache', 'probe');
  const abort = new AbortController();
  const messages: string[] = [];
  await assert.rejects(
    runProbe(base, {
      signal: abort.signal,
      onProgress: (_stage, _d, _t, message) => {
        messages.push(message);
        if (message.startsWith('Waiting for another Layer Probe run')) abort.abort();
      },
    }),
    (err: Error) => isRunCancelled(err) && /cancelled while waiting for another Layer Probe run on the mlp_out activation cache/.test(err.message),
  );
  assert.ok(!messages.some((m) => m.startsWith('Tokenizing')), 'nothing after the wait ran');
  assert.ok(fs.existsSync(lockFile), 'the holder keeps its lock');

  // Clearing the caches keeps the folder a live run holds, and says by whom.
  const [listed] = listCacheFolders(cacheDir).filter((f) => f.dir.endsWith(folder));
  assert.match(listed.inUseBy ?? '', new RegExp(`^pid ${process.pid}, started `));
  const cleared = clearCacheFolders(cacheDir);
  assert.deepEqual(cleared.inUse.map((f) => path.basename(f.dir)), [folder]);
  assert.ok(fs.existsSync(path.join(cacheDir, folder, 'manifest.json')));
  held.release();
  assert.equal(clearCacheFolders(cacheDir).folders, 1);
  assert.ok(!fs.existsSync(cacheDir));
});

test('two generations to one answers file: the second waits, then says the first completed it', async () => {
  const outFile = path.join(tempDir(), 'answers.jsonl');
  const options = { questionsFile: fixtureDataset('toy-facts', 'facts_questions_only.jsonl'), modelDir: fixtureModel('toy-facts-llama'), limit: 16, outFile, lockPollMs: 20 };
  const held = await acquireRunLock(`${outFile}.lock`, 'x', 'generate');
  const lines: string[] = [];
  const waiting: string[] = [];
  const second = generateAnswers({ ...options, log: (l) => lines.push(l), onWaiting: (m) => waiting.push(m) });
  await new Promise((r) => setTimeout(r, 100));
  assert.match(waiting[0] ?? '', /^waiting for another Layer Probe run on the answers file .*answers\.jsonl \(pid \d+, started /);
  assert.ok(!fs.existsSync(`${outFile}.partial`), 'nothing written while waiting');
  held.release();
  assert.equal((await second).rows.length, 16, 'then it generates');
  assert.ok(lines.some((l) => /the other run is done after/.test(l)));

  const [a, b] = await Promise.allSettled([generateAnswers({ ...options, outFile: `${outFile}.2.jsonl` }), generateAnswers({ ...options, outFile: `${outFile}.2.jsonl` })]);
  const done = [a, b].filter((s) => s.status === 'fulfilled');
  const refused = [a, b].filter((s): s is PromiseRejectedResult => s.status === 'rejected');
  assert.equal(done.length, 1);
  assert.equal(refused.length, 1);
  assert.ok(refused[0].reason instanceof GenerationRefused, String(refused[0].reason));
  assert.match((refused[0].reason as Error).message, /answers\.jsonl\.2\.jsonl was completed by the other Layer Probe run this one waited for: probe it, or delete it to generate again/);
  assert.ok(!fs.existsSync(`${outFile}.2.jsonl.lock`));
});
