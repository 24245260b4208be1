// toy-facts-llama (exported by torch.onnx without a KV cache) rebuilt with cache inputs and outputs from
// its own initializers by llamaWithCache.ts: the same weights, an optimum-style with-past graph. Weights
// are found by the exporter's node names (`/model/layers.N/self_attn/q_proj/MatMul` reads its [in, out]
// matrix as input 1), the norms by their module names.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { readModelBytes, resolveModelFolder } from '../../../../src/core/model/modelFolder';
import { type OnnxGraph, parseModel, readInitializerFloat32 } from '../../../../src/core/onnx/graph';
import { buildLlamaWithCache, type LlamaShape, type LlamaWeights } from './llamaWithCache';

/** The rebuilt model's bytes and its config.json, from the fixture folder `dir`. */
export function toyFactsWithCache(dir: string): { bytes: Uint8Array; config: Record<string, unknown>; shape: LlamaShape } {
  const folder = resolveModelFolder(dir);
  const graph = parseModel(readModelBytes(folder.modelFile), folder.modelFile);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as Record<string, number>;
  const shape: LlamaShape = {
    layers: config.num_hidden_layers,
    hidden: config.hidden_size,
    heads: config.num_attention_heads,
    headDim: config.head_dim,
    ffn: config.intermediate_size,
    vocab: config.vocab_size,
    maxPositions: config.max_position_embeddings,
    rmsEps: config.rms_norm_eps,
    ropeTheta: config.rope_theta,
  };
  if (config.num_key_value_heads !== config.num_attention_heads) throw new Error('toy-facts rebuild: grouped KV heads not supported');
  const modelDir = path.dirname(folder.modelFile);
  const named = (name: string): Float32Array => readInitializerFloat32(graph, name, modelDir);
  const matmulWeight = (nodeName: string): Float32Array => named(weightOf(graph, nodeName));
  const weights: LlamaWeights = {
    embed: named('model.embed_tokens.weight'),
    lmHead: matmulWeight('/lm_head/MatMul'),
    finalNorm: named('model.norm.weight'),
    layers: Array.from({ length: shape.layers }, (_, i) => {
      const s = `/model/layers.${i}`;
      return {
        inputNorm: named(`model.layers.${i}.input_layernorm.weight`),
        postNorm: named(`model.layers.${i}.post_attention_layernorm.weight`),
        q: matmulWeight(`${s}/self_attn/q_proj/MatMul`),
        k: matmulWeight(`${s}/self_attn/k_proj/MatMul`),
        v: matmulWeight(`${s}/self_attn/v_proj/MatMul`),
        o: matmulWeight(`${s}/self_attn/o_proj/MatMul`),
        gate: matmulWeight(`${s}/mlp/gate_proj/MatMul`),
        up: matmulWeight(`${s}/mlp/up_proj/MatMul`),
        down: matmulWeight(`${s}/mlp/down_proj/MatMul`),
      };
    }),
  };
  const hfConfig = { ...config, use_cache: true };
  return { bytes: buildLlamaWithCache(shape, weights), config: hfConfig, shape };
}

function weightOf(graph: OnnxGraph, nodeName: string): string {
  const node = graph.nodes.find((n) => n.name === nodeName && n.opType === 'MatMul');
  const weight = node?.inputs[1];
  if (weight === undefined || !graph.initializers.has(weight)) throw new Error(`toy-facts rebuild: no MatMul '${nodeName}' by an initializer`);
  return weight;
}
