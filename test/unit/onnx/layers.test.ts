import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';

import { resolveModelFolder } from '../../../src/core/model/modelFolder';
import { type OnnxGraph, parseModel } from '../../../src/core/onnx/graph';
import { findLayers, LayerStructureError } from '../../../src/core/onnx/layers';
import { rewriteForActivations } from '../../../src/core/onnx/rewrite';
import { fixtureModel } from '../../helpers/fixtures';
import { modelProto, tinyDecoder } from './syntheticModel';

const open = (model: string): { graph: OnnxGraph; numLayers?: number } => {
  const folder = resolveModelFolder(fixtureModel(model));
  return { graph: parseModel(fs.readFileSync(folder.modelFile), folder.modelFile), numLayers: folder.numLayers };
};

test('fused genai LLaMA (fp16, SkipSimplifiedLayerNormalization): 2 sequential layers, final norm re-emitted', () => {
  const { graph, numLayers } = open('tiny-random-llama-fp16');
  const map = findLayers(graph, { expectedLayers: numLayers });
  assert.equal(map.blockKind, 'sequential');
  assert.equal(map.numLayers, 2);
  assert.equal(map.steps.length, 4);
  assert.deepEqual(map.layers[0], {
    residPre: '/model/embed_tokens/Gather/output_0',
    attnOut: '/model/layers.0/attn/o_proj/MatMul/output_0',
    residMid: '/model/layers.0/post_attention_layernorm/output_3',
    mlpIn: '/model/layers.0/post_attention_layernorm/output_0',
    mlpOut: '/model/layers.0/mlp/down_proj/MatMul/output_0',
    residPost: '/model/layers.1/input_layernorm/output_3',
    attnOutBias: undefined,
    mlpOutBias: undefined,
  });
  // The final SkipSimplifiedLayerNormalization computes the last sum without exposing it.
  const finalNorm = graph.nodes.findIndex((n) => n.name === '/model/layers.2/final_norm_layernorm/SkipLayerNorm');
  assert.equal(map.layers[1].residPost, 'layer_probe/final_resid_post');
  assert.deepEqual(map.reemit, [
    { node: finalNorm, outputs: ['/model/layers.2/final_norm_layernorm/output_0', '', '', 'layer_probe/final_resid_post'] },
  ]);
  assert.deepEqual(map.embedding, { node: graph.producerOf.get('/model/embed_tokens/Gather/output_0'), weight: 'model.embed_tokens.weight', vocabSize: 32000, hiddenSize: 16 });
});

test('fused genai LLaMA with GroupQueryAttention (fp32): 2 sequential layers', () => {
  const { graph, numLayers } = open('tiny-random-llama-gqa-fp32');
  const map = findLayers(graph, { expectedLayers: numLayers });
  assert.equal(map.blockKind, 'sequential');
  assert.equal(map.numLayers, 2);
  assert.equal(map.layers[1].attnOut, '/model/layers.1/attn/o_proj/MatMul/output_0');
  assert.ok(map.steps.every((s, i) => s.hasAttention === (i % 2 === 0)), 'attention, MLP, attention, MLP');
});

test('unfused optimum-style graph: residual Adds and decomposed RMSNorm', () => {
  const { graph, numLayers } = open('tiny-llama-unfused-extdata');
  const map = findLayers(graph, { expectedLayers: numLayers });
  assert.equal(map.blockKind, 'sequential');
  assert.equal(map.numLayers, 4);
  for (let i = 0; i < 4; i++) {
    const layer = map.layers[i];
    assert.equal(layer.residPre, i === 0 ? '/model/embed_tokens/Gather_output_0' : `/model/layers.${i - 1}/Add_1_output_0`);
    assert.equal(layer.attnOut, `/model/layers.${i}/self_attn/o_proj/MatMul_output_0`);
    assert.equal(layer.residMid, `/model/layers.${i}/Add_output_0`);
    assert.equal(layer.mlpIn, `/model/layers.${i}/post_attention_layernorm/Mul_1_output_0`);
    assert.equal(layer.mlpOut, `/model/layers.${i}/mlp/down_proj/MatMul_output_0`);
    assert.equal(layer.residPost, `/model/layers.${i}/Add_1_output_0`);
  }
  assert.deepEqual(map.reemit, []);
});

