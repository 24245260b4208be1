import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import type { ProbeResult } from '../../../src/contract/result';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { transferProbes } from '../../../src/core/compare/transferProbes';
import { resolveColumnMapping } from '../../../src/core/dataset/columns';
import { readTable } from '../../../src/core/dataset/readTable';
import { toRows } from '../../../src/core/dataset/rows';
import { ActivationSession } from '../../../src/core/model/activationSession';
import { prepareRows } from '../../../src/core/pipeline/prepareRows';
import { selectRows } from '../../../src/core/pipeline/selectRows';
import { rocAuc } from '../../../src/core/probe/auc';
import { fitLogistic, predictProbaCorrect } from '../../../src/core/probe/logistic';
import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import type { PreparedSequence } from '../../../src/core/types';
import { fixtureModel } from '../../helpers/fixtures';
import { probeRun, TOY_MODEL, toyFactsDataset } from './toyFactsRuns';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-transfer-'));
const cacheDir = path.join(dir, 'cache');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** One location's activations at each sequence's token position `token`, one forward pass per row: n × d. */
async function activationsAt(sequences: PreparedSequence[], layer: number, token: number): Promise<{ X: Float32Array; d: number }> {
  const session = await ActivationSession.open(TOY_MODEL, { locations: ['mlp_out'] });
  try {
    const d = session.hiddenSize;
    const X = new Float32Array(sequences.length * d);
    for (const [i, s] of sequences.entries()) {
      const out = await session.run([s.ids]);
      const at = s.positions[token] * d;
      X.set(out.activations.mlp_out![layer].subarray(at, at + d), i * d);
    }
    return { X, d };
  } finally {
    await session.close();
  }
}

/** A run's train and test sequences, made from its dataset and options by the pipeline's own steps. */
async function sequencesOf(result: ProbeResult): Promise<{ train: PreparedSequence[]; test: PreparedSequence[]; yTrain: Uint8Array; yTest: Uint8Array }> {
  const table = await readTable(result.dataset.file);
  const { rows, dropped } = toRows(table, resolveColumnMapping(result.dataset.file, table.columns, result.dataset.columns));
  const prepared = await prepareRows(result.dataset.file, loadModelTokenizer(TOY_MODEL), selectRows(table.records.length, rows, result.settings.options), dropped, () => undefined);
  const n = prepared.train.length;
  return {
    train: prepared.sequences.slice(0, n),
    test: prepared.sequences.slice(n),
    yTrain: Uint8Array.from(prepared.train, (r) => r.correct),
    yTest: Uint8Array.from(prepared.test, (r) => r.correct),
  };
}

