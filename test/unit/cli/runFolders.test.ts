// Runs as folders, through the real dist/cli.js: a new folder per run by default, `runs` lists them, an
// --out holding a result is refused unless --force, and no output ever replaces the dataset.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { parseProbeResult } from '../../../src/contract/result';
import { createRunFolder, listRuns, runFolderName } from '../../../src/storage/runFolders';
import { fixtureModel } from '../../helpers/fixtures';

const CLI = path.resolve('dist', 'cli.js');
const MODEL = fixtureModel('tiny-llama-unfused-extdata');

/** A 40-row answered dataset (both labels) in a fresh folder, which is also the CLI's working folder. */
function workspace(name = 'data.jsonl'): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-runs-'));
  const lines = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ question: `Q: item ${i}?\nA:`, model_answer: ` ${i % 2 ? 'yes' : 'no'}\n`, correct: i % 2, exact_answer: i % 2 ? 'yes' : 'no' }),
  );
  const file = path.join(dir, name);
  fs.writeFileSync(file, lines.join('\n'));
  return { dir, file };
}

const cli = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });
const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('each run gets its own folder under ./layer-probe-runs, sharing one activation cache; `runs` lists them newest first', () => {
  const { dir } = workspace();
  const first = cli(dir, 'probe', 'data.jsonl', '--model', MODEL);
  assert.equal(first.status, 0, first.stderr);
  const second = cli(dir, 'probe', 'data.jsonl', '--model', MODEL, '--seed', '3');
  assert.equal(second.status, 0, second.stderr);
  // The second run read every activation from the first run's cache, beside the run folders.
  assert.match(second.stderr, /activation cache: .*layer-probe-runs[\\/]\.layer-probe-cache/);
  assert.match(second.stderr, /all 40 rows are cached for mlp_out: no forward pass/);

  const root = path.join(dir, 'layer-probe-runs');
  const folders = fs.readdirSync(root).filter((n) => !n.startsWith('.')).sort();
  assert.equal(folders.length, 2, folders.join(', '));
  for (const folder of folders) {
    assert.match(folder, /^tiny-llama-unfused-extdata-data-mlp_out-\d{8}-\d{6}(-\d+)?$/);
    assert.deepEqual(fs.readdirSync(path.join(root, folder)).sort(), ['baselines.csv', 'heatmap.csv', 'heatmap.html', 'heatmap.svg', 'result.json']);
  }
  // Each printed result path is in its own folder, and the results differ by their seed.
  const printed = [first, second].map((r) => /^result: +(.*)$/m.exec(r.stdout)?.[1]);
  assert.notEqual(path.dirname(printed[0]!), path.dirname(printed[1]!));
  const seeds = printed.map((file) => parseProbeResult(fs.readFileSync(file!, 'utf8')).settings.options.seed);
  assert.deepEqual(seeds, [0, 3]);

  const listing = cli(dir, 'runs');
  assert.equal(listing.status, 0, listing.stderr);
  const lines = listing.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^date \(UTC\) +model +dataset +location +test +best cell \(AUC\) +best baseline +folder$/);
  assert.equal(lines.length, 4, listing.stdout);
  // Newest first: the seed-3 run's folder is listed first.
  assert.ok(lines[1].endsWith(path.basename(path.dirname(printed[1]!))), lines[1]);
  assert.ok(lines[2].endsWith(path.basename(path.dirname(printed[0]!))), lines[2]);
  for (const line of lines.slice(1, 3)) assert.match(line, /tiny-llama-unfused-extdata +data\.jsonl +mlp_out +8 +\d\.\d{3} L\d+ \S+ +\d\.\d{3} \S+ +tiny-llama/);
  assert.equal(lines[3], `2 runs in ${fs.realpathSync(root)}`);
  assert.equal(cli(dir, 'runs', 'nowhere').stdout, `no runs in ${path.join(fs.realpathSync(dir), 'nowhere')}\n`);
});

test('an --out that holds a result is refused before any work unless --force', () => {
  const { dir } = workspace();
  assert.equal(cli(dir, 'probe', 'data.jsonl', '--model', MODEL, '--out', 'out').status, 0);
  const before = sha(path.join(dir, 'out', 'result.json'));
  const again = cli(dir, 'probe', 'data.jsonl', '--model', MODEL, '--out', 'out');
  assert.equal(again.status, 2);
  assert.match(again.stderr, /--out out already holds a result \(result\.json\): pass --force to replace it, or leave --out out for a new run folder/);
  assert.doesNotMatch(again.stderr, /\[extract\]|\[model\]/, 'refused before any work');
  assert.equal(sha(path.join(dir, 'out', 'result.json')), before);
  const forced = cli(dir, 'probe', 'data.jsonl', '--model', MODEL, '--out', 'out', '--force', '--seed', '5');
  assert.equal(forced.status, 0, forced.stderr);
  assert.equal(parseProbeResult(fs.readFileSync(path.join(dir, 'out', 'result.json'), 'utf8')).settings.options.seed, 5);
  // A file where the folder should be.
  fs.writeFileSync(path.join(dir, 'taken'), 'x');
  const file = cli(dir, 'probe', 'data.jsonl', '--model', MODEL, '--out', 'taken');
  assert.equal(file.status, 2);
  assert.match(file.stderr, /--out taken is a file, not a folder/);
});

test('a dataset inside --out under a name the run writes is refused, even with --force, and stays byte-identical', () => {
  for (const name of ['result.json', 'heatmap.csv', 'baselines.csv']) {
    const { dir } = workspace();
    const out = path.join(dir, 'out');
    fs.mkdirSync(out);
    const dataset = path.join(out, name);
    // heatmap.csv as a CSV dataset, result.json as a JSON array of rows: both readable datasets.
    const rows = fs.readFileSync(workspace().file, 'utf8').split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    fs.writeFileSync(dataset, name.endsWith('.json') ? JSON.stringify(rows) : `question,model_answer,correct\n${rows.map((r) => `"${String(r.question)}",${String(r.model_answer).trim()},${String(r.correct)}`).join('\n')}\n`);
    const before = sha(dataset);
    for (const extra of [[], ['--force']]) {
      const run = cli(dir, 'probe', path.join('out', name), '--model', MODEL, '--out', 'out', ...extra);
      assert.equal(run.status, 2, run.stderr);
      assert.match(run.stderr, new RegExp(`the dataset out[\\\\/]${name.replace('.', '\\.')} is inside --out out under a name the run writes \\(${name.replace('.', '\\.')}\\): it would be overwritten`));
      assert.equal(sha(dataset), before);
      assert.deepEqual(fs.readdirSync(out), [name]);
    }
  }
});

test('run folder names are file-system safe and never reused', () => {
  const at = new Date(2026, 11, 3, 9, 5, 7);
  assert.equal(runFolderName('Llama 3/8B', '/data/movie qa (test).csv', 'resid_post', at), 'Llama_3_8B-movie_qa_test-resid_post-20261203-090507');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-runs-'));
  const names = [createRunFolder(root, 'a'), createRunFolder(root, 'a'), createRunFolder(root, 'a')].map((d) => path.basename(d));
  assert.deepEqual(names, ['a', 'a-2', 'a-3']);
  // A folder without a result is not a run; a broken result is listed as unreadable, with why.
  fs.writeFileSync(path.join(root, 'a-2', 'result.json'), '{"schemaVersion": 1}');
  const listing = listRuns(root);
  assert.deepEqual(listing.runs, []);
  assert.equal(listing.unreadable.length, 1);
  assert.match(listing.unreadable[0].reason, /has result schema 1; this version of Layer Probe reads schema 2/);
});
