import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PROBE_LOCATIONS } from '../../../src/contract/locations';
import { ActivationSession, availableLocations, LocationUnavailableError } from '../../../src/core/model/activationSession';
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

test('parallel blocks (GPT-J style) run at every location but resid_mid; an unsplittable parallel sum only at resid_pre and resid_post', async (t) => {
  const dir = tempModelFolder(t, { 'model.onnx': modelProto(tinyDecoder(3, 'parallel')) });
  const parallelLocations = PROBE_LOCATIONS.filter((loc) => loc !== 'resid_mid');
  const session = await ActivationSession.open(dir, { locations: parallelLocations, keepLogits: true });
  try {
    assert.equal(session.blockKind, 'parallel');
    assert.equal(session.numLayers, 3);
    assert.equal(session.hiddenSize, 4);
    assert.deepEqual(availableLocations(session.layerMap), parallelLocations);
    const result = await session.run([[1, 2, 3], [4]]);
    for (const location of parallelLocations) {
      assert.equal(result.activations[location]!.length, 3);
      assert.equal(result.activations[location]![2].length, 2 * 3 * 4);
    }
    assert.equal(result.logits!.length, 2 * 3 * 10);
    // Each block adds a non-zero branch: consecutive residual states differ.
    assert.notDeepEqual(result.activations.resid_post![0], result.activations.resid_post![1]);
    // resid_pre is the stream entering each block: resid_post of the block before.
    for (let l = 0; l < 2; l++) assert.deepEqual(result.activations.resid_pre![l + 1], result.activations.resid_post![l]);
    assert.notDeepEqual(result.activations.resid_pre![0], result.activations.resid_post![0]);
  } finally {
    await session.close();
  }
  // Attention and MLP both read resid_pre: there is no stream between them.
  await assert.rejects(
    ActivationSession.open(dir, { locations: ['mlp_out', 'resid_mid'] }),
    (e: Error) =>
      e instanceof LocationUnavailableError &&
      e.location === 'resid_mid' &&
      e.message.includes("'resid_mid'") &&
      e.message.includes('blocks are parallel') &&
      e.message.includes('no stream lies between them') &&
      !e.message.includes('could not be split') &&
      e.message.includes('model.onnx'),
  );

  // Summed with a variadic Sum instead of Add: the two branches cannot be told apart.
  const spec = tinyDecoder(3, 'parallel');
  spec.nodes.filter((n) => n.outputs[0].startsWith('branch')).forEach((n) => (n.op = 'Sum'));
  const sumDir = tempModelFolder(t, { 'model.onnx': modelProto(spec) });
  const residOnly = await ActivationSession.open(sumDir, { locations: ['resid_pre', 'resid_post'] });
  try {
    assert.equal(residOnly.blockKind, 'parallel');
    assert.deepEqual(availableLocations(residOnly.layerMap), ['resid_post', 'resid_pre']);
    const result = await residOnly.run([[1, 2, 3]]);
    assert.deepEqual(result.activations.resid_pre![1], result.activations.resid_post![0]);
  } finally {
    await residOnly.close();
  }
  await assert.rejects(
    ActivationSession.open(sumDir, { locations: ['mlp_out'] }),
    (e: Error) =>
      e instanceof LocationUnavailableError &&
      e.location === 'mlp_out' &&
      e.message.includes("'mlp_out'") &&
      e.message.includes('parallel') &&
      e.message.includes('could not be split') &&
      e.message.includes('locations this model has: resid_post, resid_pre') &&
      e.message.includes('model.onnx'),
  );
});

test('locations sharing a tensor (resid_pre of layer l + 1 = resid_post of layer l) each get arrays of their own', async () => {
  const session = await ActivationSession.open(fixtureModel('tiny-llama-unfused-extdata'), {
    locations: ['resid_post', 'resid_pre', 'mlp_out', 'resid_mid'],
  });
  try {
    const { layers } = session.layerMap;
    for (let l = 0; l + 1 < layers.length; l++) assert.equal(layers[l + 1].residPre, layers[l].residPost);
    const { activations } = await session.run(PROMPTS);
    assert.deepEqual(Object.keys(activations), ['resid_post', 'resid_pre', 'mlp_out', 'resid_mid']);
    for (let l = 0; l + 1 < layers.length; l++) {
      const [pre, post] = [activations.resid_pre![l + 1], activations.resid_post![l]];
      assert.deepEqual(pre, post);
      assert.notStrictEqual(pre, post);
      assert.notStrictEqual(pre.buffer, post.buffer);
    }
    // Writing into one location's array leaves the other's alone.
    activations.resid_post![0].fill(0);
    assert.ok(activations.resid_pre![1].some((v) => v !== 0));
    // resid_pre of layer 0 (the embeddings) is no other location's tensor.
    assert.notDeepEqual(activations.resid_pre![0], activations.resid_post![0]);
  } finally {
    await session.close();
  }
});
