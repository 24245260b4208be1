import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';

import { buildFeeds, checkFeedable, feedSpecOf, ModelInputError } from '../../../src/core/model/feeds';
import { resolveModelFolder } from '../../../src/core/model/modelFolder';
import { parseModel } from '../../../src/core/onnx/graph';
import { fixtureModel } from '../../helpers/fixtures';
import { generateDecoder } from '../onnx/generatedDecoder';

const specOf = (model: string) => {
  const folder = resolveModelFolder(fixtureModel(model));
  return feedSpecOf(parseModel(fs.readFileSync(folder.modelFile), folder.modelFile));
};

test('right padding, attention mask and position ids in the graph’s int64 type', () => {
  const { feeds, seqLen, lengths } = buildFeeds(specOf('toy-facts-llama'), [[1, 5, 9], [1, 7]], 32000);
  assert.equal(seqLen, 3);
  assert.deepEqual(lengths, [3, 2]);
  assert.deepEqual(Object.keys(feeds).sort(), ['attention_mask', 'input_ids', 'position_ids']);
  assert.equal(feeds.input_ids.type, 'int64');
  assert.deepEqual(feeds.input_ids.dims, [2, 3]);
  assert.deepEqual(Array.from(feeds.input_ids.data as BigInt64Array, Number), [1, 5, 9, 1, 7, 0]);
  assert.deepEqual(Array.from(feeds.attention_mask.data as BigInt64Array, Number), [1, 1, 1, 1, 1, 0]);
  assert.deepEqual(Array.from(feeds.position_ids.data as BigInt64Array, Number), [0, 1, 2, 0, 1, 2]);
});

test('fused GPT-2: int32 inputs and empty past caches [2, batch, heads, 0, head_size]', () => {
  const { feeds } = buildFeeds(specOf('tiny-random-gpt2-fused'), [[3, 4], [5, 6]], 1000);
  assert.equal(feeds.input_ids.type, 'int32');
  assert.equal(feeds.position_ids.type, 'int32');
  assert.equal(feeds.attention_mask.type, 'int32');
  for (let i = 0; i < 5; i++) {
    assert.equal(feeds[`past_${i}`].type, 'float32');
    assert.deepEqual(feeds[`past_${i}`].dims, [2, 2, 4, 0, 8]);
  }
});

test('GroupQueryAttention graph without position_ids; fp16 caches of past length 0', () => {
  const gqa = buildFeeds(specOf('tiny-random-llama-gqa-fp32'), [[1, 2, 3]], 32000);
  assert.equal(gqa.feeds.position_ids, undefined);
  assert.deepEqual(gqa.feeds['past_key_values.1.value'].dims, [1, 1, 0, 16]);
  const fp16 = buildFeeds(specOf('tiny-random-llama-fp16'), [[1, 2, 3]], 32000);
  assert.equal(fp16.feeds['past_key_values.0.key'].type, 'float16');
  // The qwen stub mixes int32 input_ids with an int64 attention mask.
  const qwen = buildFeeds(specOf('tiny-qwen-gqa-fp16-notokenizer'), [[1, 2, 3]], 1000);
  assert.equal(qwen.feeds.input_ids.type, 'int32');
  assert.equal(qwen.feeds.attention_mask.type, 'int64');
});

test('ids outside the vocabulary, empty batches and empty rows are refused clearly', () => {
  const spec = specOf('tiny-random-gpt2-fused');
  assert.throws(
    () => buildFeeds(spec, [[1, 2], [3, 50256]], 1000),
    (e: Error) =>
      e instanceof ModelInputError &&
      e.message.includes('past.onnx') &&
      e.message.includes('token id 50256 (batch row 1, position 1)') &&
      e.message.includes('0…999'),
  );
  assert.throws(() => buildFeeds(spec, [[1, -1]], 1000), /token id -1/);
  assert.throws(() => buildFeeds(spec, [], 1000), ModelInputError);
  assert.throws(() => buildFeeds(spec, [[1], []], 1000), /batch row 1 has no tokens/);
});

test('an input the tool cannot feed is named in the error', () => {
  const spec = specOf('toy-facts-llama');
  const withExtra = { ...spec, inputs: [...spec.inputs, { name: 'token_type_ids', elemType: 7, range: { start: 0, end: 0 } }] };
  assert.throws(() => buildFeeds(withExtra, [[1]], 32000), /graph input 'token_type_ids' is not one this tool can feed/);
});

test('an optimum merged decoder run as exported: use_cache_branch = false and empty caches', () => {
  const graph = parseModel(generateDecoder({ layers: 2, blocks: 'sequential', merged: 'same-names', idsType: 'int32' }).bytes, 'merged.onnx');
  const spec = feedSpecOf(graph);
  checkFeedable(spec);
  const { feeds } = buildFeeds(spec, [[1, 2, 3], [4]], 64);
  assert.equal(feeds.use_cache_branch.type, 'bool');
  assert.deepEqual(feeds.use_cache_branch.dims, [1]);
  assert.deepEqual(Array.from(feeds.use_cache_branch.data as Uint8Array), [0]);
  assert.equal(feeds.input_ids.type, 'int32');
  assert.deepEqual(feeds['past_key_values.1.value'].dims, [2, 0, 16]);
});

test('checkFeedable accepts every fixture and refuses graphs without token-id input by name', () => {
  for (const model of ['toy-facts-llama', 'tiny-random-gpt2-fused', 'tiny-random-llama-gqa-fp32', 'tiny-random-llama-fp16', 'tiny-qwen-gqa-fp16-notokenizer']) {
    checkFeedable(specOf(model));
  }
  const embeds = feedSpecOf(parseModel(generateDecoder({ layers: 1, blocks: 'sequential', inputsEmbeds: true }).bytes, 'embeds.onnx'));
  assert.throws(() => checkFeedable(embeds), (e: Error) => e instanceof ModelInputError && /^embeds\.onnx: the graph takes 'inputs_embeds'/.test(e.message));
  const none = { fileLabel: 'odd.onnx', inputs: [{ name: 'tokens', elemType: 7, range: { start: 0, end: 0 } }] };
  assert.throws(() => checkFeedable(none), /^ModelInputError: odd\.onnx: the graph has no 'input_ids' input \(inputs: 'tokens'\)/);
  const spec = specOf('toy-facts-llama');
  const extra = { ...spec, inputs: [...spec.inputs, { name: 'token_type_ids', elemType: 7, range: { start: 0, end: 0 } }] };
  assert.throws(() => checkFeedable(extra), /graph input 'token_type_ids' is not one this tool can feed/);
});
