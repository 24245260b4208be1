// Bad models (issue 4, item 7): whatever is wrong with a model folder, opening it fails fast with an
// error that names the file (and the node, weight or input at fault), never a crash or a hang.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { ActivationSession } from '../../../src/core/model/activationSession';
import { ModelInputError } from '../../../src/core/model/feeds';
import { ModelFolderError } from '../../../src/core/model/modelFolder';
import { openOriginalSession, SessionCreateError } from '../../../src/core/model/ortSession';
import { OnnxGraphError } from '../../../src/core/onnx/errors';
import { LayerStructureError } from '../../../src/core/onnx/layers';
import { mulberry32 } from '../../../src/demo/prng';
import { fixtureModel } from '../../helpers/fixtures';
import { generateDecoder } from '../onnx/generatedDecoder';
import { tempModelFolder } from './tempModel';

/** Opening must be refused within a few seconds by an error passing `check`. */
async function refused(dir: string, check: (e: Error) => boolean, file = 'model.onnx'): Promise<void> {
  const started = Date.now();
  await assert.rejects(ActivationSession.open(dir, { locations: ['mlp_out'] }), (e: Error) => {
    assert.ok(e.message.includes(path.join(dir, file)), `the error names the file: ${e.message}`);
    return check(e);
  });
  assert.ok(Date.now() - started < 5000, `refused after ${Date.now() - started} ms`);
}

const good = generateDecoder({ layers: 2, blocks: 'sequential' }).bytes;

test('a truncated model.onnx is refused naming the file, wherever it is cut', async (t) => {
  for (const cut of [1, 40, Math.floor(good.length / 3), Math.floor(good.length / 2), good.length - 3]) {
    const dir = tempModelFolder(t, { 'model.onnx': good.subarray(0, cut) });
    await refused(dir, (e) => e instanceof OnnxGraphError && /not a readable ONNX model|no graph/.test(e.message));
  }
});

test('random bytes and an empty file are refused as not an ONNX model', async (t) => {
  const rand = mulberry32(42);
  for (const size of [0, 7, 4096, 300_000]) {
    const bytes = Uint8Array.from({ length: size }, () => Math.floor(rand() * 256));
    const dir = tempModelFolder(t, { 'model.onnx': bytes });
    await refused(dir, (e) => e instanceof OnnxGraphError && /not a readable ONNX model|no graph in this file/.test(e.message));
  }
});

test('a missing or truncated external data file names the weight and the data file', async (t) => {
  const source = fixtureModel('tiny-llama-unfused-extdata');
  const files = {
    'model.onnx': fs.readFileSync(path.join(source, 'model.onnx')),
    'config.json': fs.readFileSync(path.join(source, 'config.json'), 'utf8'),
  };
  const missing = tempModelFolder(t, files);
  const isMissing = (e: Error): boolean =>
    e instanceof OnnxGraphError && e.message.includes("is stored in 'model.onnx.data', which is missing from") && /weight '[^']+'/.test(e.message);
  await refused(missing, isMissing);
  await assert.rejects(openOriginalSession(missing), isMissing);

  const data = fs.readFileSync(path.join(source, 'model.onnx.data'));
  const truncated = tempModelFolder(t, { ...files, 'model.onnx.data': data.subarray(0, 1 << 20) });
  await refused(truncated, (e) => e instanceof OnnxGraphError && e.message.includes(`but that file has only ${1 << 20} bytes`));
});

test('a graph without logits and a non-decoder are refused naming the file and what was found', async (t) => {
  const noLogits = tempModelFolder(t, { 'model.onnx': generateDecoder({ layers: 2, blocks: 'sequential', logitsName: 'output' }).bytes });
  await refused(noLogits, (e) => e instanceof LayerStructureError && e.message.includes("no 'logits' output (outputs: 'output')"));

  const notDecoder = fixtureModel('not-a-transformer');
  await refused(notDecoder, (e) => e instanceof LayerStructureError && e.message.includes("'embeddings' (Gather)"), 'decoder.onnx');
});

test('an inputs_embeds graph (no input_ids) is refused before any session is made', async (t) => {
  const dir = tempModelFolder(t, { 'model.onnx': generateDecoder({ layers: 2, blocks: 'sequential', inputsEmbeds: true }).bytes });
  await refused(dir, (e) => e instanceof ModelInputError && e.message.includes("takes 'inputs_embeds' (embeddings) instead of 'input_ids'"));
});

test('an onnxruntime failure while creating the session is wrapped with the file name', async (t) => {
  const dir = tempModelFolder(t, { 'model.onnx': generateDecoder({ layers: 2, blocks: 'sequential', unknownOp: true }).bytes });
  await refused(dir, (e) => e instanceof SessionCreateError && e.message.includes('onnxruntime could not load the model') && e.message.includes('NoSuchActivation') && e.message.includes("node '/model/layers.0/mlp/act/NoSuchActivation'"));
});

test('layer counts: config.json, genai_config.json and node names must agree with the graph', async (t) => {
  const twoLayers = generateDecoder({ layers: 2, blocks: 'sequential' }).bytes;
  const wrongConfig = tempModelFolder(t, { 'model.onnx': twoLayers, 'config.json': { num_hidden_layers: 3 } });
  await refused(wrongConfig, (e) => e instanceof LayerStructureError && e.message.includes('found 4 residual connections') && e.message.includes('num_hidden_layers = 3'));

  const genai = { model: { decoder: { filename: 'model.onnx', num_hidden_layers: 2 } } };
  const agree = tempModelFolder(t, { 'model.onnx': twoLayers, 'config.json': { num_hidden_layers: 2 }, 'genai_config.json': genai });
  const session = await ActivationSession.open(agree, { locations: ['resid_post'] });
  assert.equal(session.numLayers, 2);
  await session.close();
  const disagree = tempModelFolder(t, { 'model.onnx': twoLayers, 'config.json': { num_hidden_layers: 4 }, 'genai_config.json': genai });
  await assert.rejects(
    ActivationSession.open(disagree, { locations: ['resid_post'] }),
    (e: Error) => e instanceof ModelFolderError && e.message.includes('config.json says num_hidden_layers = 4 but genai_config.json says 2'),
  );

  const hiddenLayer = tempModelFolder(t, { 'model.onnx': generateDecoder({ layers: 3, blocks: 'sequential', noResidualLayers: 1 }).bytes });
  await refused(hiddenLayer, (e) => e instanceof LayerStructureError && e.message.includes('node names number the layers 0…2'));
});

test('optimum folder layout: decoder_model_merged.onnx is found without a genai_config.json', async (t) => {
  const dir = tempModelFolder(t, { 'decoder_model_merged.onnx': generateDecoder({ layers: 2, blocks: 'sequential', merged: 'same-names' }).bytes });
  const session = await ActivationSession.open(dir, { locations: ['mlp_in'] });
  assert.equal(session.modelFile, path.join(dir, 'decoder_model_merged.onnx'));
  assert.deepEqual(session.inlinedIf, ['optimum::if']);
  await session.close();
});
