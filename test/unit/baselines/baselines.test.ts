import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { promptFormatOf, runOptions } from '../../../src/contract/runOptions';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { logprobRowScores } from '../../../src/core/baselines/logprob';
import { pTruePrompt } from '../../../src/core/baselines/pTrue';
import { ActivationSession } from '../../../src/core/model/activationSession';
import { buildFeeds, feedSpecOf } from '../../../src/core/model/feeds';
import { openOriginalSession } from '../../../src/core/model/ortSession';
import { tensorToFloat32 } from '../../../src/core/model/tensorData';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { prepareSequence } from '../../../src/core/tokenize/positions';
import { promptTokens } from '../../../src/core/tokenize/sequence';
import { listCacheFolders } from '../../../src/storage/cacheFolders';
import { fixtureModel } from '../../helpers/fixtures';
import { PYTHON, requirePythonModules } from '../../helpers/python';
import { plantedDataset } from '../pipeline/plantedDataset';

const MODEL = fixtureModel('tiny-llama-unfused-extdata');

describe('logprob aggregates', () => {
  const scores = { logits: [1, 5, 2, 4, 3], probs: [0.1, 0.5, 0.2, 0.4, 0.3] };
  it('over the whole answer: min, max, mean, last token; no after-last', () => {
    assert.deepEqual(logprobRowScores(scores), {
      logits_min: 1, logits_max: 5, logits_mean: 3, logits_last_token: 3,
      probas_min: 0.1, probas_max: 0.5, probas_mean: 0.30000000000000004, probas_last_token: 0.3,
    });
  });
  it('over the exact-answer steps, with the token after the span (clamped to the last step)', () => {
    const inner = logprobRowScores(scores, { first: 1, last: 2 });
    assert.deepEqual([inner.logits_min, inner.logits_max, inner.logits_mean, inner.logits_last_token, inner.logits_after_last_token], [2, 5, 3.5, 2, 4]);
    assert.equal(logprobRowScores(scores, { first: 3, last: 4 }).probas_after_last_token, 0.3, 'min(last + 1, len - 1)');
  });
});

describe('p(True) prompt', () => {
  it("is the reference's f-strings, indentation included (12 spaces, 8 when reversed)", () => {
    assert.equal(
      pTruePrompt('Q?', 'Paris', false),
      'Question: Q?\n            Possible answer: Paris\n            Is the possible answer:\n            (A) True\n            (B) False\n            The possible answer is:',
    );
    assert.equal(
      pTruePrompt('Q?', 'Paris', true),
      'Question: Q?\n        Possible answer: Paris\n        Is the possible answer:\n        (A) False\n        (B) True\n        The possible answer is:',
    );
  });
});

