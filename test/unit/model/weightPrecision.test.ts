import assert from 'node:assert/strict';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { cacheFolderName, cacheKeyFor, modelIdentity } from '../../../src/core/cache/cacheKey';
import { resolveModelFolder } from '../../../src/core/model/modelFolder';
import { modelWeightPrecision, resolveCacheDtype, weightPrecisionOf } from '../../../src/core/model/weightPrecision';
import { fixtureModel } from '../../helpers/fixtures';

const graphOf = (name: string): string => resolveModelFolder(fixtureModel(name)).modelFile;

test('cacheDtype auto is the default and resolves from the weights: float32 for fp32 models, float16 for fp16 ones', () => {
  assert.equal(runOptions().cacheDtype, 'auto');
  for (const name of ['toy-facts-llama', 'tiny-llama-unfused-extdata', 'tiny-random-llama-gqa-fp32', 'tiny-random-gpt2-fused']) {
    assert.equal(modelWeightPrecision(graphOf(name)), 'float32', name);
    assert.deepEqual(resolveCacheDtype('auto', graphOf(name)), { dtype: 'float32', reason: 'auto: float32 weights' }, name);
  }
  for (const name of ['tiny-random-llama-fp16', 'tiny-qwen-gqa-fp16-notokenizer']) {
    assert.deepEqual(resolveCacheDtype('auto', graphOf(name)), { dtype: 'float16', reason: 'auto: float16 weights' }, name);
  }
  // A dtype given is kept whatever the weights.
  assert.deepEqual(resolveCacheDtype('float32', graphOf('tiny-random-llama-fp16')), { dtype: 'float32', reason: 'set' });
});

test('int4 (MatMulNBits) and bf16 weights resolve to float16; the majority of float elements decides otherwise', () => {
  assert.equal(weightPrecisionOf({ floatElements: { float32: 10_000 }, matMulNBits: 96 }), 'int4');
  assert.equal(weightPrecisionOf({ floatElements: { bfloat16: 900, float32: 100 }, matMulNBits: 0 }), 'bfloat16');
  assert.equal(weightPrecisionOf({ floatElements: { float16: 100, float32: 900 }, matMulNBits: 0 }), 'float32');
  assert.equal(weightPrecisionOf({ floatElements: {}, matMulNBits: 0 }), 'float32');
});

test('the cache key holds the resolved dtype: auto shares the folder of the dtype it resolves to', () => {
  const key = (model: string, cacheDtype: 'auto' | 'float32' | 'float16') =>
    cacheKeyFor({ options: runOptions({ modelFolder: fixtureModel(model), cacheDtype }), location: 'mlp_out', datasetHash: 'h', columns: { prompt: 'q', answer: 'a', correct: 'c' }, model: modelIdentity(fixtureModel(model)) });
  assert.equal(key('tiny-random-llama-fp16', 'auto').options.cacheDtype, 'float16');
  assert.equal(cacheFolderName(key('tiny-random-llama-fp16', 'auto')), cacheFolderName(key('tiny-random-llama-fp16', 'float16')));
  assert.notEqual(cacheFolderName(key('tiny-random-llama-fp16', 'auto')), cacheFolderName(key('tiny-random-llama-fp16', 'float32')));
  assert.equal(key('tiny-llama-unfused-extdata', 'auto').options.cacheDtype, 'float32');
});
