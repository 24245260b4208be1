import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { examplesForCell } from '../../../src/contract/examples';
import type { ExampleView } from '../../../src/contract/result';
import { matchesSearch, pageRange, passesFilter, selectExamples } from '../../../webview/examplesFilter';
import { sampleResult, sampleResultWithTexts } from '../result/sampleResult';

const many = (n: number): ExampleView[] => examplesForCell(sampleResultWithTexts(n), 0, 0);

describe('selectExamples', () => {
  it('pages 100 at a time: "1–100 of 200", then "101–200 of 200"', () => {
    const examples = many(200);
    const first = selectExamples(examples, { filter: 'all', search: '', page: 0 });
    assert.equal(first.range, '1–100 of 200');
    assert.equal(first.items.length, 100);
    assert.deepEqual([first.page, first.pageCount, first.offset, first.total], [0, 2, 0, 200]);
    assert.deepEqual(first.items, examples.slice(0, 100), 'list order kept');
    const second = selectExamples(examples, { filter: 'all', search: '', page: 1 });
    assert.equal(second.range, '101–200 of 200');
    assert.deepEqual(second.items, examples.slice(100));
  });

  it('clamps the page to the pages there are', () => {
    const examples = many(150);
    assert.equal(selectExamples(examples, { filter: 'all', search: '', page: 9 }).range, '101–150 of 150');
    assert.equal(selectExamples(examples, { filter: 'all', search: '', page: -3 }).range, '1–100 of 150');
    assert.equal(selectExamples(examples, { filter: 'all', search: '', page: 0, pageSize: 40 }).pageCount, 4);
  });

  it('counts every filter; errors = label 0, correct = label 1, misclassified = the probe disagrees', () => {
    const examples = many(200);
    const { counts } = selectExamples(examples, { filter: 'all', search: '', page: 0 });
    // Labels: i % 3 = 0 is an error (67 of 200); P(correct) (i + 0.5)/200 predicts correct for i ≥ 100:
    // errors at i ≥ 100 (33) and correct answers at i < 100 (66) are misclassified.
    assert.deepEqual(counts, { all: 200, errors: 67, misclassified: 99, correct: 133 });
    const errors = selectExamples(examples, { filter: 'errors', search: '', page: 0 });
    assert.equal(errors.range, '1–67 of 67');
    assert.ok(errors.items.every((e) => e.label === 0));
    assert.ok(selectExamples(examples, { filter: 'misclassified', search: '', page: 0 }).items.every((e) => e.misclassified));
    assert.ok(selectExamples(examples, { filter: 'correct', search: '', page: 1 }).items.every((e) => e.label === 1));
    assert.equal(selectExamples(examples, { filter: 'correct', search: '', page: 1 }).range, '101–133 of 133');
  });

  it('searches question and answers case-insensitively, every word, and counts within the search', () => {
    const examples = many(200);
    // "oslo" is the gold of i % 6 = 2 and the wrong answer of i % 6 = 1 with i % 3 = 0 (i % 6 = 3: no).
    const oslo = selectExamples(examples, { filter: 'all', search: '  OSLO ', page: 0 });
    const expected = examples.filter((e) => [e.goldAnswer, e.modelAnswer].some((t) => t?.includes('Oslo')));
    assert.equal(oslo.total, expected.length);
    assert.ok(oslo.total > 0 && oslo.total < 200);
    assert.equal(oslo.counts.all, oslo.total);
    assert.equal(oslo.counts.errors + oslo.counts.correct, oslo.total);
    const one = selectExamples(examples, { filter: 'all', search: 'land 142?', page: 0 });
    assert.deepEqual(one.items.map((e) => e.rowIndex), [242]);
    assert.equal(one.range, '1 of 1');
    const none = selectExamples(examples, { filter: 'errors', search: 'Atlantis', page: 0 });
    assert.deepEqual([none.total, none.items.length, none.range, none.pageCount], [0, 0, '0 of 0', 1]);
  });

  it("searches the token text of a result without text fields", () => {
    const examples = examplesForCell(sampleResult(), 0, 0);
    assert.deepEqual(selectExamples(examples, { filter: 'all', search: 'rome', page: 0 }).items.map((e) => e.rowIndex), [2]);
  });
});

describe('filters, search and the range text', () => {
  const example = many(3)[0]!;
  it('passesFilter', () => {
    assert.equal(passesFilter(example, 'all'), true);
    assert.equal(passesFilter(example, 'errors'), example.label === 0);
    assert.equal(passesFilter(example, 'correct'), example.label === 1);
    assert.equal(passesFilter(example, 'misclassified'), example.misclassified);
  });
  it('matchesSearch: a blank search matches everything', () => {
    assert.equal(matchesSearch(example, ''), true);
    assert.equal(matchesSearch(example, '   '), true);
    assert.equal(matchesSearch(example, 'QUESTION 0:'), true);
    assert.equal(matchesSearch(example, 'question zebra'), false);
  });
  it('pageRange', () => {
    assert.equal(pageRange(0, 100, 200), '1–100 of 200');
    assert.equal(pageRange(200, 1, 201), '201 of 201');
    assert.equal(pageRange(0, 0, 0), '0 of 0');
  });
});