describe('baselines in a probing run', () => {
  it('equal numpy/scikit-learn recomputed from the unrewritten graph, on the same test rows as the probes', async () => {
    requirePythonModules(['numpy', 'sklearn']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-baselines-'));
    const datasetFile = plantedDataset(dir, 120);
    const options = runOptions({ modelFolder: MODEL, sampleLimit: 0 });
    const result = await runProbe({ datasetFile, options });
    const baselines = result.baselines;
    assert.ok(baselines);
    assert.equal(baselines.tokenScores, 'teacher-forced');
    assert.equal(baselines.entries.length, 8 + 10 + 2);
    for (const entry of baselines.entries) assert.equal(entry.scores.length, result.nTest, entry.name);

    // The test rows' sequences, one at a time through the graph as exported.
    const tok = loadModelTokenizer(MODEL);
    const records = fs.readFileSync(datasetFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string | number>);
    const original = await openOriginalSession(MODEL);
    const spec = feedSpecOf(original.graph);
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-baselines-py-'));
    const rows: { ids: number[]; q: number; first: number; last: number; label: number }[] = [];
    let vocab = 0;
    const lastLogits = async (ids: number[]): Promise<Float32Array> => {
      const out = await original.session.run(buildFeeds(spec, [ids], undefined).feeds);
      const logits = tensorToFloat32(out.logits, 'logits');
      vocab = logits.length / ids.length;
      return logits;
    };
    try {
      for (const [i, rowIndex] of result.test.rowIndex.entries()) {
        const r = records[rowIndex];
        const row = { rowIndex, line: rowIndex + 1, prompt: String(r.prompt), answer: String(r.model_answer), correct: r.correct as 0 | 1, exactAnswer: String(r.exact_answer) };
        const seq = prepareSequence(tok, row, promptFormatOf(options));
        assert.deepEqual(seq.positions, result.test.positions[i], 'the same sequence as the probes');
        const logits = await lastLogits(seq.ids);
        fs.writeFileSync(path.join(work, `logits-${i}.f32`), Buffer.from(logits.buffer, logits.byteOffset, logits.byteLength));
        for (const [reversed, name] of [[false, 'ptrue'], [true, 'ptrue-rev']] as const) {
          const ids = promptTokens(tok, pTruePrompt(row.prompt, row.answer, reversed), promptFormatOf(options));
          const all = await lastLogits(ids);
          const last = all.slice((ids.length - 1) * vocab, ids.length * vocab);
          fs.writeFileSync(path.join(work, `${name}-${i}.f32`), Buffer.from(last.buffer));
        }
        const at = (name: string): number => seq.positions[TOKEN_POSITIONS.indexOf(name as (typeof TOKEN_POSITIONS)[number])];
        rows.push({ ids: seq.ids, q: seq.qLength, first: at('exact_answer_first'), last: at('exact_answer_last'), label: row.correct });
      }
    } finally {
      await original.session.release();
    }
    const [tokenA] = tok.encode('A', { addSpecialTokens: false });
    const [tokenB] = tok.encode('B', { addSpecialTokens: false });
    const ours = Object.fromEntries(baselines.entries.map((e) => [e.name, e.scores]));
    fs.writeFileSync(path.join(work, 'rows.json'), JSON.stringify({ vocab, tokenA, tokenB, rows, ours }));
    const py = JSON.parse(execFileSync(PYTHON, ['test/unit/baselines/baselines.py', work], { encoding: 'utf8', maxBuffer: 1 << 26 })) as {
      scores: Record<string, number[]>;
      auc: Record<string, number>;
      aucOfOurs: Record<string, number>;
    };
    assert.deepEqual(baselines.entries.map((e) => e.name).sort(), Object.keys(py.scores).sort());
    for (const entry of baselines.entries) {
      // Float32 logits of a batched pass vs one row at a time: equal to float32 rounding, far below any score gap.
      entry.scores.forEach((s, i) => assert.ok(Math.abs(s - py.scores[entry.name][i]) <= 1e-4 * Math.max(1, Math.abs(s)), `${entry.name} row ${i}: ${s} vs ${py.scores[entry.name][i]}`));
      // And the AUC of our scores is scikit-learn's on the same scores.
      const sk = py.aucOfOurs[entry.name];
      assert.ok(Math.abs(entry.auc! - sk) < 1e-12, `${entry.name}: AUC ${entry.auc} vs sklearn ${sk}`);
      assert.ok(entry.aucInterval && entry.aucInterval[0] <= entry.auc! && entry.auc! <= entry.aucInterval[1]);
    }
    const auc = (name: string): number => baselines.entries.find((e) => e.name === name)!.auc!;
    assert.equal(baselines.pTrueMax, auc('p_true') >= auc('p_true_reversed') ? 'p_true' : 'p_true_reversed');
    const candidates = baselines.entries.filter((e) => e.family === 'logprob' || e.name === baselines.pTrueMax);
    assert.equal(auc(baselines.best!), Math.max(...candidates.map((e) => e.auc!)));
  });

  it('are cached per test row: the same split again needs no model, another split only its new rows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-baselines-'));
    const datasetFile = plantedDataset(dir, 80);
    const cacheDir = path.join(dir, 'cache');
    const options = runOptions({ modelFolder: MODEL, sampleLimit: 0 });
    const first = await runProbe({ datasetFile, options, cacheDir });
    const opens: string[][] = [];
    const open = ActivationSession.open.bind(ActivationSession);
    ActivationSession.open = (modelDir, o) => {
      opens.push([...o.locations]);
      return open(modelDir, o);
    };
    const logs: string[] = [];
    try {
      const again = await runProbe({ datasetFile, options, cacheDir }, { log: (l) => logs.push(l) });
      assert.deepEqual(opens, [], 'neither activations nor baselines load the model');
      assert.deepEqual(again.baselines, first.baselines);
      assert.ok(logs.includes(`baselines: ${first.nTest} of ${first.nTest} test rows cached (${listCacheFolders(cacheDir).find((f) => f.kind === 'baselines')!.dir})`), logs.join('\n'));
      const reseeded = await runProbe({ datasetFile, options: { ...options, seed: 5 }, cacheDir }, { log: (l) => logs.push(l) });
      assert.deepEqual(opens, [[]], 'one model load, for the baselines of the rows new to the test side');
      const fresh = await runProbe({ datasetFile, options: { ...options, seed: 5 } });
      assert.deepEqual(reseeded.baselines, fresh.baselines, 'cached and fresh rows give the same baselines as no cache');
    } finally {
      ActivationSession.open = open;
    }
  });

  it("the reference's after-last sign bug only behind its option", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-baselines-'));
    const datasetFile = plantedDataset(dir, 60);
    const base = runOptions({ modelFolder: MODEL, sampleLimit: 0 });
    const plain = await runProbe({ datasetFile, options: base });
    const bug = await runProbe({ datasetFile, options: { ...base, afterLastSignBug: true } });
    const pick = (r: typeof plain, name: string) => r.baselines!.entries.find((e) => e.name === name)!;
    const name = 'exact_answer.probas_after_last_token';
    assert.deepEqual(pick(bug, name).scores, pick(plain, name).scores);
    assert.ok(Math.abs(pick(bug, name).auc! - (1 - pick(plain, name).auc!)) < 1e-12, 'pos_label=0 inverts the AUC');
    assert.equal(pick(bug, 'exact_answer.logits_after_last_token').auc, pick(plain, 'exact_answer.logits_after_last_token').auc);
    assert.equal(bug.baselines!.afterLastSignBug, true);
  });
});