test('toy-facts (torch.onnx export, 8 layers) and terse-named qwen graph', () => {
  const toy = open('toy-facts-llama');
  const toyMap = findLayers(toy.graph, { expectedLayers: toy.numLayers });
  assert.equal(toyMap.numLayers, 8);
  assert.equal(toyMap.layers[7].residPost, '/model/layers.7/Add_1_output_0');
  assert.equal(toyMap.embedding?.hiddenSize, 128);

  const qwen = open('tiny-qwen-gqa-fp16-notokenizer');
  const qwenMap = findLayers(qwen.graph, { expectedLayers: qwen.numLayers });
  assert.equal(qwenMap.blockKind, 'sequential');
  assert.equal(qwenMap.numLayers, 2);
  assert.deepEqual(
    [qwenMap.layers[0].residPre, qwenMap.layers[0].attnOut, qwenMap.layers[0].residMid, qwenMap.layers[0].mlpIn, qwenMap.layers[0].mlpOut, qwenMap.layers[0].residPost],
    ['inputs_embeds', 'l0.o', 'l0.r1', 'l0.ln2', 'l0.dn', 'l0.r2'],
  );
  assert.equal(qwenMap.reemit.length, 1, 'final SkipLayerNormalization lacks output[3]');
  assert.equal(qwenMap.embedding?.vocabSize, 1000);
});

test('fused GPT-2: EmbedLayerNormalization residual, SkipLayerNormalization biases recorded', () => {
  const { graph, numLayers } = open('tiny-random-gpt2-fused');
  const map = findLayers(graph, { expectedLayers: numLayers });
  assert.equal(map.numLayers, 5);
  assert.equal(map.layers[0].residPre, 'EmbedLayerNormalization_0_embedding_sum');
  assert.equal(map.layers[0].mlpIn, 'FullyConnect_MatMul_0_input');
  assert.equal(map.layers[0].attnOutBias, 'transformer.h.0.ln_1.bias');
  assert.deepEqual(map.embedding, { node: 2, weight: 'transformer.wte.weight', vocabSize: 1000, hiddenSize: 32 });
});

test('a layer count that disagrees with the config is an error naming what was found', () => {
  const { graph } = open('tiny-random-llama-gqa-fp32');
  assert.throws(
    () => findLayers(graph, { expectedLayers: 3 }),
    (e: Error) =>
      e instanceof LayerStructureError &&
      e.message.includes('tiny-random-llama-gqa-fp32') &&
      e.message.includes('found 4 residual connections') &&
      e.message.includes('/model/layers.0/post_attention_layernorm/SkipLayerNorm') &&
      e.message.includes('num_hidden_layers = 3'),
  );
});

test('not-a-transformer is refused, naming the node where the walk stopped', () => {
  const { graph, numLayers } = open('not-a-transformer');
  assert.throws(
    () => findLayers(graph, { expectedLayers: numLayers }),
    (e: Error) =>
      e instanceof LayerStructureError &&
      e.message.includes('decoder.onnx') &&
      e.message.includes('does not look like a decoder-only transformer') &&
      e.message.includes("'embeddings' (Gather)"),
  );
});

test('a graph without a logits output is refused clearly', () => {
  const { graph } = open('tiny-random-llama-gqa-fp32');
  const map = findLayers(graph, {});
  const noLogits = parseModel(rewriteForActivations(graph, map, { tensors: [map.layers[0].residPost], keepLogits: false }), 'hidden-only.onnx');
  assert.throws(
    () => findLayers(noLogits, {}),
    (e: Error) => e instanceof LayerStructureError && /^hidden-only\.onnx: the graph has no 'logits' output/.test(e.message),
  );
});

test('parallel blocks (GPT-J style) are detected and split into attention and MLP, with or without a layer count', () => {
  const graph = parseModel(modelProto(tinyDecoder(3, 'parallel')), 'parallel.onnx');
  for (const expectedLayers of [3, undefined]) {
    const map = findLayers(graph, { expectedLayers });
    assert.equal(map.blockKind, 'parallel');
    assert.equal(map.numLayers, 3);
    assert.deepEqual(map.layers.map((l) => [l.residPre, l.residPost]), [['h0', 'h1'], ['h1', 'h2'], ['h2', 'h3']]);
    assert.deepEqual(
      [map.layers[0].attnOut, map.layers[0].mlpIn, map.layers[0].mlpOut, map.layers[0].residMid],
      ['attn0', 'ln_0', 'mlp0', undefined],
    );
    assert.deepEqual(map.steps[0].parallel, { attn: 'attn0', mlp: 'mlp0', order: 'branches-first' });
  }
});

test('sequential blocks are recognised without a layer count, from the attention/MLP alternation', () => {
  const graph = parseModel(modelProto(tinyDecoder(2, 'sequential')), 'sequential.onnx');
  const map = findLayers(graph);
  assert.equal(map.blockKind, 'sequential');
  assert.deepEqual(map.layers[1], {
    residPre: 'h1',
    attnOut: 'attn1',
    residMid: 'mid1',
    mlpIn: 'ln2_1',
    mlpOut: 'mlp1',
    residPost: 'h2',
    attnOutBias: undefined,
    mlpOutBias: undefined,
  });
});
