import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { DOMParser, onWarningStopParsing } from '@xmldom/xmldom';

import { heatmapViewSvg } from '../../../src/contract/heatmapFigure';
import { toHeatmapView } from '../../../src/contract/heatmapView';
import { parseProbeResult } from '../../../src/contract/result';
import { listCacheFolders } from '../../../src/storage/cacheFolders';
import { fixtureModel } from '../../helpers/fixtures';

// The real dist/cli.js bundle (npm test builds it first), as a user runs it.
const CLI = path.resolve('dist', 'cli.js');

function dataset(rows: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-cli-'));
  const lines = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({ question: `Q: item ${i}?\nA:`, model_answer: ` ${i % 2 ? 'yes' : 'no'}\n`, correct: i % 2, exact_answer: i % 2 ? 'yes' : 'no' }),
  );
  const file = path.join(dir, 'data.jsonl');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

test('Ctrl-C stops the run, keeps the finished cache chunks, says so and exits 130', async () => {
  const file = dataset(3000);
  const cacheDir = path.join(path.dirname(file), 'cache');
  const child = spawn(process.execPath, [CLI, 'probe', file, '--model', fixtureModel('toy-facts-llama'), '--samples', '0', '--batch-memory', '16', '--cache-dir', cacheDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: path.dirname(file),
  });
  let stderr = '';
  let interrupted = false;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    // Some batches into the forward passes: the progress line for the first batch is printed at once.
    if (!interrupted && stderr.includes('[extract] Forward passes')) {
      interrupted = true;
      setTimeout(() => child.kill('SIGINT'), 1500);
    }
  });
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /Ctrl-C: stopping after the current batch or probe/);
  const kept = /cancelled during the forward passes; kept (\d+) rows of mlp_out \([\d.]+ [KMG]?B\) in .*cache: the next run resumes from them/.exec(stderr);
  assert.ok(kept, stderr);
  const [folder] = listCacheFolders(cacheDir);
  assert.equal(folder.rows, Number(kept[1]), 'the message counts what the cache holds');
  assert.ok(folder.rows > 0 && folder.rows < 3000);
  // The default run folder (and its runs root) was created before the run and removed again: no result.
  assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['cache', 'data.jsonl'], 'no result is written for a cancelled run');
});

test('bad command lines are refused with exit status 2 before any work, naming the flag', () => {
  const file = dataset(20);
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: path.dirname(file) });
  const model = fixtureModel('tiny-llama-unfused-extdata');
  for (const [args, message] of [
    [['probe', file, '--model', model, '--samples='], /--samples must be a number, got nothing/],
    [['probe', file, '--model', model, '--seed=-3'], /--seed must be an integer ≥ 0, got "-3"/],
    [['probe', file, '--model', model, '--location', 'mlp'], /--location must be one of mlp_out, /],
    [['probe', file, '--model', model, '--bogus'], /Unknown option '--bogus'/],
    [['probe', file, 'extra.jsonl', '--model', model], /unexpected argument "extra\.jsonl"/],
    [['probe', file], /--model <dir> is required/],
  ] as const) {
    const out = run(...args);
    assert.equal(out.status, 2, `${args.join(' ')}: ${out.stderr}`);
    assert.match(out.stderr, message);
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['data.jsonl'], 'nothing is written');
  }
  const help = run('probe', '--help');
  assert.equal(help.status, 0);
  // The help is the options table's: each flag with its default.
  assert.match(help.stdout, /--location mlp_out \| resid_post \| .*\(default\s+mlp_out\)/s);
  assert.match(help.stdout, /--batch-memory <MiB>\s+activation memory .*\(default 256\)/s);
});

test('probe writes heatmap.svg beside heatmap.html (and heatmap-<loc>.svg for --locations): the AUC figure, drawn without a browser', () => {
  const file = dataset(40);
  const dir = path.dirname(file);
  const out = spawnSync(process.execPath, [CLI, 'probe', file, '--model', fixtureModel('tiny-llama-unfused-extdata'), '--out', 'out', '--locations', 'resid_post'], {
    encoding: 'utf8',
    cwd: dir,
  });
  assert.equal(out.status, 0, out.stderr);
  const outDir = path.join(dir, 'out');
  const files = fs.readdirSync(outDir).sort();
  for (const suffix of ['', '-resid_post']) {
    assert.ok(files.includes(`heatmap${suffix}.html`), files.join(', '));
    assert.ok(files.includes(`heatmap${suffix}.svg`), files.join(', '));
  }
  assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temporary file left behind');
  const printed = /^figure: +(.*)$/m.exec(out.stdout)?.[1];
  assert.equal(printed, path.join(fs.realpathSync(outDir), 'heatmap.svg'));
  const result = parseProbeResult(fs.readFileSync(path.join(outDir, 'result.json'), 'utf8'));
  const doc = new DOMParser({ onError: onWarningStopParsing }).parseFromString(fs.readFileSync(printed, 'utf8'), 'image/svg+xml');
  const cells = Array.from(doc.getElementsByTagName('rect')).filter((r) => r.getAttribute('class') === 'cell');
  assert.equal(cells.length, result.layers.length * 15);
  // The same figure code as the panel's export, on the primary location's AUC.
  assert.equal(fs.readFileSync(printed, 'utf8'), heatmapViewSvg(toHeatmapView(result), 'auc').svg);
  const other = parseProbeResult(fs.readFileSync(path.join(outDir, 'result-resid_post.json'), 'utf8'));
  assert.equal(fs.readFileSync(path.join(outDir, 'heatmap-resid_post.svg'), 'utf8'), heatmapViewSvg(toHeatmapView(other), 'auc').svg);
});

