import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseProbeResult, RESULT_SCHEMA_VERSION, ResultFormatError } from '../../../src/contract/result';
import { sampleResult } from '../result/sampleResult';

const text = (value: unknown): string => JSON.stringify(value);
const refused = (value: unknown, message: RegExp): void =>
  assert.throws(() => parseProbeResult(typeof value === 'string' ? value : text(value), 'runs/a/result.json'), (err: unknown) => err instanceof ResultFormatError && message.test(err.message));

describe('parseProbeResult', () => {
  it('reads back what the pipeline writes', () => {
    const result = sampleResult();
    assert.deepEqual(parseProbeResult(text(result)), result);
    assert.deepEqual(parseProbeResult(result), result, 'an already-parsed value too');
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
