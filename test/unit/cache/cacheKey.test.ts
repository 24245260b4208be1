import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ACTIVATION_OPTION_KEYS, type ActivationOptionKey, RUN_OPTION_KEYS, type RunOptions, runOptions } from '../../../src/contract/runOptions';
import { cacheFolderName, cacheKeyFor, modelIdentity } from '../../../src/core/cache/cacheKey';
import { fixtureModel } from '../../helpers/fixtures';

const MODEL = fixtureModel('tiny-llama-unfused-extdata');
const OTHER_MODEL = fixtureModel('tiny-random-llama-fp16');
const COLUMNS = { prompt: 'question', answer: 'model_answer', correct: 'automatic_correctness' };

function folderFor(options: RunOptions, parts: Partial<{ datasetHash: string; columns: typeof COLUMNS & { exactAnswer?: string } }> = {}): string {
  return cacheFolderName(
    cacheKeyFor({
      options,
      location: options.location,
      datasetHash: parts.datasetHash ?? 'sha-of-the-dataset',
      columns: parts.columns ?? COLUMNS,
      model: modelIdentity(options.modelFolder),
    }),
  );
}

// One other value per activation-changing option. An option added to that column of the table without
// a variant here fails the first test, so the key cannot silently miss it.
const VARIANTS: { [K in ActivationOptionKey]: RunOptions[K] } = {
  modelFolder: OTHER_MODEL,
  location: 'resid_post',
  encoding: 'latin1',
  cacheDtype: 'float16',
  chatTemplate: 'none',
  addGenerationPrompt: true,
};

describe('the activation cache key', () => {
  const base = runOptions({ modelFolder: MODEL });
  const baseFolder = folderFor(base);

  it('every option of the "changes activations" column changes the folder', () => {
    assert.deepEqual(Object.keys(VARIANTS).sort(), [...ACTIVATION_OPTION_KEYS].sort());
    const seen = new Set([baseFolder]);
    for (const key of ACTIVATION_OPTION_KEYS) {
      const folder = folderFor({ ...base, [key]: VARIANTS[key] });
      assert.notEqual(folder, baseFolder, `${key} must be part of the key`);
      seen.add(folder);
    }
    assert.equal(seen.size, ACTIVATION_OPTION_KEYS.length + 1, 'each option gives its own folder');
  });

  it('the dataset content and the column mapping change it too', () => {
    assert.notEqual(folderFor(base, { datasetHash: 'another' }), baseFolder);
    assert.notEqual(folderFor(base, { columns: { ...COLUMNS, exactAnswer: 'exact_answer' } }), baseFolder);
  });

  it('options that only choose rows or how fast they run share the cache', () => {
    const others = RUN_OPTION_KEYS.filter((key) => !(ACTIVATION_OPTION_KEYS as readonly string[]).includes(key));
    assert.deepEqual(others, ['extraLocations', 'sampleLimit', 'seed', 'testFraction', 'executionProvider', 'batchMemoryMB',
      'probeWorkers', 'maxDatasetMB', 'activationCache', 'datasetKind', 'modelKind', 'extractionModel', 'extractionSampling', 'baselines', 'afterLastSignBug']);
    const changed = runOptions({
      modelFolder: MODEL,
      extraLocations: ['attn_out'],
      sampleLimit: 10,
      seed: 9,
      testFraction: 0.5,
      executionProvider: 'cpu',
      batchMemoryMB: 1024,
      probeWorkers: 3,
      activationCache: false,
    });
    assert.equal(folderFor(changed), baseFolder);
  });

  it('names fields, not a prose string, and reads as the location', () => {
    // No encoding field for utf-8: keys written before the option existed still hit.
    const key = cacheKeyFor({ options: base, location: 'mlp_out', datasetHash: 'h', columns: COLUMNS, model: modelIdentity(MODEL) });
    assert.deepEqual(key.options, { location: 'mlp_out', cacheDtype: 'float32', chatTemplate: 'auto', addGenerationPrompt: false });
    assert.match(cacheFolderName(key), /^mlp_out-[0-9a-f]{16}$/);
  });
});
