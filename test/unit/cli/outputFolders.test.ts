// Output and cache folders are made and checked before any work, failures said in words: which path,
// what is wrong, what to do — never raw errno text, never a hang, never a write into the model folder.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { describeFsError, makeFolder, makeWritableFolder } from '../../../src/storage/makeFolder';
import { fixtureModel } from '../../helpers/fixtures';

const CLI = path.resolve('dist', 'cli.js');
const MODEL = fixtureModel('tiny-llama-unfused-extdata');

function workDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-folders-'));
  fs.writeFileSync(path.join(dir, 'data.jsonl'), '{"question":"q","model_answer":"a","correct":1}\n');
  return dir;
}

test('makeFolder creates the missing levels, and names the level that is a file', () => {
  const dir = workDir();
  makeFolder(path.join(dir, 'a', 'b', 'c'), 'the --out folder');
  assert.ok(fs.statSync(path.join(dir, 'a', 'b', 'c')).isDirectory());
  makeFolder(path.join(dir, 'a', 'b', 'c'), 'the --out folder'); // exists already: fine
  const file = path.join(dir, 'data.jsonl');
  assert.throws(() => makeFolder(path.join(file, 'out'), 'the --out folder'), {
    name: 'FolderError',
    message: `cannot create the --out folder ${file}/out: ${file}/out: a part of the path is a file, not a folder (ENOTDIR); choose a folder you can write to`,
  });
  assert.throws(() => makeWritableFolder(file, 'the activation cache folder'), { message: `cannot create the activation cache folder ${file}: ${file} is a file, not a folder; choose a folder you can write to` });
  assert.equal(describeFsError(Object.assign(new Error('x'), { code: 'EROFS' })), 'the file system is read-only (EROFS)');
  assert.equal(describeFsError(Object.assign(new Error('x'), { code: 'ENOSPC' })), 'the disk is full (ENOSPC)');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('the CLI refuses --out and --cache-dir it cannot create at once, in words, without a hang (also under /proc)', () => {
  const dir = workDir();
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'probe', 'data.jsonl', '--model', MODEL, ...args], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
  const proc = run('--out', '/proc/layer-probe-out');
  assert.equal(proc.signal, null, 'no hang: fs.mkdirSync({ recursive: true }) never returns under /proc');
  assert.equal(proc.status, 1);
  assert.equal(proc.stderr.trim(), 'layer-probe: cannot create the --out folder /proc/layer-probe-out: /proc/layer-probe-out: a part of the path does not exist (ENOENT); choose a folder you can write to');
  const notDir = run('--out', 'data.jsonl/out');
  assert.equal(notDir.status, 1);
  assert.match(notDir.stderr, /cannot create the --out folder .*data\.jsonl\/out: .*a part of the path is a file, not a folder \(ENOTDIR\)/);
  // A cache folder that cannot be made fails before the model loads, and the run's new --out folder goes again.
  const cache = run('--out', 'out', '--cache-dir', '/proc/layer-probe-cache');
  assert.equal(cache.status, 1);
  assert.equal(cache.stderr.trim(), 'layer-probe: cannot create the activation cache folder (--cache-dir) /proc/layer-probe-cache: /proc/layer-probe-cache: a part of the path does not exist (ENOENT); choose a folder you can write to');
  assert.ok(!fs.existsSync(path.join(dir, 'out')), 'the empty --out folder was removed again');
  for (const r of [proc, notDir, cache]) assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('no output or cache folder inside the model folder (also through a symlink)', () => {
  const dir = workDir();
  const link = path.join(dir, 'model-link');
  fs.symlinkSync(MODEL, link);
  const before = fs.readdirSync(MODEL).sort();
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'probe', 'data.jsonl', '--model', MODEL, ...args], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
  const out = run('--out', path.join(link, 'out'));
  assert.equal(out.status, 2);
  assert.match(out.stderr, new RegExp(`--out ${link}/out is inside the model folder ${MODEL}: a run never writes into its inputs; choose a folder outside it`));
  const cache = run('--out', 'out', '--cache-dir', path.join(link, 'cache'));
  assert.equal(cache.status, 2);
  assert.match(cache.stderr, /the activation cache folder .*model-link\/cache is inside the model folder/);
  assert.deepEqual(fs.readdirSync(MODEL).sort(), before, 'nothing written into the model folder');
  fs.rmSync(dir, { recursive: true, force: true });
});

test('generate refuses an answers file inside the model folder, before loading it', () => {
  const dir = workDir();
  fs.writeFileSync(path.join(dir, 'q.jsonl'), '{"question":"What is the capital of X?","answer":"Y"}\n');
  const toy = fixtureModel('toy-facts-llama');
  const before = fs.readdirSync(toy).sort();
  const run = spawnSync(process.execPath, [CLI, 'generate', 'q.jsonl', '--model', toy, '--dataset-kind', 'qa', '--out', path.join(toy, 'answers.jsonl')], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
  assert.equal(run.status, 2);
  assert.match(run.stderr, new RegExp(`the answers file ${toy}/answers\\.jsonl is inside the model folder ${toy}: a run never writes into its inputs`));
  assert.deepEqual(fs.readdirSync(toy).sort(), before);
  fs.rmSync(dir, { recursive: true, force: true });
});
