import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { REFERENCE_EXTRACTION_SAMPLING, rowSeed, sampleToken } from '../../../../src/core/generate/decode/sampling';
import { generateGreedy } from '../../../../src/core/generate/greedy';
import { openOriginalSession } from '../../../../src/core/model/ortSession';
import { loadModelTokenizer } from '../../../../src/core/tokenize/modelTokenizer';
import { promptTokens } from '../../../../src/core/tokenize/sequence';
import { mulberry32 } from '../../../../src/demo/prng';
import { fixtureModel } from '../../../helpers/fixtures';

describe('sampleToken', () => {
  const logits = new Float32Array([0, 5, 1, 5, 3, -2, 4]);

  it('draws only among the top_k logits, ties with the k-th kept, by their softmax weights', () => {
    const draw = mulberry32(1);
    const counts = new Map<number, number>();
    for (let n = 0; n < 4000; n++) {
      const id = sampleToken(logits, 0, logits.length, { temperature: 1, topK: 2 }, draw);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    // The two 5s are the top 2: ids 1 and 3 only, about evenly.
    assert.deepEqual([...counts.keys()].sort(), [1, 3]);
    assert.ok(Math.abs(counts.get(1)! - 2000) < 200, String(counts.get(1)));
    const three = new Map<number, number>();
    for (let n = 0; n < 4000; n++) {
      const id = sampleToken(logits, 0, logits.length, { temperature: 1, topK: 3 }, draw);
      three.set(id, (three.get(id) ?? 0) + 1);
    }
    // Top 3 = {5, 5, 4}: id 6 with weight e^4 / (2e^5 + e^4) ≈ 0.155.
    assert.deepEqual([...three.keys()].sort(), [1, 3, 6]);
    assert.ok(Math.abs(three.get(6)! / 4000 - Math.exp(4) / (2 * Math.exp(5) + Math.exp(4))) < 0.03);
  });

  it('a low temperature is nearly greedy, an offset reads its own row, and NaN is refused', () => {
    const draw = mulberry32(2);
    const twoRows = new Float32Array([9, 0, 0, 0, 0, 1, 7, 0]);
    for (let n = 0; n < 50; n++) assert.equal(sampleToken(twoRows, 4, 4, { temperature: 0.05, topK: 50 }, draw), 2);
    assert.throws(() => sampleToken(new Float32Array([0, NaN]), 0, 2, { temperature: 1, topK: 50 }, draw), /NaN logits/);
    assert.throws(() => sampleToken(logits, 0, 7, { temperature: 0, topK: 50 }, draw), /temperature must be > 0/);
  });

  it('row seeds differ by row and by attempt', () => {
    const seeds = new Set([rowSeed(0, 0), rowSeed(0, 1), rowSeed(0, 0, 1), rowSeed(1, 0), rowSeed(0, 2)]);
    assert.equal(seeds.size, 5);
    assert.equal(rowSeed(5, 3, 2), rowSeed(5, 3, 2));
  });
});

describe('sampled decoding (generateGreedy with sampling)', () => {
  it('each prompt draws from its own seed: the KV-cache and no-cache paths, any batching, the same tokens', async () => {
    const dir = fixtureModel('tiny-random-llama-gqa-fp32');
    const tok = loadModelTokenizer(dir);
    const prompts = ['Q: Who founded Rome?\nA:', 'Q: What is 2 + 2?\nA:', 'Hello'].map((p) => promptTokens(tok, p));
    const sampling = { ...REFERENCE_EXTRACTION_SAMPLING, seeds: [11, 12, 13] };
    const options = { maxNewTokens: 12, stopIds: [], sampling };
    const original = await openOriginalSession(dir, ['cpu']);
    try {
      const cached = await generateGreedy(original, prompts, { ...options, kvCache: 'on' });
      const plain = await generateGreedy(original, prompts, { ...options, kvCache: 'off', batchSize: 1 });
      assert.deepEqual(plain, cached);
      const alone = await generateGreedy(original, [prompts[2]], { ...options, kvCache: 'on', sampling: { ...sampling, seeds: [13] } });
      assert.deepEqual(alone, [cached[2]]);
      const greedy = await generateGreedy(original, prompts, { maxNewTokens: 12, stopIds: [] });
      assert.notDeepEqual(cached, greedy);
      await assert.rejects(generateGreedy(original, prompts, { ...options, sampling: { ...sampling, seeds: [1] } }), /one seed per prompt: 1 seeds for 3 prompts/);
    } finally {
      await original.session.release();
    }
  });
});
