import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { modelSizeOnDisk } from '../../../src/core/model/modelSizeOnDisk';
import { fixtureModel } from '../../helpers/fixtures';

test('the graph and its external-data files count; another graph and the tokenizer do not', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'model-size-'));
  try {
    const files: Record<string, number> = { 'model.onnx': 100, 'model.onnx.data': 5000, 'model.onnx_data': 70, 'decoder_model.onnx': 900, 'tokenizer.json': 300 };
    for (const [name, size] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), Buffer.alloc(size));
    assert.equal(modelSizeOnDisk(path.join(dir, 'model.onnx')), 5170);
    assert.equal(modelSizeOnDisk(path.join(dir, 'decoder_model.onnx')), 900);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('the external-data fixture: graph plus model.onnx.data', () => {
  const dir = fixtureModel('tiny-llama-unfused-extdata');
  const expected = fs.statSync(path.join(dir, 'model.onnx')).size + fs.statSync(path.join(dir, 'model.onnx.data')).size;
  assert.equal(modelSizeOnDisk(path.join(dir, 'model.onnx')), expected);
});
