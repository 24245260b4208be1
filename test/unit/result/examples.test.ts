import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { examplesForCell } from '../../../src/contract/examples';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { sampleResult, sampleResultWithTexts } from './sampleResult';

describe('examplesForCell', () => {
  it('lists the held-out examples most error-like first (ascending P(correct))', () => {
    const examples = examplesForCell(sampleResult(), 0, 0);
    assert.deepEqual(
      examples.map((e) => [e.rowIndex, e.score]),
      [
        [2, 0.2],
        [5, 0.3],
        [9, 0.6],
        [7, 0.9],
      ],
    );
  });

  it('marks labels and misclassifications (prediction = P(correct) ≥ 0.5)', () => {
    const byRow = new Map(examplesForCell(sampleResult(), 0, 0).map((e) => [e.rowIndex, e]));
    assert.deepEqual(
      [7, 2, 5, 9].map((row) => [row, byRow.get(row)?.label, byRow.get(row)?.misclassified]),
      [
        [7, 1, false],
        [2, 0, false],
        [5, 1, true],
        [9, 0, true],
      ],
    );
  });

  it('carries the line, pieces and prompt length of each example', () => {
    const first = examplesForCell(sampleResult(), 0, 0)[0];
    assert.equal(first?.rowIndex, 2);
    assert.equal(first?.line, 3);
    assert.equal(first?.qLength, 3);
    assert.deepEqual(first?.pieces, ['<s>', 'Q2', '?', ' Rome', '.', '</s>']);
  });

  it("carries each example's question, gold, model and exact answer when the result has them", () => {
    const result = sampleResultWithTexts(6);
    const byRow = new Map(examplesForCell(result, 1, 4).map((e) => [e.rowIndex, e]));
    const third = byRow.get(103);
    assert.equal(third?.question, 'Question 3: which city is the capital of land 3?');
    assert.equal(third?.goldAnswer, 'Madrid');
    assert.equal(third?.modelAnswer, 'The answer is Berlin.');
    assert.equal(third?.exactAnswer, 'berlin');
    assert.equal(third?.label, 0);
  });

  it('leaves the text fields out for a result without them, and carries those it has', () => {
    const [first] = examplesForCell(sampleResult(), 0, 0);
    for (const name of ['question', 'goldAnswer', 'modelAnswer', 'exactAnswer']) assert.equal(name in first!, false, name);
    const some = sampleResult();
    some.test.modelAnswer = ['Paris.', 'Rome.', 'Oslo.', 'Bern.'];
    const rome = examplesForCell(some, 0, 0).find((e) => e.rowIndex === 2);
    assert.equal(rome?.modelAnswer, 'Rome.');
    assert.equal('goldAnswer' in rome!, false);
  });

  it("takes the probed index from the example's position for the cell's column", () => {
    const result = sampleResult();
    const expected = [2, 3, 4, 2, 3, 3, 4, -2, -1, 0, 1, 2, 3, 4, 5];
    TOKEN_POSITIONS.forEach((_, column) => {
      for (const example of examplesForCell(result, 2, column)) assert.equal(example.probedIndex, expected[column]);
    });
  });

  it('maps columns to positions by name when the result has fewer columns', () => {
    const result = sampleResult();
    // An IMDB-like result: only last_q, exact_answer_last and -1 are columns.
    const keep = [0, 5, 14];
    result.tokens = keep.map((i) => TOKEN_POSITIONS[i]!);
    result.test.scores = result.test.scores.map((layer) => keep.map((i) => layer[i]!));
    assert.deepEqual(
      [0, 1, 2].map((column) => examplesForCell(result, 1, column)[0]?.probedIndex),
      [2, 3, 5],
    );
  });

  it("uses the cell's own scores (layer 2 differs from layer 0)", () => {
    assert.deepEqual(
      examplesForCell(sampleResult(), 2, 7).map((e) => e.score),
      [0.25, 0.35, 0.65, 0.95],
    );
  });

  it('breaks score ties by row index', () => {
    const result = sampleResult();
    result.test.scores[0]![0] = [0.5, 0.5, 0.5, 0.1];
    assert.deepEqual(
      examplesForCell(result, 0, 0).map((e) => e.rowIndex),
      [9, 2, 5, 7],
    );
  });

  it('rejects a layer or column outside the result', () => {
    assert.throws(() => examplesForCell(sampleResult(), 3, 0), RangeError);
    assert.throws(() => examplesForCell(sampleResult(), 0, 15), RangeError);
    assert.throws(() => examplesForCell(sampleResult(), 0, -1), RangeError);
  });
});
