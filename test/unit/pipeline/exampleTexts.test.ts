import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ColumnMapping } from '../../../src/contract/columns';
import { TEST_TEXT_LIMIT } from '../../../src/contract/result';
import type { Table } from '../../../src/core/dataset/table';
import { cut, displayText, exampleTexts } from '../../../src/core/pipeline/exampleTexts';
import type { DatasetRow } from '../../../src/core/types';

function table(columns: string[], records: Record<string, unknown>[]): Table {
  return { file: 'answers.csv', format: 'csv', columns, records, lines: records.map((_, i) => i + 2) };
}

function rows(t: Table, mapping: ColumnMapping, indices: number[]): DatasetRow[] {
  return indices.map((rowIndex) => {
    const record = t.records[rowIndex]!;
    const row: DatasetRow = {
      rowIndex,
      line: rowIndex + 2,
      prompt: String(record[mapping.prompt]),
      answer: String(record[mapping.answer]),
      correct: Number(record[mapping.correct]) as 0 | 1,
    };
    if (mapping.exactAnswer) row.exactAnswer = String(record[mapping.exactAnswer]);
    return row;
  });
}

describe('exampleTexts', () => {
  it("reads the answers file's raw_question and correct_answer beside the mapped prompt, answer and exact answer", () => {
    const t = table(['raw_question', 'question', 'model_answer', 'correct_answer', 'automatic_correctness', 'exact_answer'], [
      { raw_question: 'Capital of France?', question: 'Q: Capital of France?\nA:', model_answer: 'It is Paris.', correct_answer: 'Paris', automatic_correctness: '1', exact_answer: 'Paris' },
      { raw_question: 'Capital of Italy?', question: 'Q: Capital of Italy?\nA:', model_answer: 'Milan', correct_answer: "['Rome', 'Roma']", automatic_correctness: '0', exact_answer: 'Milan' },
      { raw_question: ' ', question: 'Q: Capital of Norway?\nA:', model_answer: 'Oslo', correct_answer: '', automatic_correctness: '1', exact_answer: 'Oslo' },
    ]);
    const mapping: ColumnMapping = { prompt: 'question', answer: 'model_answer', correct: 'automatic_correctness', exactAnswer: 'exact_answer' };
    assert.deepEqual(exampleTexts(t, mapping, rows(t, mapping, [1, 0, 2])), {
      // A blank raw question falls back to the prompt.
      question: ['Capital of Italy?', 'Capital of France?', 'Q: Capital of Norway?\nA:'],
      modelAnswer: ['Milan', 'It is Paris.', 'Oslo'],
      goldAnswer: ["['Rome', 'Roma']", 'Paris', ''],
      exactAnswer: ['Milan', 'Paris', 'Oslo'],
    });
  });

  it('takes a gold_answer column (any case), and `answer` only when no role uses it', () => {
    const t = table(['Prompt', 'Gold Answer', 'answer', 'model_answer', 'is_correct'], [
      { Prompt: 'p', 'Gold Answer': 'g', answer: 'a', model_answer: 'm', is_correct: 1 },
    ]);
    const mapping: ColumnMapping = { prompt: 'Prompt', answer: 'model_answer', correct: 'is_correct' };
    const texts = exampleTexts(t, mapping, rows(t, mapping, [0]));
    assert.deepEqual(texts.goldAnswer, ['g']);
    assert.equal('exactAnswer' in texts, false, 'no exact-answer column, no exactAnswer field');
    const plain = table(['prompt', 'answer', 'correct'], [{ prompt: 'p', answer: 'a', correct: 1 }]);
    const own: ColumnMapping = { prompt: 'prompt', answer: 'answer', correct: 'correct' };
    assert.equal('goldAnswer' in exampleTexts(plain, own, rows(plain, own, [0])), false, "the model's answer is no gold");
    const both = table(['prompt', 'answer', 'model_answer', 'correct'], [{ prompt: 'p', answer: ['Rome', 'Roma'], model_answer: 'm', correct: 1 }]);
    const m: ColumnMapping = { prompt: 'prompt', answer: 'model_answer', correct: 'correct' };
    assert.deepEqual(exampleTexts(both, m, rows(both, m, [0])).goldAnswer, ['Rome; Roma'], 'a JSON alias list');
  });

  it('cuts every field to the limit with an ellipsis', () => {
    const long = 'x'.repeat(5000);
    const t = table(['prompt', 'model_answer', 'correct', 'gold_answer'], [{ prompt: long, model_answer: long, correct: 1, gold_answer: long }]);
    const mapping: ColumnMapping = { prompt: 'prompt', answer: 'model_answer', correct: 'correct' };
    const texts = exampleTexts(t, mapping, rows(t, mapping, [0]));
    for (const field of [texts.question, texts.modelAnswer, texts.goldAnswer]) {
      assert.equal(field?.[0]?.length, TEST_TEXT_LIMIT);
      assert.ok(field?.[0]?.endsWith('x…'));
    }
  });
});

describe('cut and displayText', () => {
  it('never splits a surrogate pair', () => {
    assert.equal(cut('abc', 3), 'abc');
    assert.equal(cut('abcd', 3), 'ab…');
    assert.equal(cut('a😀bc', 3), 'a…');
  });
  it('shows cells as text', () => {
    assert.equal(displayText(undefined), '');
    assert.equal(displayText(null), '');
    assert.equal(displayText(42), '42');
    assert.equal(displayText(['a', 1]), 'a; 1');
    assert.equal(displayText({ a: 1 }), '{"a":1}');
  });
});
