import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readTable } from '../../../src/core/dataset/readTable';
import { formatCsv, formatTable } from '../../../src/core/dataset/writeTable';
import type { GeneratedAnswerRow } from '../../../src/core/generate/answersFile';
import { AnswersFileError } from '../../../src/core/generate/answersFile';
import { generateAnswers } from '../../../src/core/generate/generateAnswers';
import { judgeAnswersFile, JudgeRefused } from '../../../src/core/generate/judge/judgeAnswersFile';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';

const MODEL = fixtureModel('toy-facts-llama');
const QUESTIONS = fixtureDataset('toy-facts', 'facts_questions_only.jsonl');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-judge-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const fresh = (name: string): string => {
  const sub = path.join(dir, `case-${counter++}`);
  fs.mkdirSync(sub);
  return path.join(sub, name);
};
const JUDGED = ['automatic_correctness', 'exact_answer', 'valid_exact_answer', 'exact_answer_source'];
const withoutJudged = (row: object): Record<string, unknown> => Object.fromEntries(Object.entries(row).filter(([key]) => !JUDGED.includes(key)));

/** The first `count` records of a shipped raw benchmark with a model_answer column added, as CSV. */
async function rawWithAnswers(file: string, answers: string[]): Promise<string> {
  const table = await readTable(fixtureDataset('llmsknow', file));
  const records = table.records.slice(0, answers.length).map((record, i) => ({ ...record, model_answer: answers[i] }));
  const out = fresh(file);
  fs.writeFileSync(out, formatCsv([...table.columns, 'model_answer'], records));
  return out;
}

describe('judge: answers generated elsewhere get the labels generate gives', () => {
  let generated: GeneratedAnswerRow[];

  before(async () => {
    const result = await generateAnswers({ questionsFile: QUESTIONS, modelDir: MODEL, limit: 40, outFile: fresh('answers.jsonl') });
    generated = result.rows;
    // Both kinds of row are in the sample, so both exact-answer paths are compared.
    assert.ok(generated.some((r) => r.automatic_correctness === 1) && generated.some((r) => r.automatic_correctness === 0));
  });

  it("toy-facts generate output with the judged columns removed (paper layout, JSONL) → generate's rows exactly", async () => {
    const input = fresh('toy-answers.jsonl');
    fs.writeFileSync(input, generated.map((row) => JSON.stringify(withoutJudged(row))).join('\n') + '\n');
    const judged = await judgeAnswersFile({ answersFile: input, modelKind: 'base' });
    assert.equal(judged.layout, 'model-output');
    assert.equal(judged.kind, 'qa');
    assert.equal(judged.outFile, input.replace(/\.jsonl$/, '-judged.jsonl'));
    // Same labels, exact answers and sources; input_output_ids and the token scores kept as they were.
    assert.deepEqual(judged.rows, generated);
    const written = fs.readFileSync(judged.outFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line));
    assert.deepEqual(written, generated);
    assert.deepEqual(Object.keys(written[0]), Object.keys(generated[0]), 'the columns in generate order');
    assert.equal(judged.sources.gold + judged.sources.heuristic, 40);
    assert.equal(judged.sources.gold, generated.filter((r) => r.automatic_correctness === 1).length);
    assert.equal(judged.labelsChanged, undefined, 'the input had no labels to compare with');
  });

  it('the same as CSV (cells as text, input_output_ids as JSON text): the same labels and exact answers', async () => {
    const input = fresh('toy-answers.csv');
    const stripped = generated.map(withoutJudged);
    fs.writeFileSync(input, formatCsv(Object.keys(stripped[0]), stripped));
    const judged = await judgeAnswersFile({ answersFile: input, modelKind: 'base' });
    const pick = (row: { [key: string]: unknown } | GeneratedAnswerRow) => [row.automatic_correctness, row.exact_answer, row.valid_exact_answer, row.exact_answer_source];
    assert.deepEqual(judged.rows.map(pick), generated.map(pick));
    const back = await readTable(judged.outFile);
    assert.deepEqual(back.records[0].input_output_ids, JSON.stringify(generated[0].input_output_ids));
    assert.equal(back.records[3].automatic_correctness, String(generated[3].automatic_correctness));
  });

  it('the raw question file plus a model_answer column (benchmark layout) → the same rows, prompts rebuilt', async () => {
    const table = await readTable(QUESTIONS);
    const input = fresh('toy-questions.jsonl');
    const records = table.records.slice(0, 40).map((record, i) => ({ ...record, model_answer: generated[i].model_answer }));
    fs.writeFileSync(input, formatTable('jsonl', [...table.columns, 'model_answer'], records));
    const judged = await judgeAnswersFile({ answersFile: input, modelKind: 'base' });
    assert.equal(judged.layout, 'benchmark');
    assert.equal(judged.kind, 'qa');
    const strip = ({ input_output_ids: _ids, token_logits: _l, token_logprobs: _lp, token_probs: _p, ...rest }: GeneratedAnswerRow) => rest;
    // gold_answer is the raw file's own column, kept after the paper's.
    assert.deepEqual(
      judged.rows,
      generated.map((row, i) => ({ ...strip(row), gold_answer: table.records[i].gold_answer })),
    );
    assert.equal(judged.columns.includes('input_output_ids'), false, 'no ids in, none out: probing tokenizes');
  });

  it('re-judging a judged file counts the labels that differ from its own (none)', async () => {
    const input = fresh('toy-rejudge.jsonl');
    fs.writeFileSync(input, generated.map((row) => JSON.stringify(row)).join('\n') + '\n');
    const judged = await judgeAnswersFile({ answersFile: input, modelDir: MODEL });
    assert.equal(judged.modelKind, 'base');
    assert.equal(judged.labelsChanged, 0);
    assert.deepEqual(judged.rows, generated);
  });
});

