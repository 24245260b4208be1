import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';

import { resolveModelFolder } from '../../../src/core/model/modelFolder';
import { createDemoAssets, DEMO_DATASET_FILE_NAME, DEMO_MODEL_DIR_NAME } from '../../../src/demo/createDemoAssets';
import { DEFAULT_DEMO_DATASET_ROWS } from '../../../src/demo/demoDataset';
import { decoderFeeds } from './onnxTestUtils';

const tempDirs: string[] = [];
const tempDir = (): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-demo-assets-'));
  tempDirs.push(dir);
  return dir;
};
after(() => tempDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** sha256 of every file under dir, keyed by relative path. */
function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, file)] = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  }
  return out;
}

describe('createDemoAssets', () => {
  const first = tempDir();
  const assets = createDemoAssets(first);

  it('writes a model folder and a dataset the rest of the project can read', async () => {
    assert.equal(assets.modelDir, path.join(first, DEMO_MODEL_DIR_NAME));
    assert.equal(assets.datasetFile, path.join(first, DEMO_DATASET_FILE_NAME));
    assert.deepEqual(fs.readdirSync(assets.modelDir).sort(), [
      'config.json',
      'model.onnx',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    const folder = resolveModelFolder(assets.modelDir);
    assert.equal(folder.modelType, 'llama');
    assert.equal(folder.numLayers, 4);
    assert.equal(folder.tokenizerFile, path.join(assets.modelDir, 'tokenizer.json'));

    const read = (name: string): object => JSON.parse(fs.readFileSync(path.join(assets.modelDir, name), 'utf8')) as object;
    const tokenizer = new Tokenizer(read('tokenizer.json'), read('tokenizer_config.json'));
    assert.equal(tokenizer.get_vocab().size, folder.vocabSize);
    assert.equal(tokenizer.encode('x').ids[0], folder.bosTokenId);
    assert.deepEqual(folder.eosTokenIds, [folder.vocabSize! - 1]);

    const session = await ort.InferenceSession.create(folder.modelFile);
    const out = await session.run(decoderFeeds([[folder.bosTokenId!, 5, 6]], 0));
    assert.deepEqual(out.logits.dims, [1, 3, folder.vocabSize]);
    await session.release();

    const lines = fs.readFileSync(assets.datasetFile, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, DEFAULT_DEMO_DATASET_ROWS);
  });

  it('is deterministic: a second build writes the same bytes', () => {
    const second = tempDir();
    createDemoAssets(second);
    const hashes = hashTree(first);
    assert.equal(Object.keys(hashes).length, 6);
    assert.deepEqual(hashTree(second), hashes);
  });

  it('takes model and dataset options', () => {
    const dir = tempDir();
    const small = createDemoAssets(dir, { model: { numLayers: 2, seed: 3 }, dataset: { numRows: 10 } });
    assert.equal(resolveModelFolder(small.modelDir).numLayers, 2);
    assert.equal(fs.readFileSync(small.datasetFile, 'utf8').trimEnd().split('\n').length, 10);
  });
});
