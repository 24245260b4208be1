import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { heatmapCsv } from '../../../src/contract/heatmapCsv';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { sampleResult } from './sampleResult';

describe('heatmapCsv', () => {
  const lines = heatmapCsv(sampleResult()).split('\n');

  it('has a header of "layer" and the 15 token labels in the paper\'s order', () => {
    assert.equal(lines[0], ['layer', ...TOKEN_POSITIONS].join(','));
    assert.equal(
      lines[0],
      'layer,last_q,first_answer,second_answer,exact_answer_before_first,exact_answer_first,exact_answer_last,' +
        'exact_answer_after_last,-8,-7,-6,-5,-4,-3,-2,-1',
    );
  });

  it('has one row per layer, starting with the layer index, AUC by default at full precision', () => {
    assert.equal(lines.length, 1 + 3 + 1); // header, 3 layers, trailing newline
    assert.equal(lines[4], '');
    const row0 = lines[1]!.split(',');
    assert.equal(row0.length, 16);
    assert.equal(row0[0], '0');
    assert.equal(row0[1], '0.5');
    assert.equal(row0[15], String(0.5 + 14 / 100));
    assert.equal(lines[3]!.split(',')[0], '2');
    assert.equal(lines[3]!.split(',')[6], String(0.5 + 2 / 10 + 5 / 100));
  });

  it('leaves undefined cells empty', () => {
    const row1 = lines[2]!.split(',');
    assert.equal(row1[0], '1');
    assert.equal(row1[3], ''); // layer 1, second_answer
    assert.equal(row1[2], String(0.5 + 1 / 10 + 1 / 100));
  });

  it('writes the requested metric', () => {
    const acc = heatmapCsv(sampleResult(), 'acc').split('\n');
    assert.equal(acc[3], ['2', ...TOKEN_POSITIONS.map((_, t) => String((2 + t) / 100))].join(','));
  });
});
