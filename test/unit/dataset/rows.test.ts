import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { ColumnMapping } from '../../../src/contract/columns';
import { resolveColumnMapping } from '../../../src/core/dataset/columns';
import { DatasetError } from '../../../src/core/dataset/errors';
import { readTable, type Table } from '../../../src/core/dataset/readTable';
import { toRows } from '../../../src/core/dataset/rows';
import { pandasCsv, writeTemp } from './tempFiles';

const BASIC: ColumnMapping = { prompt: 'prompt', answer: 'answer', correct: 'correct' };

function table(records: Record<string, unknown>[], format: Table['format'] = 'jsonl'): Table {
  const columns = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return { file: 'data.jsonl', format, columns, records, lines: records.map((_, i) => 10 + 2 * i) };
}

function throwsDatasetError(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DatasetError, `expected a DatasetError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

test('correctness values: 1/0, true/false in any case, "1"/"0", 1.0/0.0', () => {
  const values = [1, 0, true, false, 'TRUE', 'False', '1', '0', '1.0', '0.0', 1.0, ' 1 '];
  const { rows, dropped } = toRows(table(values.map((correct) => ({ prompt: 'p', answer: 'a', correct }))), BASIC);
  assert.deepEqual(rows.map((r) => r.correct), [1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1]);
  assert.deepEqual(dropped, []);
  assert.deepEqual(rows[3], { rowIndex: 3, line: 16, prompt: 'p', answer: 'a', correct: 0 });
});

test('a bad correctness value names the file, row, line and column', () => {
  const records = [
    { prompt: 'p', answer: 'a', correct: 1 },
    { prompt: 'p', answer: 'a', correct: 'yes' },
  ];
  throwsDatasetError(
    () => toRows(table(records), BASIC),
    'data.jsonl: row 1 (line 12), column "correct": "yes" is not 1/0, true/false or 1.0/0.0',
  );
  throwsDatasetError(
    () => toRows(table([{ prompt: 'p', answer: 'a', correct: 2 }]), BASIC),
    'data.jsonl: row 0 (line 10), column "correct": 2 is not 1/0, true/false or 1.0/0.0',
  );
});

test('a missing required cell, or a mapped column the file lacks, is an error', () => {
  throwsDatasetError(
    () => toRows(table([{ prompt: 'p', answer: 'a', correct: 1 }, { prompt: 'p', correct: 1 }]), BASIC),
    'data.jsonl: row 1 (line 12), column "answer": the cell is empty; every row needs a value here',
  );
  throwsDatasetError(
    () => toRows(table([{ prompt: null, answer: 'a', correct: 1 }]), BASIC),
    'data.jsonl: row 0 (line 10), column "prompt": the cell is empty; every row needs a value here',
  );
  throwsDatasetError(
    () => toRows(table([{ prompt: 'p', answer: 'a', correct: 1 }]), { ...BASIC, correct: 'label' }),
    'data.jsonl: column "label": is mapped to correct but is not in the file; the columns are "prompt", "answer", "correct"',
  );
});

test("the reference CSV: multi-line answers, validity filtering as the reference's, lines kept", async () => {
  const columns = ['raw_question', 'question', 'model_answer', 'correct_answer', 'automatic_correctness', 'exact_answer', 'valid_exact_answer'];
  const text = pandasCsv(columns, [
    ['Q0', 'Q: Q0\nA:', ' Paris.\nIt is the capital.</s>', 'Paris', 1, 'Paris', 1], // kept
    ['Q1', 'Q: Q1', ' I do not know.</s>', 'Rome', 0, 'NO ANSWER', 1], // NO ANSWER
    ['Q2', 'Q: Q2', ' Lyon</s>', 'Nice', 0, 'Lyon', 0], // flagged invalid
    ['Q3', 'Q: Q3', ' </s>', 'Bern', 0, '', 0], // empty (NaN)
    ['Q4', 'Q: Q4', ' Oslo</s>', 'Oslo', 1, 'Oslo', ''], // flag NaN
    ['Q5', 'Q: Q5', ' NA</s>', 'Nairobi', 0, 'NA', 1], // pandas reads "NA" as NaN
    ['Q6', 'Q: Q6', ' 1066\n</s>', '1066', '1.0', '1066', '1.0'], // kept; pandas float formatting
  ]);
  const file = writeTemp('mistral-7b-instruct-answers-movies.csv', text);
  const t = await readTable(file);
  const { rows, dropped } = toRows(t, resolveColumnMapping(file, t.columns));
  assert.deepEqual(dropped, [{ reason: 'invalid exact answer', count: 5 }]);
  assert.deepEqual(rows, [
    { rowIndex: 0, line: 2, prompt: 'Q: Q0\nA:', answer: ' Paris.\nIt is the capital.</s>', correct: 1, exactAnswer: 'Paris' },
    { rowIndex: 6, line: 10, prompt: 'Q: Q6', answer: ' 1066\n</s>', correct: 1, exactAnswer: '1066' },
  ]);
});

test('each dropped row is named with its reason, the flag read as the validity rule reads it', () => {
  const mapping: ColumnMapping = { ...BASIC, exactAnswer: 'exact', validExactAnswer: 'ok' };
  const records = [
    { prompt: 'p', answer: 'a', correct: 1, exact: 'a', ok: 'True' },
    { prompt: 'p', answer: 'a', correct: 0, exact: 'NO ANSWER', ok: 'True' },
    { prompt: 'p', answer: 'a', correct: 0, exact: 'a', ok: 0 },
    { prompt: 'p', answer: 'a', correct: 0, exact: '', ok: 1.0 },
    { prompt: 'p', answer: 'a', correct: 0, exact: 'a', ok: null },
  ];
  const { rows, droppedRows } = toRows(table(records), mapping);
  assert.deepEqual(rows.map((r) => r.rowIndex), [0]);
  assert.deepEqual(droppedRows, [
    'row 1 (line 12): invalid exact answer (NO ANSWER)',
    'row 2 (line 14): invalid exact answer (ok is 0, not 1)',
    'row 3 (line 16): invalid exact answer (the cell is empty)',
    'row 4 (line 18): invalid exact answer (ok is empty, not 1)',
  ]);
});

test('without a validity column, the exact answer alone decides; a bad flag is an error', () => {
  const mapping: ColumnMapping = { ...BASIC, exactAnswer: 'exact' };
  const records = [
    { prompt: 'p', answer: 'a', correct: 1, exact: 'a' },
    { prompt: 'p', answer: 'a', correct: 0, exact: 'NO ANSWER' },
    { prompt: 'p', answer: 'a', correct: 0, exact: null },
    { prompt: 'p', answer: '12', correct: 0, exact: 12 },
    { prompt: 'p', answer: 'NA', correct: 0, exact: 'NA' }, // text in JSON, not NaN
  ];
  const { rows, dropped } = toRows(table(records), mapping);
  assert.deepEqual(rows.map((r) => [r.rowIndex, r.exactAnswer]), [[0, 'a'], [3, '12'], [4, 'NA']]);
  assert.deepEqual(dropped, [{ reason: 'invalid exact answer', count: 2 }]);
  throwsDatasetError(
    () => toRows(table([{ prompt: 'p', answer: 'a', correct: 1, exact: 'a', ok: 'maybe' }]), { ...mapping, validExactAnswer: 'ok' }),
    'data.jsonl: row 0 (line 10), column "ok": "maybe" is not 1/0, true/false or 1.0/0.0',
  );
  throwsDatasetError(
    () => toRows(table([{ prompt: 'p', answer: 'a', correct: 1, exact: 'NO ANSWER' }]), mapping),
    'data.jsonl: column "exact": no usable rows: all 1 have an invalid exact answer (empty, NO ANSWER, or not flagged valid)',
  );
});

test('split: train/test, and validation/val/dev as test, in any case; anything else is an error', () => {
  const mapping: ColumnMapping = { ...BASIC, split: 'split' };
  const splits = ['train', 'TEST', 'Validation', 'val', ' dev '];
  const { rows } = toRows(table(splits.map((split) => ({ prompt: 'p', answer: 'a', correct: 1, split }))), mapping);
  assert.deepEqual(rows.map((r) => r.split), ['train', 'test', 'test', 'test', 'test']);
  throwsDatasetError(
    () => toRows(table([{ prompt: 'p', answer: 'a', correct: 1, split: 'holdout' }]), mapping),
    'data.jsonl: row 0 (line 10), column "split": "holdout" is not a split; expected train, test, validation, val, dev',
  );
});

test('input_output_ids: a JSON list (text in CSV) of non-negative integers', async () => {
  const mapping: ColumnMapping = { ...BASIC, inputOutputIds: 'ids' };
  const file = writeTemp('ids.csv', pandasCsv(['prompt', 'answer', 'correct', 'ids'], [['p', 'a', 1, '[1, 2, 30]']]));
  assert.deepEqual(toRows(await readTable(file), mapping).rows[0].inputOutputIds, [1, 2, 30]);
  assert.deepEqual(toRows(table([{ prompt: 'p', answer: 'a', correct: 1, ids: [0, 5] }]), mapping).rows[0].inputOutputIds, [0, 5]);
  const bad: [unknown, string][] = [
    ['tensor([1, 2])', '"tensor([1, 2])" is not a JSON list of token ids'],
    [[1, -2], 'token id 1 is -2, not a non-negative integer'],
    [[1, 2.5], 'token id 1 is 2.5, not a non-negative integer'],
    ['[]', 'the token id list is empty'],
    [{ ids: 1 }, '{"ids":1} is not a list of token ids'],
  ];
  for (const [ids, problem] of bad) {
    throwsDatasetError(
      () => toRows(table([{ prompt: 'p', answer: 'a', correct: 1, ids }]), mapping),
      `data.jsonl: row 0 (line 10), column "ids": ${problem}`,
    );
  }
});
