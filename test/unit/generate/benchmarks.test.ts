import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import type { DatasetKind } from '../../../src/contract/datasetKinds';
import { RunCancelled } from '../../../src/contract/errors';
import { DEFAULT_PROMPT_FORMAT, runOptions } from '../../../src/contract/runOptions';
import { readTable } from '../../../src/core/dataset/readTable';
import { generateAnswers } from '../../../src/core/generate/generateAnswers';
import { benchmarkFromTable, buildPrompt } from '../../../src/core/generate/kinds';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { promptTokens } from '../../../src/core/tokenize/sequence';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';

const MODEL = fixtureModel('toy-facts-llama');
const NEWLINE = 13;
const tempOut = (name = 'answers.jsonl'): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-')), name);

// The five raw files the paper ships (in ../shared/fixtures), each generated for 40 rows by the trained
// toy model: its answers are nonsense for them, but prompts, stop rule and labels must be the reference's.
const SHIPPED: [string, DatasetKind][] = [
  ['AnswerableMath_test.csv', 'math'],
  ['mnli_validation.csv', 'mnli'],
  ['movie_qa_test.csv', 'movies'],
  ['winobias_dev.csv', 'winobias'],
  ['winogrande_test.csv', 'winogrande'],
];

describe('the paper\'s raw benchmark files, end to end on toy-facts-llama', () => {
  const tok = loadModelTokenizer(MODEL);
  for (const [file, kind] of SHIPPED) {
    it(`${file}: detected as ${kind}, the reference's prompts and stop rule, then probe (or the one-class refusal)`, async () => {
      const source = fixtureDataset('llmsknow', file);
      const before = fs.readFileSync(source);
      const outFile = tempOut();
      const result = await generateAnswers({ questionsFile: source, modelDir: MODEL, limit: 40, outFile });
      assert.equal(result.kind, kind);
      assert.equal(result.rows.length, 40);
      const items = benchmarkFromTable(await readTable(source), kind, { limit: 40 }).items;
      const maxNew = kind === 'math' ? 200 : 100;
      result.rows.forEach((row, i) => {
        assert.equal(row.question, buildPrompt(kind, items[i], 'base', { firstItem: items[0], modelName: 'toy-facts-llama' }), `row ${i} prompt`);
        assert.equal(row.raw_question, items[i].rawQuestion);
        const q = promptTokens(tok, row.question).length;
        const generated = row.input_output_ids.slice(q);
        // A base model stops on the newline token only, or at the kind's length limit.
        assert.ok(generated.at(-1) === NEWLINE || generated.length === maxNew, `row ${i}: ${generated.length} tokens`);
        assert.equal(generated.filter((id) => id === NEWLINE).length, generated.at(-1) === NEWLINE ? 1 : 0);
        assert.equal(tok.decode(generated), row.model_answer);
      });
      assert.deepEqual(fs.readFileSync(source), before, 'the question file is never modified');
      const labels = new Set(result.rows.map((r) => r.automatic_correctness));
      const probing = runProbe({ datasetFile: outFile, options: runOptions({ modelFolder: MODEL, sampleLimit: 0, baselines: false }) });
      // All 40 wrong (or with no valid exact answer): a clear refusal naming the file, never a heatmap of one class.
      if (labels.size === 1) await assert.rejects(probing, /answers\.jsonl: .*(probes need both classes on each side|no usable rows: all 40 have an invalid exact answer)/);
      else assert.equal((await probing).dataset.rowsRead, 40);
    });
  }
});