describe('train on A, test on B (toy-facts-llama)', () => {
  let a: { file: string; result: ProbeResult };
  let b: { file: string; result: ProbeResult };

  before(async () => {
    const capitals = toyFactsDataset(dir, 'capitals.jsonl', /^What is the capital of/, 120, 1);
    const years = toyFactsDataset(dir, 'years.jsonl', /^In what year was/, 120, 2);
    a = await probeRun(dir, 'run-a', capitals, cacheDir);
    b = await probeRun(dir, 'run-b', years, cacheDir, { seed: 3 });
  });

  it('a run transferred to itself is its own AUC cell for cell: every difference exactly 0', async () => {
    const lines: string[] = [];
    const c = await transferProbes({ aFile: a.file, bFile: a.file, cacheDir }, { log: (l) => lines.push(l) });
    assert.ok(c.transfer);
    assert.equal(c.transfer.forwardPassRows, 0, 'every activation from the cache');
    assert.equal(c.pairing, 'paired');
    assert.deepEqual(c.a.auc, a.result.metrics.auc);
    assert.deepEqual(c.b.auc, a.result.metrics.auc);
    assert.deepEqual(c.a.aucInterval, a.result.aucInterval, 'the same bootstrap (the run\'s seed, its rows)');
    const defined = c.diff.flat().filter((d) => d !== null);
    assert.equal(defined.length, a.result.metrics.auc.flat().filter((v) => v !== null).length);
    assert.ok(defined.every((d) => d === 0), JSON.stringify(c.diff));
    assert.ok(c.interval.flat().every((i) => i === null || (i[0] === 0 && i[1] === 0)));
    assert.ok(c.significant.flat().every((s) => !s));
    assert.equal(c.transfer.title, 'trained on capitals.jsonl, tested on capitals.jsonl');
  });

  it('capitals → years: each cell is a probe fitted on A\'s train rows and scored on B\'s test rows, minus B\'s own AUC', async () => {
    const c = await transferProbes({ aFile: a.file, bFile: b.file, cacheDir });
    assert.ok(c.transfer);
    assert.equal(c.transfer.trainedOn.resultFile, a.file);
    assert.equal(c.transfer.nTrain, a.result.nTrain);
    assert.equal(c.b.resultFile, b.file);
    assert.equal(c.seed, 3, 'B\'s seed');
    assert.equal(c.b.nTest, b.result.nTest);
    assert.equal(c.transfer.title, 'trained on capitals.jsonl, tested on years.jsonl');
    assert.deepEqual(c.b.auc, b.result.metrics.auc);
    for (let l = 0; l < c.diff.length; l++) {
      for (let t = 0; t < TOKEN_POSITIONS.length; t++) {
        const transfer = c.a.auc[l][t];
        const own = b.result.metrics.auc[l][t];
        assert.equal(c.diff[l][t], transfer === null || own === null ? null : transfer - own);
        const i = c.interval[l][t];
        if (i) assert.ok(i[0] <= i[1]);
      }
    }

    // One cell written out: forward passes row by row, the JS solver, rocAuc.
    const layer = 5;
    const token = TOKEN_POSITIONS.indexOf('exact_answer_first');
    const rowsA = await sequencesOf(a.result);
    const rowsB = await sequencesOf(b.result);
    const train = await activationsAt(rowsA.train, layer, token);
    const test = await activationsAt(rowsB.test, layer, token);
    const fit = fitLogistic(train.X, rowsA.train.length, train.d, rowsA.yTrain, { solver: 'newton-cg' });
    const scores = predictProbaCorrect(fit, test.X, rowsB.test.length, test.d);
    const auc = rocAuc(rowsB.yTest, scores)!;
    assert.ok(Math.abs(c.a.auc[layer][token]! - auc) < 1e-9, `transfer AUC ${c.a.auc[layer][token]} vs written out ${auc}`);
    // B's own probe was fitted on B's rows: its AUC differs from the transfer somewhere.
    assert.ok(c.diff.flat().some((d) => d !== null && d !== 0));
  });

  it('with an empty activation cache: forward passes for A\'s train and B\'s test rows only, the same matrix', async () => {
    const fresh = path.join(dir, 'fresh-cache');
    const cached = await transferProbes({ aFile: a.file, bFile: b.file, cacheDir });
    const extracted = await transferProbes({ aFile: a.file, bFile: b.file, cacheDir: fresh, maxBatchSize: 8 });
    assert.equal(extracted.transfer?.forwardPassRows, a.result.nTrain + b.result.nTest);
    assert.deepEqual(extracted.a.auc, cached.a.auc);
    assert.deepEqual(extracted.diff, cached.diff);
    assert.ok(fs.readdirSync(fresh).some((n) => n.startsWith('mlp_out-')), 'the extracted rows were cached');
  });

  it('refuses runs of another location or another model, naming both', async () => {
    const other = await probeRun(dir, 'run-resid', b.result.dataset.file, cacheDir, { location: 'resid_post' });
    await assert.rejects(transferProbes({ aFile: a.file, bFile: other.file, cacheDir }), (err: Error) => {
      assert.equal(err.name, 'TransferRefused');
      assert.match(err.message, /A probed mlp_out, B probed resid_post/);
      assert.ok(err.message.includes(a.file) && err.message.includes(other.file), err.message);
      return true;
    });
    // Another model: B's result as if another model folder had been probed.
    const moved = JSON.parse(fs.readFileSync(b.file, 'utf8')) as ProbeResult;
    const otherModel = fixtureModel('tiny-llama-unfused-extdata');
    moved.model.dir = otherModel;
    moved.model.name = 'tiny-llama-unfused-extdata';
    const movedFile = path.join(dir, 'run-other-model', 'result.json');
    fs.mkdirSync(path.dirname(movedFile));
    fs.writeFileSync(movedFile, JSON.stringify(moved));
    await assert.rejects(transferProbes({ aFile: a.file, bFile: movedFile, cacheDir }), (err: Error) => {
      assert.equal(err.name, 'TransferRefused');
      assert.match(err.message, /A probed model toy-facts-llama \(.*toy-facts-llama\), B probed model tiny-llama-unfused-extdata \(.*tiny-llama-unfused-extdata\)/);
      return true;
    });
  });
});