describe('judge: the reference rules on the shipped raw files, hand-written answers', () => {
  it('winogrande: first mention wins, the exact answer cut from the answer, NO ANSWER when neither is named', async () => {
    // Row 0: Mary (gold) / Sarah; row 1: Brett (gold) / Nick; row 2: Robert (gold) / Neil.
    const input = await rawWithAnswers('winogrande_test.csv', [
      ' mary worried, not Sarah.\n',
      ' Nick, because Brett was exhausted\n',
      " I can't tell.\n",
      ' The Cologne? No: the clothing.\n',
    ]);
    const judged = await judgeAnswersFile({ answersFile: input, modelKind: 'base' });
    assert.equal(judged.kind, 'winogrande');
    assert.equal(judged.layout, 'benchmark');
    assert.deepEqual(
      judged.rows.map((r) => [r.automatic_correctness, r.exact_answer, r.valid_exact_answer, r.exact_answer_source]),
      [
        [1, 'mary', 1, 'correctness'],
        [0, 'Nick', 1, 'correctness'],
        [0, 'NO ANSWER', 1, 'correctness'],
        // Row 3: clothing (gold) / cologne; the wrong option, named first, wins even though the gold follows.
        [0, 'Cologne', 1, 'correctness'],
      ],
    );
    // The base prompt is the one-shot with row 0, as generate builds it; the raw columns are kept.
    assert.match(String(judged.rows[1].question), /^Sarah was better at squats than Mary, so _ worried a lot about their weight\. {2}The blank refers to: Mary\nOn the hike/);
    assert.deepEqual(judged.columns, [
      'raw_question', 'question', 'model_answer', 'correct_answer', 'automatic_correctness', 'exact_answer', 'valid_exact_answer',
      'incorrect_answer', 'exact_answer_source', 'Question', 'Answer', 'Wrong_Answer',
    ]);
    assert.equal(judged.outFile.endsWith('winogrande_test-judged.csv'), true);
  });

  it('mnli: the earliest class word decides; its word is the exact answer', async () => {
    const table = await readTable(fixtureDataset('llmsknow', 'mnli_validation.csv'));
    const golds = table.records.slice(0, 3).map((r) => r.Answer);
    assert.deepEqual(golds, ['entailment', 'contradiction', 'entailment']);
    const input = await rawWithAnswers('mnli_validation.csv', [
      ' It is an entailment, not a contradiction.\n',
      ' Neutral. It could also be read as a contradiction.\n',
      ' The hypothesis is entailed.\n',
    ]);
    const judged = await judgeAnswersFile({ answersFile: input, modelKind: 'instruct' });
    assert.equal(judged.kind, 'mnli');
    assert.deepEqual(
      judged.rows.map((r) => [r.automatic_correctness, r.exact_answer, r.valid_exact_answer, r.origin]),
      [
        [1, 'entailment', 1, 'mnli'],
        [0, 'neutral', 1, 'mnli'],
        [1, 'entail', 1, 'mnli'],
      ],
    );
    // Instruct prompts are the question itself.
    assert.equal(judged.rows[0].question, table.records[0].Question);
  });

  it('math: the loose rule (21 inside 121 counts), the gold found in correct answers, the heuristic on wrong ones', async () => {
    // Golds: 21.0, 82.0, 240.0.
    const input = await rawWithAnswers('AnswerableMath_test.csv', [
      ' The temperature decreases by 121 degrees.\n',
      ' 82.0 peanuts remain\n',
      ' 230.\nThat is all.',
    ]);
    const judged = await judgeAnswersFile({ answersFile: input, modelKind: 'base' });
    assert.equal(judged.kind, 'math');
    assert.deepEqual(
      judged.rows.map((r) => [r.correct_answer, r.automatic_correctness, r.exact_answer, r.valid_exact_answer, r.exact_answer_source]),
      [
        // The CSV writes the float gold as pandas does; round(21.0) = 21 is found inside "121".
        ['21.0', 1, '21', 1, 'gold'],
        ['82.0', 1, '82', 1, 'gold'],
        // Base answers are cut to their first line; the final stop goes.
        ['240.0', 0, '230', 1, 'heuristic'],
      ],
    );
    // The raw id column is the row's id, first, as generate writes it.
    assert.equal(judged.columns[0], 'id');
    assert.equal(judged.rows[0].id, '2357');
    assert.match(judged.exactAnswers, /correct rows: the gold found in the answer; wrong rows: heuristic exact answers/);
  });

  it("the paper's model-output layout: the kind from its columns or file name, the model kind from its name", async () => {
    const input = await rawWithAnswers('winogrande_test.csv', [' Mary\n', ' Nick\n']);
    const first = await judgeAnswersFile({ answersFile: input, modelKind: 'base' });
    // Re-read as the paper's layout under the paper's file name: same labels, and the name says base.
    const paper = path.join(path.dirname(input), 'mistral-7b-answers-winogrande.csv');
    fs.copyFileSync(first.outFile, paper);
    const again = await judgeAnswersFile({ answersFile: paper });
    assert.equal(again.layout, 'model-output');
    assert.equal(again.kind, 'winogrande');
    assert.equal(again.modelKind, 'base');
    assert.match(again.modelKindReason, /mistral-7b/);
    assert.equal(again.labelsChanged, 0);
    assert.deepEqual(again.rows.map((r) => r.automatic_correctness), [1, 0]);
    assert.deepEqual(again.rows.map((r) => r.question), first.rows.map((r) => r.question), 'the prompt is taken as written');
    // A movies file named the paper's way is judged by the movies rule.
    const movies = path.join(path.dirname(input), 'llama-3-8b-instruct-answers-movies_test.jsonl');
    fs.writeFileSync(movies, JSON.stringify({ raw_question: 'Who acted as Rick?', question: 'Who acted as Rick?', model_answer: 'Humphrey Bogart', correct_answer: ' Humphrey Bogart ' }) + '\n');
    const byName = await judgeAnswersFile({ answersFile: movies });
    assert.equal(byName.kind, 'movies');
    assert.equal(byName.modelKind, 'instruct');
    // movies strips both sides: the gold's stray spaces do not matter.
    assert.equal(byName.rows[0].automatic_correctness, 1);
  });
});

