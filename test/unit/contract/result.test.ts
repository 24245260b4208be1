import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseProbeResult, RESULT_SCHEMA_VERSION, ResultFormatError } from '../../../src/contract/result';
import { sampleResult, sampleResultWithTexts } from '../result/sampleResult';

const text = (value: unknown): string => JSON.stringify(value);
const refused = (value: unknown, message: RegExp): void =>
  assert.throws(() => parseProbeResult(typeof value === 'string' ? value : text(value), 'runs/a/result.json'), (err: unknown) => err instanceof ResultFormatError && message.test(err.message));

describe('parseProbeResult', () => {
  it('reads back what the pipeline writes', () => {
    const result = sampleResult();
    assert.deepEqual(parseProbeResult(text(result)), result);
    assert.deepEqual(parseProbeResult(result), result, 'an already-parsed value too');
  });

  it('reads results with and without the examples\' text fields (question, gold, model and exact answer)', () => {
    const withTexts = sampleResultWithTexts(5);
    assert.deepEqual(parseProbeResult(text(withTexts)), withTexts);
    const some = sampleResult();
    some.test.question = ['q1', 'q2', 'q3', 'q4'];
    some.test.modelAnswer = ['a1', 'a2', 'a3', 'a4'];
    assert.deepEqual(parseProbeResult(text(some)), some, 'each field is optional on its own');
    const older = sampleResult();
    assert.equal('question' in older.test, false);
    assert.deepEqual(parseProbeResult(text(older)), older, 'a schema-2 result written before the fields');
  });

  it('refuses a text field of the wrong length or with a non-text entry, naming it', () => {
    const short = sampleResultWithTexts(5);
    short.test.goldAnswer!.pop();
    refused(short, /runs\/a\/result\.json: test\.goldAnswer has 4 entries, expected 5/);
    const notArray = sampleResultWithTexts(5) as unknown as { test: Record<string, unknown> };
    notArray.test.exactAnswer = 'paris';
    refused(notArray, /test\.exactAnswer must be an array/);
    const notText = sampleResultWithTexts(5);
    (notText.test.question as unknown[])[3] = 42;
    refused(notText, /test\.question\[3\] must be a string/);
  });

  it('refuses other schema versions, saying what to do', () => {
    refused({ ...sampleResult(), schemaVersion: 1 }, new RegExp(`runs/a/result\\.json: has result schema 1; this version of Layer Probe reads schema ${RESULT_SCHEMA_VERSION}: probe the dataset again`));
    refused({ hello: 'world' }, /runs\/a\/result\.json: is not a Layer Probe result \(no schemaVersion\)/);
  });

  it('refuses malformed files naming the field', () => {
    refused('{"schemaVersion": 2', /is not valid JSON/);
    refused('[1,2]', /not a JSON object/);
    const noModel = { ...sampleResult() } as Record<string, unknown>;
    delete noModel.model;
    refused(noModel, /model is missing/);
    const short = sampleResult();
    short.metrics.auc.pop();
    refused(short, /metrics\.auc must have one row per layer \(3\)/);
    const badCell = sampleResult();
    (badCell.metrics.f1[1] as unknown[])[4] = 'high';
    refused(badCell, /metrics\.f1\[1\]\[4\] must be a number or null/);
    const badLabel = sampleResult();
    (badLabel.test.label as unknown[])[2] = 2;
    refused(badLabel, /test\.label\[2\] must be 0 or 1/);
    const fewScores = sampleResult();
    fewScores.test.scores[0][0] = [0.5];
    refused(fewScores, /test\.scores\[0\]\[0\] must hold one score per test row/);
    const badLocation = sampleResult();
    (badLocation.model as { location: string }).location = 'mlp';
    refused(badLocation, /model\.location must be a probe location/);
  });
});
