// Long stages before the forward passes tell how far they are: the dataset's three passes (encoding
// check, parsing, hashing) as MiB of one total for large files, and tokenising as rows, with rate and
// time left (timedProgress) — a 2 GB CSV or 100,000 rows no longer sit on one unchanging line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { contentHash, readTable } from '../../../src/core/dataset/readTable';
import { readingProgress } from '../../../src/core/pipeline/readingProgress';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from './plantedDataset';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-progress-'));

test('a 4 MiB CSV (1 MiB threshold here, 16 MiB in runs): checking, parsing and hashing reported as MiB of one total, in order, at most once per 1 %', async () => {
  const file = path.join(tempDir(), 'big.csv');
  const row = (i: number): string => `q${i} ${'x'.repeat(100)},answer ${i},${i % 2}\n`;
  const size = 4 * 1024 * 1024;
  const parts = ['question,model_answer,correct\n'];
  for (let i = 0, bytes = parts[0].length; bytes < size; i++) bytes += (parts[parts.length] = row(i)).length;
  fs.writeFileSync(file, parts.join(''));
  const bytes = fs.statSync(file).size;
  const updates: { done: number; total: number; message: string }[] = [];
  const reading = readingProgress((stage, done, total, message) => {
    assert.equal(stage, 'dataset');
    updates.push({ done, total, message });
  }, file, 1024 * 1024);
  const table = await readTable(file, { onBytes: reading.table });
  assert.equal(table.records.length, parts.length - 1);
  await contentHash(file, reading.hash);

  const total = (3 * bytes) / (1024 * 1024);
  assert.ok(updates.length >= 6 && updates.length <= 300, `${updates.length} updates`);
  for (const u of updates) assert.equal(u.total, total);
  for (let i = 1; i < updates.length; i++) assert.ok(updates[i].done > updates[i - 1].done, `update ${i} goes forward`);
  assert.equal(updates[updates.length - 1].done, total);
  const passes = updates.map((u) => /^Reading big\.csv: (checking the encoding|parsing|hashing), [\d,]+\/12 MiB$/.exec(u.message)?.[1]);
  assert.ok(passes.every((p) => p !== undefined), updates.map((u) => u.message).join('\n'));
  assert.deepEqual([...new Set(passes)], ['checking the encoding', 'parsing', 'hashing']);
});

test('a small file reports no byte counts (one "Reading" line is enough)', async () => {
  const file = path.join(tempDir(), 'small.csv');
  fs.writeFileSync(file, 'question,model_answer,correct\nq,a,1\n');
  const updates: string[] = [];
  const reading = readingProgress((_s, _d, _t, message) => updates.push(message), file, 1024 * 1024);
  await readTable(file, { onBytes: reading.table });
  await contentHash(file, reading.hash);
  assert.deepEqual(updates, []);
});

test('tokenising 600 rows reports 256/600 and 512/600 before the forward passes', async () => {
  const datasetFile = plantedDataset(tempDir(), 600);
  const events: { stage: string; message: string }[] = [];
  await runProbe(
    { datasetFile, options: runOptions({ modelFolder: fixtureModel('tiny-llama-unfused-extdata'), sampleLimit: 0, activationCache: false, baselines: false }) },
    { onProgress: (stage, _d, _t, message) => events.push({ stage, message }) },
  );
  const tokenize = events.filter((e) => e.stage === 'tokenize').map((e) => e.message);
  assert.match(tokenize[0], /^Tokenizing 600 rows/);
  // Rate and time left follow once the stage has run 2 s (timedProgress.test.ts).
  assert.match(tokenize[1], /^Tokenizing 256\/600 rows/);
  assert.match(tokenize[2], /^Tokenizing 512\/600 rows/);
  assert.match(tokenize[3], /^Tokenized 600 rows/);
  const firstExtract = events.findIndex((e) => e.stage === 'extract');
  assert.ok(events.findIndex((e) => e.message.startsWith('Tokenizing 512/600')) < firstExtract);
});
