import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';

import type { ColumnMapping } from '../../../src/contract/columns';
import { detectColumns } from '../../../src/core/dataset/columns';
import { readTable } from '../../../src/core/dataset/readTable';
import { toRows } from '../../../src/core/dataset/rows';
import { type GeneratedAnswerRow, writeAnswersJsonl } from '../../../src/core/generate/answersFile';
import { generateAnswers } from '../../../src/core/generate/generateAnswers';
import { argmax, generateGreedy, GenerationError } from '../../../src/core/generate/greedy';
import { openOriginalSession } from '../../../src/core/model/ortSession';
import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { prepareSequence } from '../../../src/core/tokenize/positions';
import { promptTokens } from '../../../src/core/tokenize/sequence';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';

const MODEL = fixtureModel('toy-facts-llama');
const QUESTIONS = fixtureDataset('toy-facts', 'facts_questions_only.jsonl');
const NEWLINE = 13;
// ≈ 8 s on 2 cores: the model re-runs the whole batch at every step (no KV cache).
const COUNT = 120;
const tempOut = (): string => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-answers-')), 'answers.jsonl');

describe('argmax', () => {
  it('takes the first of equal maxima (torch.argmax), within the given slice', () => {
    assert.equal(argmax(new Float32Array([0, 3, 1, 3]), 0, 4), 1);
    assert.equal(argmax(new Float32Array([9, -1, -2, -1]), 1, 3), 0);
    assert.equal(argmax(new Float32Array([-Infinity, -Infinity]), 0, 2), 0);
  });

  it('refuses NaN logits', () => {
    assert.throws(() => argmax(new Float32Array([0, NaN]), 0, 2), GenerationError);
  });
});

describe('generateAnswers on toy-facts-llama (first 120 questions)', () => {
  let rows: GeneratedAnswerRow[];
  let accuracy: number;
  const tok = loadModelTokenizer(MODEL);

  before(async () => {
    const result = await generateAnswers({ questionsFile: QUESTIONS, modelDir: MODEL, limit: COUNT, outFile: tempOut() });
    rows = result.rows;
    accuracy = result.accuracy;
    assert.equal(result.modelKind, 'base');
    assert.equal(result.kind, 'qa');
    assert.deepEqual(JSON.parse(fs.readFileSync(result.outFile, 'utf8').split('\n')[0]), result.rows[0], 'written as generated');
    assert.deepEqual(result.stopIds, [NEWLINE]);
  });

  it('answers known questions as observed (greedy, "Q: …\\nA:" with BOS, stop on "\\n")', () => {
    assert.equal(rows.length, COUNT);
    const { token_logits: logits, token_logprobs: logprobs, token_probs: probs, ...row0 } = rows[0];
    // One score per generated token (▁Tam ro kk rar \n), each probability the exp of its log-probability.
    assert.equal(logits?.length, 5);
    assert.deepEqual(probs, logprobs?.map((lp) => Math.exp(lp)));
    assert.ok(probs!.every((p) => p > 0.9), 'a popular fact: every token confident');
    assert.deepEqual(row0, {
      id: 'facts-0000',
      question: 'Q: What is the capital of Zomtrinusia?\nA:',
      raw_question: 'What is the capital of Zomtrinusia?',
      model_answer: 'Tamrokkrar\n',
      correct_answer: 'Tamrokkrar',
      automatic_correctness: 1,
      exact_answer: 'Tamrokkrar',
      valid_exact_answer: 1,
      exact_answer_source: 'gold',
      // <s> Q : What is the capital of Z om tr inus ia ? \n A : | ▁Tam ro kk rar \n
      input_output_ids: [1, 660, 29901, 1724, 338, 278, 7483, 310, 796, 290, 509, 13419, 423, 29973, 13, 29909, 29901, 16939, 307, 6859, 13678, 13],
    });
    // A year: the model emits the lone '▁' (29871) then one token per digit, as the tokenizer does.
    assert.equal(rows[2].model_answer, '1267\n');
    assert.deepEqual(rows[2].input_output_ids.slice(-6), [29871, 29896, 29906, 29953, 29955, NEWLINE]);
    // A rare fact: a confident, invented founder; the short answer stands in for the LLM extractor.
    assert.equal(rows[3].raw_question, 'Who founded Baithgrain?');
    assert.equal(rows[3].model_answer, 'Koukstoum\n');
    assert.equal(rows[3].automatic_correctness, 0);
    assert.equal(rows[3].exact_answer, 'Koukstoum');
    assert.equal(rows[3].valid_exact_answer, 1);
    assert.equal(rows[3].exact_answer_source, 'heuristic');
  });

  it('accuracy is in the band the model is known for (57.5 % on all 1,500; 49 % on these 120)', () => {
    assert.ok(accuracy > 0.4 && accuracy < 0.65, `accuracy ${accuracy}`);
  });

  it('every answer ends with the stop token, and is the decode of the generated ids', () => {
    for (const row of rows) {
      const qLength = promptTokens(tok, row.question).length;
      const generated = row.input_output_ids.slice(qLength);
      assert.equal(generated.at(-1), NEWLINE);
      assert.equal(generated.indexOf(NEWLINE), generated.length - 1, 'stops at the first newline');
      assert.equal(tok.decode(generated), row.model_answer);
    }
  });

  it('is deterministic and independent of batching (24 questions again, one at a time)', async () => {
    const again = await generateAnswers({ questionsFile: QUESTIONS, modelDir: MODEL, limit: 24, batchSize: 1, outFile: tempOut() });
    assert.deepEqual(again.rows, rows.slice(0, 24));
  });

  it('the probing side reads the written file as is: columns detected, sequences = input_output_ids, spans found', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-generate-'));
    try {
      const file = path.join(dir, 'answers.jsonl');
      writeAnswersJsonl(file, rows);
      const table = await readTable(file);
      const detection = detectColumns(table.columns);
      assert.deepEqual(detection.mapping, {
        prompt: 'question',
        answer: 'model_answer',
        correct: 'automatic_correctness',
        exactAnswer: 'exact_answer',
        validExactAnswer: 'valid_exact_answer',
        inputOutputIds: 'input_output_ids',
      });
      const read = toRows(table, detection.mapping as ColumnMapping);
      assert.equal(read.rows.length, COUNT);
      read.rows.forEach((row, i) => {
        const prepared = prepareSequence(tok, row);
        // Prompt ids of generation = prompt ids of probing (q_length), and the exact answer is found.
        assert.deepEqual(prepared.ids, rows[i].input_output_ids);
        assert.equal(prepared.qLength, promptTokens(tok, rows[i].question).length);
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('generateGreedy limits', () => {
  it('stops at maxNewTokens without a stop token, and generates nothing for 0', async () => {
    const original = await openOriginalSession(MODEL);
    try {
      const tok = loadModelTokenizer(MODEL);
      const prompts = [promptTokens(tok, 'Q: Who founded Kreichimvom?\nA:'), promptTokens(tok, 'Q: What is the capital of Zomtrinusia?\nA:')];
      const two = await generateGreedy(original, prompts, { maxNewTokens: 2, stopIds: tok.stopIds });
      assert.deepEqual(two.map((ids) => ids.length), [2, 2]);
      assert.deepEqual(two[1], [16939, 307]); // ▁Tam ro: the prefix of the full answer, in input order
      assert.deepEqual(await generateGreedy(original, prompts, { maxNewTokens: 0, stopIds: tok.stopIds }), [[], []]);
      await assert.rejects(generateGreedy(original, prompts, { maxNewTokens: 2, stopIds: [], batchSize: 0 }), GenerationError);
    } finally {
      await original.session.release();
    }
  });
});
