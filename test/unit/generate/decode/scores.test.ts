import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { argmax, chooseToken, GenerationError } from '../../../../src/core/generate/greedy';

describe('chooseToken', () => {
  it('is the argmax with its logit, and the softmax probability of the whole row', () => {
    const row = new Float32Array([0.5, 2, -1, 2, 1.25]);
    const c = chooseToken(row, 0, row.length);
    assert.equal(c.id, 1, 'the first of equal maxima, as torch.argmax');
    assert.equal(c.logit, 2);
    const direct = Math.exp(2) / [...row].reduce((s, x) => s + Math.exp(x), 0);
    assert.ok(Math.abs(c.prob - direct) <= 1e-15);
    assert.ok(Math.abs(c.logprob - Math.log(direct)) <= 1e-15);
  });

  it('is stable for large logits and reads only its slice', () => {
    const row = new Float32Array([9, 1000, 999, 998, 9]);
    const c = chooseToken(row, 1, 3);
    assert.equal(c.id, 0);
    const direct = 1 / (1 + Math.exp(-1) + Math.exp(-2));
    assert.ok(Math.abs(c.prob - direct) <= 1e-15);
    assert.equal(argmax(row, 1, 3), 0);
  });

  it('a row of −∞ gives a uniform choice; NaN is refused', () => {
    const c = chooseToken(new Float32Array([-Infinity, -Infinity]), 0, 2);
    assert.deepEqual([c.id, c.prob], [0, 0.5]);
    assert.throws(() => chooseToken(new Float32Array([0, NaN]), 0, 2), GenerationError);
  });
});
