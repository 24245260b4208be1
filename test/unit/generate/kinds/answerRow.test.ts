import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { answerColumns, answerRow, type BenchmarkItem, maxNewTokens, stopRule } from '../../../../src/core/generate/kinds';

const item = (correctAnswer: BenchmarkItem['correctAnswer'], extra: Partial<BenchmarkItem> = {}): BenchmarkItem => ({
  rowIndex: 0,
  line: 2,
  rawQuestion: 'raw',
  correctAnswer,
  aliases: [],
  ...extra,
});

const BASE = ['raw_question', 'question', 'model_answer', 'correct_answer', 'automatic_correctness', 'exact_answer', 'valid_exact_answer'];

describe("answerRow: the paper's model-output columns, in order", () => {
  it('the seven common columns, exact answer from the extraction when given', () => {
    const row = answerRow('movies', item('Tom Hanks'), 'Q: raw\n        A:', ' Tom Hanks\n', { automaticCorrectness: 1 }, { exactAnswer: 'Tom Hanks', valid: 1 });
    assert.deepEqual(Object.keys(row), BASE);
    assert.deepEqual(Object.values(row), ['raw', 'Q: raw\n        A:', ' Tom Hanks\n', 'Tom Hanks', 1, 'Tom Hanks', 1]);
  });

  it('exact answer not known yet: null cells', () => {
    const row = answerRow('math', item(9), 'p', 'a', { automaticCorrectness: 0 });
    assert.deepEqual([row.correct_answer, row.exact_answer, row.valid_exact_answer], [9, null, null]);
  });

  it('winobias: + incorrect_answer, stereotype, type; winogrande: + incorrect_answer; mnli: + origin', () => {
    const judgement = { automaticCorrectness: 1 as const, exactAnswer: 'developer', validExactAnswer: 1 as const };
    const wb = answerRow('winobias', item('developer', { incorrectAnswer: 'designer', stereotype: 'pro', type: 1 }), 'p', 'a', judgement);
    assert.deepEqual(Object.keys(wb), [...BASE, 'incorrect_answer', 'stereotype', 'type']);
    assert.deepEqual([wb.exact_answer, wb.valid_exact_answer, wb.incorrect_answer, wb.stereotype, wb.type], ['developer', 1, 'designer', 'pro', 1]);
    const wg = answerRow('winogrande', item('Mary', { incorrectAnswer: 'Sarah' }), 'p', 'a', judgement);
    assert.deepEqual(Object.keys(wg), [...BASE, 'incorrect_answer']);
    const nli = answerRow('mnli', item('neutral', { origin: 'mnli' }), 'p', 'a', judgement);
    assert.deepEqual(Object.keys(nli), [...BASE, 'origin']);
    for (const [kind, row] of [['winobias', wb], ['winogrande', wg], ['mnli', nli]] as const) assert.deepEqual(answerColumns(kind), Object.keys(row));
  });

  it("TriviaQA's alias list is written as its Python repr", () => {
    const row = answerRow('triviaqa', item(['Paris', "Paris's", 'a\\b']), 'p', 'a', { automaticCorrectness: 0 });
    assert.equal(row.correct_answer, `['Paris', "Paris's", 'a\\\\b']`);
  });
});

describe('generation settings', () => {
  it('max_new_tokens 100, math 200; base models stop on the newline, instruct on EOS', () => {
    assert.equal(maxNewTokens('triviaqa'), 100);
    assert.equal(maxNewTokens('imdb'), 100);
    assert.equal(maxNewTokens('math'), 200);
    assert.equal(stopRule('base').stopOn, 'newline');
    assert.equal(stopRule('instruct').stopOn, 'eos');
  });
});
