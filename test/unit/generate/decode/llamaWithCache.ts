// A LLaMA decoder with optimum-style KV-cache I/O, written with the project's ONNX writer from given
// weights: standard opset-17 ops only (decomposed RMSNorm, RoPE by rotate_half, SwiGLU, multi-head
// attention with a causal + key-padding mask built from attention_mask), inputs input_ids /
// attention_mask / position_ids (int64) / past_key_values.N.key|value [batch, heads, past, head_dim],
// outputs logits / present.N.key|value. Used for a cache-input rebuild of the trained toy-facts-llama
// (its own initializers) and, with random weights, for the generation benchmark.

import { attr, OnnxDataType, OnnxModelBuilder } from '../../../../src/core/onnx/writer';
import { mulberry32 } from '../../../../src/demo/prng';

export interface LlamaShape {
  layers: number;
  hidden: number;
  heads: number;
  headDim: number;
  ffn: number;
  vocab: number;
  maxPositions: number;
  rmsEps: number;
  ropeTheta: number;
}

/** What a layer's or the model's weights are called by role; matrices are [in, out] (x × W). */
export interface LlamaWeights {
  embed: Float32Array; // [vocab, hidden]
  lmHead: Float32Array; // [hidden, vocab]
  finalNorm: Float32Array; // [hidden]
  layers: {
    inputNorm: Float32Array;
    postNorm: Float32Array;
    q: Float32Array;
    k: Float32Array;
    v: Float32Array;
    o: Float32Array;
    gate: Float32Array;
    up: Float32Array;
    down: Float32Array;
  }[];
}

/** Additive mask value for blocked keys: exp() of it is exactly 0. */
const BLOCKED = -1e9;