describe('judge refuses', () => {
  it('to write over its input, or over an existing file without force', async () => {
    const input = await rawWithAnswers('winogrande_test.csv', [' Mary\n']);
    const before = fs.readFileSync(input, 'utf8');
    await assert.rejects(judgeAnswersFile({ answersFile: input, outFile: input, modelKind: 'base' }), (err: unknown) => {
      return err instanceof AnswersFileError && /would overwrite the answers file it is made from/.test(err.message);
    });
    // The same file through another spelling of its path.
    const spelled = path.join(path.dirname(input), '.', path.basename(input));
    await assert.rejects(judgeAnswersFile({ answersFile: input, outFile: spelled, modelKind: 'base', force: true }), AnswersFileError);
    assert.equal(fs.readFileSync(input, 'utf8'), before, 'the input is untouched');
    const out = path.join(path.dirname(input), 'out.csv');
    fs.writeFileSync(out, 'keep me\n');
    await assert.rejects(judgeAnswersFile({ answersFile: input, outFile: out, modelKind: 'base' }), /out\.csv already exists: .*--force/);
    assert.equal(fs.readFileSync(out, 'utf8'), 'keep me\n');
    const forced = await judgeAnswersFile({ answersFile: input, outFile: out, modelKind: 'base', force: true });
    assert.equal(forced.rows[0].automatic_correctness, 1);
    assert.match(fs.readFileSync(out, 'utf8'), /^raw_question,question,model_answer,/);
    assert.equal(fs.existsSync(`${out}.partial`), false);
  });

  it('a file without model_answer, naming the column and what to do', async () => {
    await assert.rejects(judgeAnswersFile({ answersFile: fixtureDataset('llmsknow', 'winogrande_test.csv'), outFile: fresh('x.csv'), modelKind: 'base' }), (err: unknown) => {
      const message = (err as Error).message;
      return message.includes('winogrande_test.csv: column "model_answer": no model_answer column (columns: Question, Answer, Wrong_Answer)') && /run generate/.test(message);
    });
  });

  it('a missing answer cell, naming file, row, line and column', async () => {
    const input = fresh('gaps.jsonl');
    fs.writeFileSync(input, [{ question: 'Q1?', gold_answer: 'a', model_answer: 'a' }, { question: 'Q2?', gold_answer: 'b' }].map((r) => JSON.stringify(r)).join('\n') + '\n');
    await assert.rejects(judgeAnswersFile({ answersFile: input, modelKind: 'base' }), /gaps\.jsonl: row 1 \(line 2\), column "model_answer": expected the model's answer as text, found nothing/);
  });

  it('to guess the model kind', async () => {
    const input = await rawWithAnswers('winogrande_test.csv', [' Mary\n']);
    await assert.rejects(judgeAnswersFile({ answersFile: input }), (err: unknown) => err instanceof JudgeRefused && /--model-kind base\|instruct/.test(err.message));
  });
});
