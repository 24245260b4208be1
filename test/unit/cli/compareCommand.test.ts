import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { runCompareCommand } from '../../../src/cli/compareCommand';
import type { Comparison } from '../../../src/contract/comparison';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { probeRun, toyFactsDataset } from '../compare/toyFactsRuns';

// The real dist/cli.js bundle (npm test builds it first), as a user runs it.
const CLI = path.resolve('dist', 'cli.js');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-cli-compare-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('layer-probe compare', () => {
  let aFile: string;
  let bFile: string;

  before(async () => {
    // Run folders as `probe` makes them: <root>/<run>/result.json, the cache beside them.
    const root = path.join(dir, 'layer-probe-runs');
    const cacheDir = path.join(root, '.layer-probe-cache');
    aFile = (await probeRun(root, 'capitals-run', toyFactsDataset(dir, 'capitals.jsonl', /^What is the capital of/, 100, 5), cacheDir)).file;
    bFile = (await probeRun(root, 'years-run', toyFactsDataset(dir, 'years.jsonl', /^In what year was/, 100, 6), cacheDir)).file;
  });

  it('--transfer writes transfer.json, the difference matrix and every cell into --out, from the cache beside the runs', async () => {
    const out = path.join(dir, 'out');
    let printed = '';
    const code = await runCompareCommand([aFile, path.dirname(bFile), '--transfer', '--out', out, '--quiet'], (t) => (printed += t));
    assert.equal(code, 0);
    assert.deepEqual(fs.readdirSync(out).sort(), ['transfer-cells.csv', 'transfer.csv', 'transfer.json']);
    const c = JSON.parse(fs.readFileSync(path.join(out, 'transfer.json'), 'utf8')) as Comparison;
    assert.equal(c.transfer?.forwardPassRows, 0);
    assert.equal(c.transfer?.title, 'trained on capitals.jsonl, tested on years.jsonl');
    const matrix = fs.readFileSync(path.join(out, 'transfer.csv'), 'utf8').trim().split('\n');
    assert.equal(matrix[0], ['layer', ...TOKEN_POSITIONS].join(','));
    assert.equal(matrix.length, 1 + 8);
    assert.deepEqual(matrix[3].split(',').slice(1), c.diff[2].map((d) => (d === null ? '' : String(d))));
    const cells = fs.readFileSync(path.join(out, 'transfer-cells.csv'), 'utf8').trim().split('\n');
    assert.match(cells[0], /^layer_a,layer_b,token,transfer_auc,transfer_low,transfer_high,in_domain_auc,.*,trained_on_auc,.*,difference,difference_low,difference_high,significant$/);
    assert.equal(cells.length, 1 + 8 * TOKEN_POSITIONS.length);
    assert.match(printed, /^trained on capitals\.jsonl, tested on years\.jsonl \(mlp_out\): A→B − B→B: mean -?\d\.\d{3}, largest/);

    // A second time into the same --out: refused unless --force; an input is never an output.
    await assert.rejects(runCompareCommand([aFile, bFile, '--transfer', '--out', out, '--quiet'], () => undefined), /already holds a comparison \(transfer\.json\): pass --force/);
    assert.equal(await runCompareCommand([aFile, bFile, '--transfer', '--out', out, '--quiet', '--force'], () => undefined), 0);
    const fake = path.join(dir, 'fake');
    fs.mkdirSync(fake);
    fs.copyFileSync(aFile, path.join(fake, 'transfer.json'));
    await assert.rejects(runCompareCommand([path.join(fake, 'transfer.json'), bFile, '--transfer', '--out', fake, '--force'], () => undefined), /would overwrite the input .*transfer\.json/);
  });

  it('without --transfer (dist/cli.js): the two runs\' own difference, in a new folder under ./layer-probe-runs', () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'cwd-'));
    const run = spawnSync(process.execPath, [CLI, 'compare', aFile, bFile], { cwd, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const [folder] = fs.readdirSync(path.join(cwd, 'layer-probe-runs'));
    assert.match(folder, /^compare-capitals-mlp_out-vs-years-mlp_out-\d{8}-\d{6}$/);
    const c = JSON.parse(fs.readFileSync(path.join(cwd, 'layer-probe-runs', folder, 'comparison.json'), 'utf8')) as Comparison;
    assert.equal(c.transfer, undefined);
    assert.equal(c.pairing, 'unpaired');
    assert.match(run.stdout, /comparison\.csv/);
  });

  it('refuses a transfer between locations before writing anything', async () => {
    const other = (await probeRun(path.join(dir, 'layer-probe-runs'), 'years-resid', JSON.parse(fs.readFileSync(bFile, 'utf8')).dataset.file as string, path.join(dir, 'layer-probe-runs', '.layer-probe-cache'), { location: 'resid_post' })).file;
    const out = path.join(dir, 'refused');
    const run = spawnSync(process.execPath, [CLI, 'compare', aFile, other, '--transfer', '--out', out], { encoding: 'utf8' });
    assert.equal(run.status, 1);
    assert.match(run.stderr, /^layer-probe: cannot train on .*capitals-run.*result\.json and test on .*years-resid.*result\.json: A probed mlp_out, B probed resid_post/);
    assert.equal(fs.existsSync(out), false, 'the folder it made is removed');
  });
});
