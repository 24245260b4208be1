import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';

import { resolveModelFolder } from '../../../src/core/model/modelFolder';
import { OnnxGraphError, parseModel } from '../../../src/core/onnx/graph';
import { findLayers } from '../../../src/core/onnx/layers';
import { rewriteForActivations } from '../../../src/core/onnx/rewrite';
import { concatBytes, fields, lenField, stringField, varintField } from '../../../src/core/onnx/wire';
import { fixtureModel } from '../../helpers/fixtures';
import { modelProto, tinyDecoder } from './syntheticModel';

const openFixture = (model: string) => {
  const folder = resolveModelFolder(fixtureModel(model));
  const graph = parseModel(fs.readFileSync(folder.modelFile), folder.modelFile);
  return { graph, map: findLayers(graph, { expectedLayers: folder.numLayers }) };
};

test('outputs become the requested tensors; logits, unneeded nodes and weights are dropped', () => {
  const { graph, map } = openFixture('toy-facts-llama');
  const wanted = [map.layers[2].residPost, map.layers[2].mlpOut!];
  const rewritten = parseModel(rewriteForActivations(graph, map, { tensors: wanted, keepLogits: false }), 'rewritten');
  assert.deepEqual(rewritten.outputs.map((o) => o.name), wanted);
  // Nothing after layer 2 is computed: no later block, no final norm, no lm_head.
  assert.ok(rewritten.nodes.every((n) => !/layers\.[3-7]\/|\/model\/norm\/|lm_head/.test(n.name)), 'later nodes pruned');
  assert.ok(rewritten.nodes.some((n) => n.name === '/model/layers.2/Add_1'));
  assert.ok(rewritten.nodes.length < graph.nodes.length / 2);
  assert.ok(!rewritten.initializers.has('onnx::MatMul_1510'), 'the lm_head weight is not carried');
  assert.ok(rewritten.initializers.has('model.embed_tokens.weight'));
  // Kept nodes are copied byte for byte.
  const original = graph.nodes.find((n) => n.name === '/model/layers.1/mlp/down_proj/MatMul')!;
  const copy = rewritten.nodes.find((n) => n.name === original.name)!;
  assert.deepEqual(
    Uint8Array.from(rewritten.bytes.subarray(copy.range.start, copy.range.end)),
    Uint8Array.from(graph.bytes.subarray(original.range.start, original.range.end)),
  );
});

test('keepLogits keeps the declared logits output; fused final norms gain their sum output', () => {
  const { graph, map } = openFixture('tiny-random-llama-fp16');
  const last = map.layers[1].residPost;
  const bytes = rewriteForActivations(graph, map, { tensors: [last, last], keepLogits: true });
  const rewritten = parseModel(bytes, 'rewritten');
  assert.deepEqual(rewritten.outputs.slice(0, 2).map((o) => o.name), ['layer_probe/final_resid_post', 'logits']);
  // logits keeps its declared type and shape; present.* of kept attention nodes stay (see rewrite.ts).
  assert.deepEqual(rewritten.outputs[1], { ...graph.outputs[0], range: rewritten.outputs[1].range });
  assert.deepEqual(rewritten.outputs.slice(2).map((o) => o.name), graph.outputs.slice(1).map((o) => o.name));
  const finalNorm = rewritten.nodes.find((n) => n.name === '/model/layers.2/final_norm_layernorm/SkipLayerNorm')!;
  assert.deepEqual(finalNorm.outputs, ['/model/layers.2/final_norm_layernorm/output_0', '', '', 'layer_probe/final_resid_post']);
  assert.equal(finalNorm.attributes.epsilon, graph.nodes[map.reemit[0].node].attributes.epsilon);
  assert.equal(rewritten.nodes.length, graph.nodes.length);
});

test('fields the rewrite does not understand are kept verbatim', () => {
  const spec = tinyDecoder(2, 'sequential');
  const modelExtras = [
    stringField(2, 'exporter-x'), // producer_name
    lenField(14, concatBytes([stringField(1, 'k'), stringField(2, 'v')])), // metadata_props
    varintField(99, 12345), // unknown to every ONNX version
  ];
  spec.extraModelFields = modelExtras;
  spec.extraGraphFields = [stringField(98, 'graph-level unknown')];
  spec.nodes[1].extra = [stringField(6, 'doc of the first norm'), varintField(97, 7)];
  const graph = parseModel(modelProto(spec), 'synthetic.onnx');
  const map = findLayers(graph, { expectedLayers: 2 });
  const bytes = rewriteForActivations(graph, map, { tensors: ['mid0'], keepLogits: false });

  const modelFields = [...fields(bytes)];
  const nonGraph = modelFields.filter((f) => f.field !== 7).map((f) => bytes.subarray(f.start, f.end));
  const originalNonGraph = [...fields(graph.bytes)].filter((f) => f.field !== 7).map((f) => graph.bytes.subarray(f.start, f.end));
  assert.deepEqual(nonGraph, originalNonGraph);
  const graphField = modelFields.find((f) => f.field === 7)!;
  const graphFields = [...fields(bytes, graphField.dataStart, graphField.dataEnd)];
  assert.ok(graphFields.some((f) => f.field === 98));
  const rewritten = parseModel(bytes, 'rewritten');
  assert.deepEqual(rewritten.nodes.map((n) => n.outputs[0]), ['h0', 'ln1_0', 'q0_out', 'p0', 'attn0', 'mid0']);
  const norm = rewritten.nodes[1];
  const normFields = [...fields(bytes, norm.range.start, norm.range.end)];
  const payload = normFields[0];
  assert.ok([...fields(bytes, payload.dataStart, payload.dataEnd)].some((f) => f.field === 97 && f.varint === 7));
});

test('asking for a tensor no node computes is a clear error', () => {
  const { graph, map } = openFixture('tiny-random-llama-gqa-fp32');
  assert.throws(
    () => rewriteForActivations(graph, map, { tensors: ['no/such/tensor'], keepLogits: false }),
    (e: Error) => e instanceof OnnxGraphError && e.message.includes('tiny-random-llama-gqa-fp32') && e.message.includes("'no/such/tensor'"),
  );
  assert.throws(() => rewriteForActivations(graph, map, { tensors: [], keepLogits: false }), OnnxGraphError);
});

test('the rewritten model is one buffer: the graph payload in its field, the other model fields around it', () => {
  // Written straight into one output buffer (weights embedded in the graph are copied once, not three
  // times); byte for byte what wrapping the payload with lenField gives.
  const { graph, map } = openFixture('toy-facts-llama');
  const bytes = rewriteForActivations(graph, map, { tensors: [map.layers[7].residPost], keepLogits: true });
  assert.equal(bytes.byteOffset, 0);
  assert.equal(bytes.buffer.byteLength, bytes.length);
  const rewritten = parseModel(bytes, 'rewritten');
  const graphPayload = bytes.subarray(rewritten.graphPayload.start, rewritten.graphPayload.end);
  const parts = [...fields(bytes)].map((f) => (f.field === 7 ? lenField(7, graphPayload) : bytes.subarray(f.start, f.end)));
  assert.deepEqual(concatBytes(parts), bytes);
  assert.ok(rewritten.initializers.has('model.embed_tokens.weight'));
});