test('two probe commands on one cache at once: the second waits for the first, then probes from its cache; same heatmap', async () => {
  const file = dataset(200);
  const root = path.dirname(file);
  const cacheDir = path.join(root, 'cache');
  const probe = (out: string) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'probe', file, '--model', fixtureModel('tiny-llama-unfused-extdata'), '--samples', '0', '--no-baselines', '--cache-dir', cacheDir, '--out', path.join(root, out)], {
        stdio: ['ignore', 'ignore', 'pipe'],
        cwd: root,
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('exit', (code) => resolve({ code, stderr }));
    });
  const runs = await Promise.all([probe('a'), probe('b')]);
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  const waited = runs.filter((r) => /waiting for another Layer Probe run on the mlp_out activation cache \(pid \d+, started [\d-]+ [\d:]+\)/.test(r.stderr));
  assert.equal(waited.length, 1, runs.map((r) => r.stderr).join('\n---\n'));
  assert.match(waited[0].stderr, /all 200 rows are cached for mlp_out: no forward pass/);
  const auc = (out: string) => (JSON.parse(fs.readFileSync(path.join(root, out, 'result.json'), 'utf8')) as { metrics: { auc: unknown } }).metrics.auc;
  assert.deepEqual(auc('b'), auc('a'));
  const [folder] = listCacheFolders(cacheDir);
  assert.equal(folder.rows, 200);
  assert.equal(folder.inUseBy, undefined, 'both released the lock');
  // Each row stored once (listCacheFolders counts distinct rows): the manifest lists 200 rows, and every chunk file is listed.
  const manifest = JSON.parse(fs.readFileSync(path.join(folder.dir, 'manifest.json'), 'utf8')) as { chunks: { file: string; rows: number[] }[] };
  assert.equal(manifest.chunks.flatMap((c) => c.rows).length, 200, 'no row stored twice');
  assert.deepEqual(fs.readdirSync(folder.dir).filter((n) => n.endsWith('.safetensors')).sort(), manifest.chunks.map((c) => c.file).sort(), 'no unlisted chunk');
});

test('--encoding utf-16le: a UTF-16 copy of a dataset probes to the UTF-8 run\'s heatmap, in a cache of its own; result.json records it', () => {
  const file = dataset(60);
  const root = path.dirname(file);
  const utf16 = path.join(root, 'data-utf16.jsonl');
  fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(fs.readFileSync(file, 'utf8'), 'utf16le')]));
  const cacheDir = path.join(root, 'cache');
  const probe = (data: string, out: string, ...flags: string[]) =>
    spawnSync(process.execPath, [CLI, 'probe', data, '--model', fixtureModel('tiny-llama-unfused-extdata'), '--samples', '0', '--no-baselines', '--cache-dir', cacheDir, '--out', out, ...flags], {
      encoding: 'utf8',
      cwd: root,
    });
  const refused = probe(utf16, 'refused');
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /data-utf16\.jsonl: the file is UTF-16 \(little-endian byte-order mark\), not UTF-8: read it with --encoding utf-16le/);
  const bad = probe(utf16, 'bad', '--encoding', 'utf16');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--encoding must be one of utf-8, utf-16le, utf-16be, windows-1252, latin1, got "utf16"/);
  for (const [data, out, flags] of [[file, 'a', []], [utf16, 'b', ['--encoding', 'utf-16le']]] as const) {
    const run = probe(data, out, ...flags);
    assert.equal(run.status, 0, run.stderr);
  }
  const result = (out: string) => parseProbeResult(fs.readFileSync(path.join(root, out, 'result.json'), 'utf8'));
  assert.deepEqual(result('b').metrics.auc, result('a').metrics.auc);
  assert.equal(result('b').settings.options.encoding, 'utf-16le');
  assert.equal(result('a').settings.options.encoding, 'utf-8');
  assert.equal(listCacheFolders(cacheDir).filter((f) => f.location === 'mlp_out').length, 2, 'two datasets, two caches');
});

test('--probe-workers 2 trains the cells in the bundle\'s worker threads (dist/probeThread.js): the same result.json values as one at a time', () => {
  // 3,120 train rows × 128 features: above the size at which cells leave the JS solvers for onnxruntime,
  // the only cells worker threads are started for.
  const file = dataset(3900);
  const dir = path.dirname(file);
  const run = (workers: string, out: string): { stderr: string; result: Record<string, unknown> } => {
    const r = spawnSync(process.execPath, [CLI, 'probe', file, '--model', fixtureModel('toy-facts-llama'), '--samples', '0', '--no-baselines', '--probe-workers', workers, '--out', out, '--cache-dir', 'cache'], { encoding: 'utf8', cwd: dir });
    assert.equal(r.status, 0, r.stderr);
    return { stderr: r.stderr, result: JSON.parse(fs.readFileSync(path.join(dir, out, 'result.json'), 'utf8')) as Record<string, unknown> };
  };
  const two = run('2', 'two');
  const one = run('1', 'one');
  assert.match(two.stderr, /Probes \(mlp_out\): 120 cells, 2 at a time in worker threads/);
  assert.match(one.stderr, /Probes \(mlp_out\): 120 cells, one at a time/);
  for (const key of ['metrics', 'aucInterval', 'iterations', 'converged', 'test']) assert.deepEqual(two.result[key], one.result[key], key);
  const auc = (two.result.metrics as { auc: (number | null)[][] }).auc;
  assert.equal(auc.length, 8);
  assert.ok(auc.flat().every((v) => v !== null && v >= 0 && v <= 1));
});
