import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { ELEM_FLOAT16, ELEM_INT32, ELEM_INT64, OnnxGraphError, parseModel, readInitializerFloat32 } from '../../../src/core/onnx/graph';
import { float32ToHalfBits, halfBitsToFloat32 } from '../../../src/core/onnx/half';
import { fields } from '../../../src/core/onnx/wire';
import { fixtureModel } from '../../helpers/fixtures';
import { constantNode, FLOAT, modelProto, tensorProto, valueInfo } from './syntheticModel';

const load = (model: string, file: string) => {
  const dir = fixtureModel(model);
  const fileLabel = path.join(dir, file);
  return { dir, graph: parseModel(fs.readFileSync(fileLabel), fileLabel) };
};

test('parseModel reads inputs, outputs, nodes and initializer headers of the fused GPT-2 graph', () => {
  const { graph } = load('tiny-random-gpt2-fused', 'past.onnx');
  assert.deepEqual(
    graph.inputs.map((i) => i.name),
    ['input_ids', 'position_ids', 'attention_mask', 'past_0', 'past_1', 'past_2', 'past_3', 'past_4'],
  );
  assert.equal(graph.inputs[0].elemType, ELEM_INT32);
  assert.deepEqual(graph.inputs[3].dims, [{ value: 2 }, { param: 'batch_size' }, { value: 4 }, { param: 'past_seq_len' }, { value: 8 }]);
  assert.deepEqual(graph.outputs.map((o) => o.name), ['logits', 'present_0', 'present_1', 'present_2', 'present_3', 'present_4']);
  assert.equal(graph.nodes.length, 39);
  const embed = graph.nodes[2];
  assert.equal(embed.opType, 'EmbedLayerNormalization');
  assert.equal(embed.domain, 'com.microsoft');
  assert.equal(embed.inputs[1], '', 'omitted optional inputs stay as empty names');
  assert.deepEqual(graph.initializers.get('transformer.wte.weight')?.dims, [1000, 32]);
  assert.equal(graph.producerOf.get('logits'), 38);
  assert.deepEqual(graph.opsets, [{ domain: '', version: 11 }, { domain: 'com.microsoft', version: 1 }]);
  // A node's byte range is exactly one whole `node` field (GraphProto field 1) of the buffer.
  const skip = graph.nodes[5];
  const inRange = [...fields(graph.bytes, skip.range.start, skip.range.end)];
  assert.deepEqual(inRange.map((f) => f.field), [1]);
  assert.equal(skip.opType, 'SkipLayerNormalization');
  assert.equal(typeof skip.attributes.epsilon, 'number');
  assert.ok((skip.attributes.epsilon as number) > 0 && (skip.attributes.epsilon as number) < 1e-3);
});

test('parseModel reads fp16 types, external-data references and Constant node values', () => {
  const { graph } = load('tiny-random-llama-fp16', 'model.onnx');
  assert.equal(graph.outputs[0].name, 'logits');
  assert.equal(graph.outputs[0].elemType, ELEM_FLOAT16);
  assert.equal(graph.inputs.find((i) => i.name === 'attention_mask')?.elemType, ELEM_INT64);
  const embed = graph.initializers.get('model.embed_tokens.weight')!;
  assert.equal(embed.dataLocation, 1);
  assert.equal(embed.externalData.location, 'model.onnx.data');
  const constant = graph.nodes.find((n) => n.opType === 'Constant');
  assert.ok(constant?.constantValue, 'Constant nodes expose their value tensor');
});

