import assert from 'node:assert/strict';
import { test } from 'node:test';

import { columnSamples, detectColumns, parseColumnOverrides, resolveColumnMapping, SAMPLE_CHARS } from '../../../src/core/dataset/columns';
import { DatasetError } from '../../../src/core/dataset/errors';
import { readTable } from '../../../src/core/dataset/readTable';
import { fixtureDataset } from '../../helpers/fixtures';

const REFERENCE_COLUMNS = [
  '',
  'Unnamed: 0',
  'raw_question',
  'question',
  'model_answer',
  'correct_answer',
  'automatic_correctness',
  'exact_answer',
  'valid_exact_answer',
  'incorrect_answer',
];

function throwsDatasetError(fn: () => unknown, message: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof DatasetError, `expected a DatasetError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

test("the reference's model-output CSV maps as-is", () => {
  const detection = detectColumns(REFERENCE_COLUMNS);
  assert.deepEqual(detection, {
    mapping: {
      prompt: 'question',
      answer: 'model_answer',
      correct: 'automatic_correctness',
      exactAnswer: 'exact_answer',
      validExactAnswer: 'valid_exact_answer',
    },
    ambiguous: [],
    missing: [],
    refusal: undefined,
  });
  assert.deepEqual(resolveColumnMapping('answers.csv', REFERENCE_COLUMNS), detection.mapping);
});

test('obvious JSONL names map, case-insensitively, with the optional roles', () => {
  const detection = detectColumns(['id', 'Prompt', 'RESPONSE', 'is_correct', 'Exact Answer', 'split', 'input_output_ids']);
  assert.deepEqual(detection.mapping, {
    prompt: 'Prompt',
    answer: 'RESPONSE',
    correct: 'is_correct',
    exactAnswer: 'Exact Answer',
    split: 'split',
    inputOutputIds: 'input_output_ids',
  });
  assert.deepEqual(detection.ambiguous, []);
  assert.deepEqual(detection.missing, []);
  assert.deepEqual(detectColumns(['input', 'completion', 'label']).mapping, { prompt: 'input', answer: 'completion', correct: 'label' });
});

test('preferences: model_answer over answer, an explicit correctness column over label', () => {
  const detection = detectColumns(['question', 'answer', 'model_answer', 'label', 'correct']);
  assert.deepEqual(detection.mapping, { prompt: 'question', answer: 'model_answer', correct: 'correct' });
  assert.deepEqual(detection.ambiguous, []);
});

test('equally good candidates are reported as ambiguous, not guessed', () => {
  const detection = detectColumns(['prompt', 'question', 'answer', 'response', 'correct']);
  assert.deepEqual(detection.mapping, { correct: 'correct' });
  assert.deepEqual(detection.ambiguous, [
    { role: 'prompt', candidates: ['prompt', 'question'] },
    { role: 'answer', candidates: ['answer', 'response'] },
  ]);
  assert.deepEqual(detection.missing, []);
  assert.equal(detection.refusal, undefined);
  const columns = ['prompt', 'question', 'answer', 'response', 'correct'];
  throwsDatasetError(
    () => resolveColumnMapping('x.jsonl', columns),
    'x.jsonl: ambiguous columns (prompt: "prompt" or "question"; answer: "answer" or "response"); choose with --columns role=name',
  );
  assert.deepEqual(resolveColumnMapping('x.jsonl', columns, { prompt: 'question', answer: 'Response' }), {
    prompt: 'question',
    answer: 'response',
    correct: 'correct',
  });
});

test("a raw question file (the reference's movie_qa_test.csv) is refused as not model answers", async () => {
  const table = await readTable(fixtureDataset('llmsknow', 'movie_qa_test.csv'));
  const detection = detectColumns(table.columns);
  assert.deepEqual(detection.mapping, { prompt: 'Question', answer: 'Answer' });
  assert.deepEqual(detection.missing, ['correct']);
  assert.ok(detection.refusal);
  assert.throws(
    () => resolveColumnMapping(table.file, table.columns),
    (err: unknown) => {
      assert.ok(err instanceof DatasetError);
      assert.ok(err.message.startsWith(`${table.file}: this looks like a raw question file (questions with their gold answers), not model answers`));
      assert.match(err.message, /no correctness column \(automatic_correctness, is_correct, correct, correctness, label\)/);
      assert.match(err.message, /model_answer, automatic_correctness/);
      return true;
    },
  );
});

test('the other reference data files and a questions-only JSONL are refused the same way', async () => {
  for (const file of [
    fixtureDataset('llmsknow', 'mnli_validation.csv'),
    fixtureDataset('llmsknow', 'winogrande_test.csv'),
    fixtureDataset('llmsknow', 'winobias_dev.csv'),
    fixtureDataset('llmsknow', 'AnswerableMath_test.csv'),
    fixtureDataset('toy-facts', 'facts_questions_only.jsonl'),
  ]) {
    const { columns } = await readTable(file);
    assert.match(detectColumns(columns).refusal ?? '', /^this looks like a raw question file/, file);
  }
});

test('a file with model answers but no correctness column says what is missing', () => {
  const columns = ['prompt', 'model_answer'];
  const detection = detectColumns(columns);
  assert.deepEqual(detection.missing, ['correct']);
  assert.equal(detection.refusal, undefined);
  throwsDatasetError(
    () => resolveColumnMapping('m.jsonl', columns),
    'm.jsonl: no column for correct (automatic_correctness, is_correct, correct, correctness, label); the columns are "prompt", "model_answer"; name them with --columns role=name',
  );
});

test('overrides must name columns that exist and may not reuse a column', () => {
  throwsDatasetError(
    () => resolveColumnMapping('o.csv', ['q', 'a', 'ok'], { prompt: 'q', answer: 'a', correct: 'right' }),
    'o.csv: column "right": given for correct is not in the file; the columns are "q", "a", "ok"',
  );
  throwsDatasetError(
    () => resolveColumnMapping('o.csv', ['q', 'a', 'ok'], { prompt: 'q', answer: 'q', correct: 'ok' }),
    'o.csv: column "q": is used both as prompt and as answer',
  );
  assert.deepEqual(resolveColumnMapping('o.csv', ['q', 'a', 'ok'], { prompt: 'q', answer: 'a', correct: 'ok' }), {
    prompt: 'q',
    answer: 'a',
    correct: 'ok',
  });
});

test('parseColumnOverrides reads role=name lists', () => {
  assert.deepEqual(parseColumnOverrides('prompt=q,answer=a'), { prompt: 'q', answer: 'a' });
  assert.deepEqual(parseColumnOverrides(' Correct = is ok , exact_answer=ea,inputOutputIds=ids,'), {
    correct: 'is ok',
    exactAnswer: 'ea',
    inputOutputIds: 'ids',
  });
  assert.deepEqual(parseColumnOverrides(''), {});
  throwsDatasetError(
    () => parseColumnOverrides('question=q'),
    '--columns: unknown role "question"; roles are prompt, answer, correct, exactAnswer, validExactAnswer, split, inputOutputIds',
  );
  throwsDatasetError(() => parseColumnOverrides('prompt'), '--columns: "prompt" names no column; write prompt=COLUMN');
  throwsDatasetError(() => parseColumnOverrides('prompt=a,prompt=b'), '--columns: the role prompt is given twice');
});

test('columnSamples: the first three values of each column, quoted, line breaks visible, long ones cut to 60 characters', async () => {
  const long = 'Q: ' + 'a very long question '.repeat(5);
  const records = [
    { prompt: long, question: 'Who?\nA:', n: 1 },
    { prompt: 'short', question: '', n: 2.5 },
    { prompt: 'third', n: null },
    { prompt: 'fourth, not shown', question: 'x', n: 4 },
  ];
  const samples = columnSamples(['prompt', 'question', 'n'], records);
  assert.deepEqual(samples.question, ['"Who?\\nA:"', '""', '(missing)']);
  assert.deepEqual(samples.n, ['1', '2.5', 'null']);
  assert.equal(samples.prompt.length, 3);
  assert.equal(samples.prompt[0].length, SAMPLE_CHARS);
  assert.equal(samples.prompt[0], `${JSON.stringify(long).slice(0, SAMPLE_CHARS - 1)}…`);
  assert.deepEqual(samples.prompt.slice(1), ['"short"', '"third"']);
  assert.deepEqual(columnSamples(['prompt'], []), { prompt: [] });
  // A CSV's values are strings: shown quoted as they are in the file.
  const table = await readTable(fixtureDataset('llmsknow', 'movie_qa_test.csv'));
  const [first] = columnSamples([table.columns[1]], table.records)[table.columns[1]];
  assert.ok(first.startsWith('"') && first.length <= SAMPLE_CHARS, first);
});