describe('answers files', () => {
  const questions = fixtureDataset('toy-facts', 'facts_questions_only.jsonl');

  it('a stopped run resumes from its partial file by row; a line cut off by a kill is dropped', async () => {
    const outFile = tempOut();
    const whole = await generateAnswers({ questionsFile: questions, modelDir: MODEL, limit: 150, outFile: tempOut() });
    const controller = new AbortController();
    await assert.rejects(
      generateAnswers({
        questionsFile: questions,
        modelDir: MODEL,
        limit: 150,
        outFile,
        signal: controller.signal,
        onProgress: (p) => p.done > 0 && controller.abort(),
      }),
      RunCancelled,
    );
    assert.ok(!fs.existsSync(outFile), 'no complete-looking file before the end');
    const partial = fs.readFileSync(`${outFile}.partial`, 'utf8').split('\n').filter((l) => l !== '');
    assert.equal(partial.length, 64, 'the first round of rows was written');
    fs.appendFileSync(`${outFile}.partial`, '{"raw_question": "What is the cap'); // killed mid-write
    const logs: string[] = [];
    const resumed = await generateAnswers({ questionsFile: questions, modelDir: MODEL, limit: 150, outFile, log: (l) => logs.push(l) });
    assert.equal(resumed.resumed, 64);
    assert.ok(logs.some((l) => l.includes('64 of 150 rows were generated by an earlier run')), logs.join('\n'));
    assert.deepEqual(resumed.rows, whole.rows);
    assert.deepEqual(fs.readFileSync(outFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l)), whole.rows);
    assert.ok(!fs.existsSync(`${outFile}.partial`));
  });

  it('never writes over the question file or a finished answers file', async () => {
    await assert.rejects(generateAnswers({ questionsFile: questions, modelDir: MODEL, limit: 2, outFile: questions }), /would overwrite the question file/);
    const outFile = tempOut();
    fs.writeFileSync(outFile, 'keep me');
    await assert.rejects(generateAnswers({ questionsFile: questions, modelDir: MODEL, limit: 2, outFile }), /already exists/);
    assert.equal(fs.readFileSync(outFile, 'utf8'), 'keep me');
  });

  it('toy-facts: generate → probe → baselines, the probes and the logprob baseline both well above chance', async () => {
    const outFile = tempOut();
    const generated = await generateAnswers({ questionsFile: questions, modelDir: MODEL, limit: 300, outFile });
    assert.ok(generated.accuracy > 0.4 && generated.accuracy < 0.7, `accuracy ${generated.accuracy}`);
    const result = await runProbe({ datasetFile: outFile, options: runOptions({ modelFolder: MODEL, sampleLimit: 0, location: 'resid_post' }) });
    assert.equal(result.dataset.columns.inputOutputIds, 'input_output_ids');
    const best = result.baselines!.entries.find((e) => e.name === result.baselines!.best)!;
    assert.ok(best.family === 'logprob' && best.auc! > 0.8, `best baseline ${best.name} ${best.auc}`);
    const bestCell = Math.max(...result.metrics.auc.flat().filter((v): v is number => v !== null));
    assert.ok(bestCell > 0.7, `best probe cell ${bestCell}`);

    // The logprob baseline read the scores generate recorded; the same file without them is teacher-forced.
    assert.equal(result.baselines!.tokenScores, 'generation');
    const rows = fs.readFileSync(outFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const row of rows) {
      const answerTokens = (row.input_output_ids as number[]).length - promptTokens(loadModelTokenizer(MODEL), row.question as string, DEFAULT_PROMPT_FORMAT).length;
      for (const column of ['token_logits', 'token_logprobs', 'token_probs']) assert.equal((row[column] as number[]).length, answerTokens, column);
    }
    const stripped = tempOut('stripped.jsonl');
    fs.writeFileSync(stripped, rows.map(({ token_logits: _l, token_logprobs: _lp, token_probs: _p, ...rest }) => JSON.stringify(rest) + '\n').join(''));
    const forced = await runProbe({ datasetFile: stripped, options: runOptions({ modelFolder: MODEL, sampleLimit: 0, location: 'resid_post', activationCache: false }) });
    assert.equal(forced.baselines!.tokenScores, 'teacher-forced');
    assert.deepEqual(forced.test, result.test, 'the same test rows');
    // The two passes compute each logit in a different graph shape (one step vs the whole sequence): the
    // scores agree to float32 rounding (TOL), so an AUC can move only by the positive–negative pairs whose
    // scores lie within 2·TOL of each other, each worth 1/(P·N).
    const TOL = 1e-4;
    const labels = result.test.label;
    const pairs = labels.filter((l) => l === 1).length * labels.filter((l) => l === 0).length;
    for (const entry of result.baselines!.entries.filter((e) => e.family === 'logprob')) {
      const other = forced.baselines!.entries.find((e) => e.name === entry.name)!;
      const tol = (v: number): number => TOL * Math.max(1, Math.abs(v));
      entry.scores.forEach((v, i) => assert.ok(Math.abs(v - other.scores[i]) <= tol(v), `${entry.name} row ${i}: ${v} vs ${other.scores[i]}`));
      let nearTies = 0;
      entry.scores.forEach((a, i) => entry.scores.forEach((b, j) => {
        if (labels[i] === 1 && labels[j] === 0 && Math.abs(a - b) <= 2 * tol(a)) nearTies++;
      }));
      assert.ok(Math.abs(entry.auc! - other.auc!) <= nearTies / pairs + 1e-12, `${entry.name}: AUC ${entry.auc} vs ${other.auc} (${nearTies} near-tie pairs of ${pairs})`);
    }
  });
});