test('readInitializerFloat32 decodes external fp32 data and matches the tied toy-facts lm_head', () => {
  const unfused = load('tiny-llama-unfused-extdata', 'model.onnx');
  const normWeight = readInitializerFloat32(unfused.graph, 'model.norm.weight', unfused.dir);
  assert.equal(normWeight.length, 64);
  assert.ok(normWeight.every(Number.isFinite));
  const eps = readInitializerFloat32(unfused.graph, 'const_eps', unfused.dir);
  assert.equal(eps.length, 1);
  assert.ok(eps[0] > 0 && eps[0] < 1e-3, `eps ${eps[0]}`);

  // toy-facts stores weights inline (raw_data) and ties lm_head to the embedding: the MatMul weight is
  // the embedding transposed, value for value.
  const toy = load('toy-facts-llama', 'model.onnx');
  const embed = readInitializerFloat32(toy.graph, 'model.embed_tokens.weight', toy.dir);
  const lmHead = readInitializerFloat32(toy.graph, 'onnx::MatMul_1510', toy.dir);
  assert.equal(embed.length, 32000 * 128);
  for (let v = 0; v < 32000; v += 997) {
    for (let k = 0; k < 128; k++) assert.equal(lmHead[k * 32000 + v], embed[v * 128 + k]);
  }
  // A Constant node's value reads like an initializer (the final RMSNorm epsilon here).
  const rmsEps = readInitializerFloat32(toy.graph, '/model/norm/Constant_1_output_0', toy.dir);
  assert.ok(Math.abs(rmsEps[0] - 1e-6) < 1e-12, `rms eps ${rmsEps[0]}`);
});

test('readInitializerFloat32 converts fp16 external data exactly', () => {
  const { graph, dir } = load('tiny-random-llama-fp16', 'model.onnx');
  const w = readInitializerFloat32(graph, 'lm_head.MatMul.weight', dir);
  assert.equal(w.length, 16 * 32000);
  // Every value is representable in half precision: converting back gives the same number.
  for (let i = 0; i < w.length; i += 101) assert.equal(halfBitsToFloat32(Uint16Array.of(float32ToHalfBits(w[i])))[0], w[i]);
  assert.ok(w.some((x) => x !== 0));
});

test('readInitializerFloat32 reads typed float_data and Constant values of a hand-built model', () => {
  const bytes = modelProto({
    nodes: [constantNode('c', [3], [1.5, -2, 0.25]), { op: 'Add', inputs: ['x', 'c'], outputs: ['y'] }],
    initializers: [tensorProto('typed', [2, 2], [1, 2, 3, 4.5], true)],
    inputs: [valueInfo('x', FLOAT, [3])],
    outputs: [valueInfo('y', FLOAT, [3])],
  });
  const graph = parseModel(bytes, 'synthetic.onnx');
  assert.deepEqual(Array.from(readInitializerFloat32(graph, 'typed', '.')), [1, 2, 3, 4.5]);
  assert.deepEqual(Array.from(readInitializerFloat32(graph, 'c', '.')), [1.5, -2, 0.25]);
  assert.throws(() => readInitializerFloat32(graph, 'nope', '.'), (e: Error) => e instanceof OnnxGraphError && /synthetic\.onnx.*'nope'/.test(e.message));
});

test('parseModel refuses non-ONNX bytes with an error naming the file', () => {
  assert.throws(
    () => parseModel(new TextEncoder().encode('{"not": "onnx"}'), 'config.json'),
    (e: Error) => e instanceof OnnxGraphError && e.message.startsWith('config.json:'),
  );
  // A truncated model: the graph field runs past the end of the buffer.
  const { graph } = load('tiny-random-gpt2-fused', 'past.onnx');
  assert.throws(
    () => parseModel(graph.bytes.subarray(0, 1000), 'past.onnx'),
    (e: Error) => e instanceof OnnxGraphError && e.message.startsWith('past.onnx:'),
  );
});

test('half conversion round-trips every fp16 bit pattern and rounds ties to even', () => {
  const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
  const asFloat = halfBitsToFloat32(all);
  for (let i = 0; i < 65536; i++) if (!Number.isNaN(asFloat[i])) assert.equal(float32ToHalfBits(asFloat[i]), i);
  assert.equal(asFloat[0x3c00], 1);
  assert.equal(asFloat[0xc000], -2);
  assert.equal(asFloat[0x7bff], 65504);
  assert.equal(asFloat[0x0001], 2 ** -24);
  assert.equal(asFloat[0x7c00], Infinity);
  assert.equal(float32ToHalfBits(1 + 2 ** -11), 0x3c00); // tie → even mantissa
  assert.equal(float32ToHalfBits(1 + 3 * 2 ** -11), 0x3c02);
  assert.equal(float32ToHalfBits(65520), 0x7c00); // rounds past the largest half
});
