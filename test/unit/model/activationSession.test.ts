import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PROBE_LOCATIONS } from '../../../src/contract/locations';
import { ActivationSession, ActivationSessionError } from '../../../src/core/model/activationSession';
import { ModelInputError } from '../../../src/core/model/feeds';
import { SessionCreateError } from '../../../src/core/model/ortSession';
import { LayerStructureError } from '../../../src/core/onnx/layers';
import { fixtureModel } from '../../helpers/fixtures';
import { modelProto, tinyDecoder } from '../onnx/syntheticModel';
import { tempModelFolder } from './tempModel';

const EXPECTED = [
  { model: 'tiny-random-llama-fp16', numLayers: 2, hiddenSize: 16, vocabSize: 32000 },
  { model: 'tiny-random-llama-gqa-fp32', numLayers: 2, hiddenSize: 16, vocabSize: 32000 },
  { model: 'tiny-llama-unfused-extdata', numLayers: 4, hiddenSize: 64, vocabSize: 32000 },
  { model: 'toy-facts-llama', numLayers: 8, hiddenSize: 128, vocabSize: 32000 },
  { model: 'tiny-random-gpt2-fused', numLayers: 5, hiddenSize: 32, vocabSize: 1000 },
  { model: 'tiny-qwen-gqa-fp16-notokenizer', numLayers: 2, hiddenSize: 64, vocabSize: 1000 },
];

const PROMPTS = [
  [1, 450, 383, 310, 444, 338, 29, 7],
  [1, 13, 901],
  [1, 894, 901, 724, 338],
];

for (const fx of EXPECTED) {
  test(`${fx.model}: a right-padded batch gives the activations of one prompt at a time`, async () => {
    const session = await ActivationSession.open(fixtureModel(fx.model), { locations: [...PROBE_LOCATIONS] });
    try {
      assert.equal(session.numLayers, fx.numLayers);
      assert.equal(session.hiddenSize, fx.hiddenSize);
      assert.equal(session.vocabSize, fx.vocabSize);
      assert.equal(session.blockKind, 'sequential');
      assert.equal(session.provider, 'cpu');
      const batch = await session.run(PROMPTS);
      assert.equal(batch.seqLen, 8);
      assert.deepEqual(batch.lengths, [8, 3, 5]);
      assert.equal(batch.logits, undefined);
      const d = fx.hiddenSize;
      for (const [row, prompt] of PROMPTS.entries()) {
        const single = await session.run([prompt]);
        assert.equal(single.seqLen, prompt.length);
        for (const location of PROBE_LOCATIONS) {
          const batched = batch.activations[location]!;
          const alone = single.activations[location]!;
          assert.equal(batched.length, fx.numLayers);
          for (let layer = 0; layer < fx.numLayers; layer++) {
            assert.equal(batched[layer].length, PROMPTS.length * 8 * d);
            const fromBatch = batched[layer].subarray(row * 8 * d, (row * 8 + prompt.length) * d);
            assert.deepEqual(fromBatch, alone[layer], `${location} layer ${layer} row ${row}`);
          }
        }
      }
      // Real values, not zeros: the residual stream grows away from the embedding.
      assert.ok(batch.activations.resid_post![fx.numLayers - 1].some((v) => Math.abs(v) > 1e-3));
    } finally {
      await session.close();
    }
  });
}

test('keepLogits returns [batch, seqLen, vocab] logits alongside the activations', async () => {
  const session = await ActivationSession.open(fixtureModel('toy-facts-llama'), { locations: ['mlp_out'], keepLogits: true });
  try {
    const result = await session.run([[1, 660, 29901], [1, 13]]);
    assert.deepEqual(Object.keys(result.activations), ['mlp_out']);
    assert.equal(result.logits?.length, 2 * 3 * 32000);
    assert.ok(result.logits!.every(Number.isFinite));
  } finally {
    await session.close();
  }
});

test('fused GPT-2 works, and refuses tokenizer ids beyond its 1000-row embedding by name', async () => {
  const session = await ActivationSession.open(fixtureModel('tiny-random-gpt2-fused'), { locations: ['resid_post'] });
  try {
    await assert.rejects(
      session.run([[464, 50256]]),
      (e: Error) => e instanceof ModelInputError && e.message.includes('past.onnx') && e.message.includes('token id 50256'),
    );
  } finally {
    await session.close();
  }
});

test('not-a-transformer cannot be opened: the error names the file and the node', async () => {
  await assert.rejects(
    ActivationSession.open(fixtureModel('not-a-transformer'), { locations: ['mlp_out'] }),
    (e: Error) => e instanceof LayerStructureError && e.message.includes('decoder.onnx') && e.message.includes("'embeddings' (Gather)"),
  );
});

test('execution providers are tried in order; none working is an error naming the model', async () => {
  const session = await ActivationSession.open(fixtureModel('tiny-random-llama-gqa-fp32'), {
    locations: ['resid_post'],
    executionProviders: ['no-such-provider', 'cpu'],
  });
  assert.equal(session.provider, 'cpu');
  await session.close();
  await assert.rejects(
    ActivationSession.open(fixtureModel('tiny-random-llama-gqa-fp32'), { locations: ['resid_post'], executionProviders: ['no-such-provider'] }),
    (e: Error) => e instanceof SessionCreateError && e.message.includes('model.onnx') && e.message.includes('no-such-provider'),
  );
});

test('parallel blocks (GPT-J style) run at every location; an unsplittable parallel sum only for resid_post', async (t) => {
  const dir = tempModelFolder(t, { 'model.onnx': modelProto(tinyDecoder(3, 'parallel')) });
  const session = await ActivationSession.open(dir, { locations: [...PROBE_LOCATIONS], keepLogits: true });
  try {
    assert.equal(session.blockKind, 'parallel');
    assert.equal(session.numLayers, 3);
    assert.equal(session.hiddenSize, 4);
    const result = await session.run([[1, 2, 3], [4]]);
    for (const location of PROBE_LOCATIONS) {
      assert.equal(result.activations[location]!.length, 3);
      assert.equal(result.activations[location]![2].length, 2 * 3 * 4);
    }
    assert.equal(result.logits!.length, 2 * 3 * 10);
    // Each block adds a non-zero branch: consecutive residual states differ.
    assert.notDeepEqual(result.activations.resid_post![0], result.activations.resid_post![1]);
  } finally {
    await session.close();
  }

  // Summed with a variadic Sum instead of Add: the two branches cannot be told apart.
  const spec = tinyDecoder(3, 'parallel');
  spec.nodes.filter((n) => n.outputs[0].startsWith('branch')).forEach((n) => (n.op = 'Sum'));
  const sumDir = tempModelFolder(t, { 'model.onnx': modelProto(spec) });
  const residOnly = await ActivationSession.open(sumDir, { locations: ['resid_post'] });
  assert.equal(residOnly.blockKind, 'parallel');
  await residOnly.close();
  await assert.rejects(
    ActivationSession.open(sumDir, { locations: ['mlp_out'] }),
    (e: Error) => e instanceof ActivationSessionError && e.message.includes("'mlp_out'") && e.message.includes('parallel') && e.message.includes('model.onnx'),
  );
});