export function buildLlamaWithCache(shape: LlamaShape, weights: LlamaWeights): Uint8Array {
  const { layers, hidden, heads, headDim, ffn, vocab, maxPositions, rmsEps, ropeTheta } = shape;
  if (heads * headDim !== hidden) throw new Error('heads × headDim must equal hidden');
  const m = new OnnxModelBuilder({ producerName: 'layer-probe-tests', opsetVersion: 17 });
  m.addInput('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  m.addInput('attention_mask', OnnxDataType.INT64, ['batch_size', 'total_sequence_length']);
  m.addInput('position_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value']) m.addInput(`past_key_values.${i}.${kv}`, OnnxDataType.FLOAT, ['batch_size', heads, 'past_sequence_length', headDim]);
  }

  let counter = 0;
  const op = (opType: string, inputs: string[], attributes?: Parameters<typeof m.addNode>[0]['attributes'], name?: string): string => {
    const out = name ?? `t${counter++}_${opType}`;
    m.addNode({ opType, inputs, outputs: [out], name: `${out}/node`, attributes });
    return out;
  };
  const ints = (name: string, values: number[]): string => {
    m.addInt64Initializer(name, [values.length], values);
    return name;
  };
  const scalar = (name: string, value: number): string => {
    m.addFloatInitializer(name, [], [value]);
    return name;
  };

  // Constants.
  ints('c_axis0', [0]);
  ints('c_axis1', [1]);
  ints('c_axes01', [0, 1]);
  ints('c_axes12', [1, 2]);
  ints('c_one', [1]);
  ints('c_zero_i', [0]);
  ints('c_heads_shape', [0, 0, heads, headDim]);
  ints('c_merge_shape', [0, 0, hidden]);
  ints('c_half', [headDim / 2, headDim / 2]);
  m.addInt64Initializer('c_scalar_zero', [], [0]);
  m.addInt64Initializer('c_scalar_one', [], [1]);
  scalar('c_eps', rmsEps);
  scalar('c_scale', 1 / Math.sqrt(headDim));
  scalar('c_zero_f', 0);
  scalar('c_blocked', BLOCKED);

  // RoPE tables as HF computes them: inv_freq and position × inv_freq in float32, cos/sin of that.
  const cos = new Float32Array(maxPositions * headDim);
  const sin = new Float32Array(maxPositions * headDim);
  for (let p = 0; p < maxPositions; p++) {
    for (let j = 0; j < headDim / 2; j++) {
      const invFreq = Math.fround(1 / Math.fround(ropeTheta ** Math.fround((2 * j) / headDim)));
      const angle = Math.fround(p * invFreq);
      for (const col of [j, j + headDim / 2]) {
        cos[p * headDim + col] = Math.cos(angle);
        sin[p * headDim + col] = Math.sin(angle);
      }
    }
  }
  m.addFloatInitializer('rope.cos', [maxPositions, headDim], cos);
  m.addFloatInitializer('rope.sin', [maxPositions, headDim], sin);

  m.addFloatInitializer('model.embed_tokens.weight', [vocab, hidden], weights.embed);
  m.addFloatInitializer('lm_head.weight', [hidden, vocab], weights.lmHead);
  m.addFloatInitializer('model.norm.weight', [hidden], weights.finalNorm);

  // Mask [batch, 1, seq, total]: query i (absolute position past + i) sees key j ≤ past + i, if unpadded.
  const seqLen = op('Gather', [op('Shape', ['input_ids']), 'c_scalar_one'], { axis: attr.int(0) });
  const total = op('Gather', [op('Shape', ['attention_mask']), 'c_scalar_one'], { axis: attr.int(0) });
  const past = op('Sub', [total, seqLen]);
  const keys = op('Range', ['c_scalar_zero', total, 'c_scalar_one']);
  const queries = op('Range', [past, total, 'c_scalar_one']);
  const causal = op('LessOrEqual', [op('Unsqueeze', [keys, 'c_axis0']), op('Unsqueeze', [queries, 'c_axis1'])]); // [seq, total]
  const keyOk = op('Unsqueeze', [op('Cast', ['attention_mask'], { to: attr.int(OnnxDataType.BOOL) }), 'c_axes12']); // [batch, 1, 1, total]
  const visible = op('And', [op('Unsqueeze', [causal, 'c_axes01']), keyOk]);
  const mask = op('Where', [visible, 'c_zero_f', 'c_blocked'], undefined, 'attn_mask');

  const cosP = op('Unsqueeze', [op('Gather', ['rope.cos', 'position_ids'], { axis: attr.int(0) }), 'c_axis1']); // [batch, 1, seq, d]
  const sinP = op('Unsqueeze', [op('Gather', ['rope.sin', 'position_ids'], { axis: attr.int(0) }), 'c_axis1']);
  const rope = (x: string): string => {
    const split = `t${counter++}_Split`;
    m.addNode({ opType: 'Split', inputs: [x, 'c_half'], outputs: [`${split}_0`, `${split}_1`], name: split, attributes: { axis: attr.int(-1) } });
    const rotated = op('Concat', [op('Neg', [`${split}_1`]), `${split}_0`], { axis: attr.int(-1) });
    return op('Add', [op('Mul', [x, cosP]), op('Mul', [rotated, sinP])]);
  };
  const rmsNorm = (x: string, weight: string): string => {
    const meanSq = op('ReduceMean', [op('Mul', [x, x])], { axes: attr.ints([-1]), keepdims: attr.int(1) });
    return op('Mul', [weight, op('Div', [x, op('Sqrt', [op('Add', [meanSq, 'c_eps'])])])]);
  };
  const toHeads = (x: string): string => op('Transpose', [op('Reshape', [x, 'c_heads_shape'])], { perm: attr.ints([0, 2, 1, 3]) });

  let h = op('Gather', ['model.embed_tokens.weight', 'input_ids'], { axis: attr.int(0) });
  weights.layers.forEach((w, i) => {
    const p = `model.layers.${i}`;
    m.addFloatInitializer(`${p}.input_layernorm.weight`, [hidden], w.inputNorm);
    m.addFloatInitializer(`${p}.post_attention_layernorm.weight`, [hidden], w.postNorm);
    for (const [name, data, k, n] of [
      ['q_proj', w.q, hidden, hidden],
      ['k_proj', w.k, hidden, hidden],
      ['v_proj', w.v, hidden, hidden],
      ['o_proj', w.o, hidden, hidden],
    ] as const) m.addFloatInitializer(`${p}.self_attn.${name}.weight`, [k, n], data);
    m.addFloatInitializer(`${p}.mlp.gate_proj.weight`, [hidden, ffn], w.gate);
    m.addFloatInitializer(`${p}.mlp.up_proj.weight`, [hidden, ffn], w.up);
    m.addFloatInitializer(`${p}.mlp.down_proj.weight`, [ffn, hidden], w.down);

    const x = rmsNorm(h, `${p}.input_layernorm.weight`);
    const q = rope(toHeads(op('MatMul', [x, `${p}.self_attn.q_proj.weight`])));
    const kNew = rope(toHeads(op('MatMul', [x, `${p}.self_attn.k_proj.weight`])));
    const vNew = toHeads(op('MatMul', [x, `${p}.self_attn.v_proj.weight`]));
    const k = op('Concat', [`past_key_values.${i}.key`, kNew], { axis: attr.int(2) }, `present.${i}.key`);
    const v = op('Concat', [`past_key_values.${i}.value`, vNew], { axis: attr.int(2) }, `present.${i}.value`);
    const scores = op('Add', [op('Mul', [op('MatMul', [q, op('Transpose', [k], { perm: attr.ints([0, 1, 3, 2]) })]), 'c_scale']), mask]);
    const context = op('MatMul', [op('Softmax', [scores], { axis: attr.int(-1) }), v]);
    const merged = op('Reshape', [op('Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) }), 'c_merge_shape']);
    const mid = op('Add', [h, op('MatMul', [merged, `${p}.self_attn.o_proj.weight`])]);
    const y = rmsNorm(mid, `${p}.post_attention_layernorm.weight`);
    const gate = op('MatMul', [y, `${p}.mlp.gate_proj.weight`]);
    const act = op('Mul', [op('Mul', [gate, op('Sigmoid', [gate])]), op('MatMul', [y, `${p}.mlp.up_proj.weight`])]);
    h = op('Add', [mid, op('MatMul', [act, `${p}.mlp.down_proj.weight`])]);
  });
  op('MatMul', [rmsNorm(h, 'model.norm.weight'), 'lm_head.weight'], undefined, 'logits');
  m.addOutput('logits', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', vocab]);
  for (let i = 0; i < layers; i++) {
    for (const kv of ['key', 'value']) m.addOutput(`present.${i}.${kv}`, OnnxDataType.FLOAT, ['batch_size', heads, 'total_sequence_length', headDim]);
  }
  return m.toBytes();
}

/** Seeded random weights of the given shape (for benchmarks: speed does not depend on the values). */
export function randomLlamaWeights(shape: LlamaShape, seed = 1): LlamaWeights {
  const rand = mulberry32(seed);
  const mat = (k: number, n: number): Float32Array => Float32Array.from({ length: k * n }, () => ((rand() * 2 - 1) * 1.7) / Math.sqrt(k));
  const ones = (n: number): Float32Array => new Float32Array(n).fill(1);
  const { hidden, ffn, vocab } = shape;
  return {
    embed: Float32Array.from({ length: vocab * hidden }, () => rand() * 2 - 1),
    lmHead: mat(hidden, vocab),
    finalNorm: ones(hidden),
    layers: Array.from({ length: shape.layers }, () => ({
      inputNorm: ones(hidden),
      postNorm: ones(hidden),
      q: mat(hidden, hidden),
      k: mat(hidden, hidden),
      v: mat(hidden, hidden),
      o: mat(hidden, hidden),
      gate: mat(hidden, ffn),
      up: mat(hidden, ffn),
      down: mat(ffn, hidden),
    })),
  };
}
