// Decoders of real sizes — a 1B shape in float32 and an 8B shape with int4 weights — written with the
// project's ONNX writer into a temp folder, in onnxruntime-genai's CPU layout (what its model builder
// writes for `-p fp32` / `-p int4 -e cpu`): SimplifiedLayerNormalization, then per block
// SkipSimplifiedLayerNormalization (output[3] = residual sum), GroupQueryAttention with rotary
// embedding inside (do_rotary, cos/sin caches), a SiLU-gated MLP, a fused final norm without the sum
// output, lm_head; `past_key_values.N.key/value` inputs and `present.N.*` outputs. Int4 weights are
// com.microsoft MatMulNBits (bits 4, block 32, symmetric — no zero points — uint8 B [N, K/32, 16] and
// float32 scales [N·K/32], as the builder's default quantizer writes them for float32 activations),
// lm_head included; embeddings stay float32 (the builder stores them in the io dtype).
//
// Weights are random (seeded) and streamed to `model.onnx.data` one 32 MiB chunk at a time, each tensor
// aligned to 64 KiB as onnx's external-data writer does, so nothing close to the model's size is ever
// held in memory. A second graph `bare.onnx` (same data file) is the same model without lm_head, output
// `last_hidden_state` (the final norm's output): the bare forward pass with logits pruned.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { attr, type Attribute, OnnxDataType, OnnxModelBuilder, type TensorValue } from '../../src/core/onnx/writer';

export interface DecoderShape {
  label: string;
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  numKvHeads: number;
  intermediateSize: number;
  vocabSize: number;
  weights: 'fp32' | 'int4';
  maxPositions: number;
}

/** LLaMA-3.2-1B-like (16 × 2048, GQA 32/8, ff 8192, vocab 128,256), float32. */
export const SHAPE_1B: DecoderShape = {
  label: '1B fp32',
  numLayers: 16,
  hiddenSize: 2048,
  numHeads: 32,
  numKvHeads: 8,
  intermediateSize: 8192,
  vocabSize: 128256,
  weights: 'fp32',
  maxPositions: 2048,
};

/** LLaMA-3-8B-like (32 × 4096, GQA 32/8, ff 14,336, vocab 128,256), int4 MatMulNBits block 32. */
export const SHAPE_8B: DecoderShape = {
  label: '8B int4',
  numLayers: 32,
  hiddenSize: 4096,
  numHeads: 32,
  numKvHeads: 8,
  intermediateSize: 14336,
  vocabSize: 128256,
  weights: 'int4',
  maxPositions: 2048,
};

const BLOCK = 32;
const ALIGN = 64 * 1024;
const CHUNK = 32 * 1024 * 1024;

export function parameterCount(s: DecoderShape): number {
  const h = s.hiddenSize;
  const kv = (h / s.numHeads) * s.numKvHeads;
  const perLayer = 2 * h * h + 2 * h * kv + 3 * h * s.intermediateSize + 2 * h;
  return 2 * s.vocabSize * h + s.numLayers * perLayer + h;
}

export interface WrittenDecoder {
  dir: string;
  seconds: number;
  /** Bytes of model.onnx.data (every weight). */
  dataBytes: number;
  /** Bytes the extraction graph reads (all but lm_head). */
  bodyBytes: number;
}

/** Streams tensors into one external data file, 64 KiB-aligned. */
class DataWriter {
  readonly fd: number;
  offset = 0;
  private readonly chunk = new Uint8Array(CHUNK);
  private state: number;

  constructor(file: string, seed: number) {
    this.fd = fs.openSync(file, 'w');
    this.state = seed >>> 0 || 1;
  }

  /** xorshift32 over a Uint32 view: ~1 ns a word, so 6 GB of weights take seconds, not minutes. */
  private fillRandom(words: Uint32Array): void {
    let x = this.state;
    for (let i = 0; i < words.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      words[i] = x >>> 0;
    }
    this.state = x;
  }

  /**
   * Writes `bytes` bytes made by `fill` (called per chunk with a chunk-sized view), returns where they lie.
   * `kind`: uniform float32 in ±scale, random bytes, or float32 drawn in [0.75, 1.25] × scale.
   */
  write(bytes: number, kind: 'uniform' | 'bytes' | 'scales', scale = 1): { offset: number; length: number } {
    const pad = (ALIGN - (this.offset % ALIGN)) % ALIGN;
    if (pad > 0) {
      fs.writeSync(this.fd, new Uint8Array(pad));
      this.offset += pad;
    }
    const start = this.offset;
    let left = bytes;
    while (left > 0) {
      const n = Math.min(left, CHUNK);
      const view = this.chunk.subarray(0, n);
      const words = new Uint32Array(view.buffer, 0, n >>> 2);
      this.fillRandom(words);
      if (kind !== 'bytes') {
        const floats = new Float32Array(view.buffer, 0, n >>> 2);
        const k = kind === 'uniform' ? (2 * scale) / 2 ** 32 : (0.5 * scale) / 2 ** 32;
        const base = kind === 'uniform' ? -scale : 0.75 * scale;
        for (let i = 0; i < words.length; i++) floats[i] = base + words[i] * k;
      }
      fs.writeSync(this.fd, view);
      left -= n;
    }
    this.offset += bytes;
    return { offset: start, length: bytes };
  }

  close(): void {
    fs.closeSync(this.fd);
  }
}

/** An external tensor's header: the writer needs dims and type only, the data is already in the file. */
function header(dataType: number, dims: number[]): TensorValue {
  if (dataType === OnnxDataType.UINT8) return { dataType: OnnxDataType.UINT8, dims, data: new Uint8Array(0) };
  return { dataType: OnnxDataType.FLOAT, dims, data: new Float32Array(0) };
}

/** Writes model.onnx, bare.onnx, model.onnx.data and config.json into a fresh temp folder (the caller removes it). */
export function writeBigDecoder(shape: DecoderShape, seed = 20261204): WrittenDecoder {
  const started = performance.now();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-decoder-'));
  const dataFile = 'model.onnx.data';
  const data = new DataWriter(path.join(dir, dataFile), seed);
  const { numLayers, hiddenSize: h, numHeads, numKvHeads, intermediateSize: ff, vocabSize } = shape;
  const headDim = h / numHeads;
  const kvSize = headDim * numKvHeads;
  const int4 = shape.weights === 'int4';

  // Both graphs get the same initializer entries; bare.onnx leaves lm_head out.
  const models = [new OnnxModelBuilder({ opsetVersion: 17, docString: `Layer Probe bench: random ${shape.label} decoder` }), new OnnxModelBuilder({ opsetVersion: 17, docString: `Layer Probe bench: random ${shape.label} decoder without lm_head` })];
  const [full, bare] = models;
  for (const m of models) m.addOpset('com.microsoft', 1);
  const both = (fn: (m: OnnxModelBuilder) => void): void => models.forEach(fn);
  let lmHeadBytes = 0;

  const external = (name: string, dataType: number, dims: number[], kind: 'uniform' | 'bytes' | 'scales', scale: number, onlyFull = false): void => {
    const bytes = dims.reduce((a, b) => a * b, 1) * (dataType === OnnxDataType.UINT8 ? 1 : 4);
    const at = data.write(bytes, kind, scale);
    if (onlyFull) lmHeadBytes += bytes;
    for (const m of onlyFull ? [full] : models) m.addInitializer(name, header(dataType, dims), { location: dataFile, ...at });
  };
  const ones = (name: string, n: number): void => both((m) => m.addFloatInitializer(name, [n], new Float32Array(n).fill(1)));

  // Graph, written into both models.
  const nodeCounts = new Map<string, number>();
  const op = (scope: string, opType: string, inputs: string[], outputs: number | string[], attributes?: Record<string, Attribute>, domain?: string, onlyFull = false): string[] => {
    const base = `${scope}/${opType}`;
    const n = nodeCounts.get(base) ?? 0;
    nodeCounts.set(base, n + 1);
    const name = n === 0 ? base : `${base}_${n}`;
    const names = typeof outputs === 'number' ? Array.from({ length: outputs }, (_, i) => `${name}/output_${i}`) : outputs;
    for (const m of onlyFull ? [full] : models) m.addNode({ opType, inputs, outputs: names, name, attributes, domain });
    return names;
  };

  both((m) => {
    m.addInput('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
    m.addInput('attention_mask', OnnxDataType.INT64, ['batch_size', 'total_sequence_length']);
    for (let i = 0; i < numLayers; i++) {
      for (const kv of ['key', 'value']) m.addInput(`past_key_values.${i}.${kv}`, OnnxDataType.FLOAT, ['batch_size', numKvHeads, 'past_sequence_length', headDim]);
    }
  });
  full.addOutput('logits', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', vocabSize]);
  bare.addOutput('last_hidden_state', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', h]);
  both((m) => {
    for (let i = 0; i < numLayers; i++) {
      for (const kv of ['key', 'value']) m.addOutput(`present.${i}.${kv}`, OnnxDataType.FLOAT, ['batch_size', numKvHeads, 'total_sequence_length', headDim]);
    }
  });

  // Rotary caches [max_positions, head_dim / 2] (theta 500,000 as LLaMA 3), small: inline.
  const half = headDim / 2;
  const cos = new Float32Array(shape.maxPositions * half);
  const sin = new Float32Array(shape.maxPositions * half);
  for (let p = 0; p < shape.maxPositions; p++) {
    for (let j = 0; j < half; j++) {
      const angle = p / 500000 ** ((2 * j) / headDim);
      cos[p * half + j] = Math.cos(angle);
      sin[p * half + j] = Math.sin(angle);
    }
  }
  both((m) => {
    m.addFloatInitializer('cos_cache', [shape.maxPositions, half], cos);
    m.addFloatInitializer('sin_cache', [shape.maxPositions, half], sin);
    m.addInt64Initializer('const_one_i64', [], [1]);
    m.addInt64Initializer('const_axis_1', [1], [1]);
  });

  // seqlens_k = sum(attention_mask) - 1, total_sequence_length = attention_mask.shape[1] (int32), as the builder does.
  const maskSum = op('/model/attn_mask_reformat/attn_mask_subgraph', 'ReduceSum', ['attention_mask', 'const_axis_1'], 1, { keepdims: attr.int(0) })[0];
  const maskSub = op('/model/attn_mask_reformat/attn_mask_subgraph', 'Sub', [maskSum, 'const_one_i64'], 1)[0];
  const seqlensK = op('/model/attn_mask_reformat/attn_mask_subgraph', 'Cast', [maskSub], 1, { to: attr.int(OnnxDataType.INT32) })[0];
  const maskShape = op('/model/attn_mask_reformat/attn_mask_subgraph', 'Shape', ['attention_mask'], 1)[0];
  const totalLen64 = op('/model/attn_mask_reformat/attn_mask_subgraph', 'Gather', [maskShape, 'const_one_i64'], 1, { axis: attr.int(0) })[0];
  const totalLen = op('/model/attn_mask_reformat/attn_mask_subgraph', 'Cast', [totalLen64], 1, { to: attr.int(OnnxDataType.INT32) })[0];

  external('model.embed_tokens.weight', OnnxDataType.FLOAT, [vocabSize, h], 'uniform', 1);
  const x = op('/model/embed_tokens', 'Gather', ['model.embed_tokens.weight', 'input_ids'], 1)[0];

  // y = x W for W [k, n]: float32 MatMul, or MatMulNBits with std 1/√k like the float weights.
  const linear = (scope: string, input: string, weight: string, k: number, n: number, onlyFull = false): string => {
    if (!int4) {
      external(weight, OnnxDataType.FLOAT, [k, n], 'uniform', Math.sqrt(3 / k), onlyFull);
      return op(scope, 'MatMul', [input, weight], 1, undefined, undefined, onlyFull)[0];
    }
    const blocks = k / BLOCK;
    // Nibbles uniform in 0..15 around the implicit zero point 8: std ≈ 4.6 × scale.
    external(`${weight}.MatMul.weight_Q4`, OnnxDataType.UINT8, [n, blocks, BLOCK / 2], 'bytes', 0, onlyFull);
    external(`${weight}.MatMul.weight_scales`, OnnxDataType.FLOAT, [n * blocks], 'scales', 1 / (4.6 * Math.sqrt(k)), onlyFull);
    return op(scope, 'MatMulNBits', [input, `${weight}.MatMul.weight_Q4`, `${weight}.MatMul.weight_scales`], 1, {
      K: attr.int(k),
      N: attr.int(n),
      bits: attr.int(4),
      block_size: attr.int(BLOCK),
      accuracy_level: attr.int(4),
    }, 'com.microsoft', onlyFull)[0];
  };

  const eps = attr.float(1e-5);
  // Skip*Norm outputs: normed, (mean, inv_std_var: omitted, as the builder does), residual sum.
  const skipOutputs = (scope: string): string[] => [`${scope}/output_0`, '', '', `${scope}/output_3`];
  let residual = x;
  ones('model.layers.0.input_layernorm.weight', h);
  let normed = op('/model/layers.0/input_layernorm', 'SimplifiedLayerNormalization', [x, 'model.layers.0.input_layernorm.weight'], 1, { axis: attr.int(-1), epsilon: eps, stash_type: attr.int(1) })[0];
  for (let i = 0; i < numLayers; i++) {
    const scope = `/model/layers.${i}`;
    const p = `model.layers.${i}`;
    const q = linear(`${scope}/attn/q_proj`, normed, `${p}.attn.q_proj`, h, h);
    const k = linear(`${scope}/attn/k_proj`, normed, `${p}.attn.k_proj`, h, kvSize);
    const v = linear(`${scope}/attn/v_proj`, normed, `${p}.attn.v_proj`, h, kvSize);
    const [attn] = op(`${scope}/attn`, 'GroupQueryAttention', [q, k, v, `past_key_values.${i}.key`, `past_key_values.${i}.value`, seqlensK, totalLen, 'cos_cache', 'sin_cache'], [`${scope}/attn/GroupQueryAttention/output_0`, `present.${i}.key`, `present.${i}.value`], {
      num_heads: attr.int(numHeads),
      kv_num_heads: attr.int(numKvHeads),
      do_rotary: attr.int(1),
      rotary_interleaved: attr.int(0),
      scale: attr.float(1 / Math.sqrt(headDim)),
      local_window_size: attr.int(-1),
    }, 'com.microsoft');
    const attnOut = linear(`${scope}/attn/o_proj`, attn, `${p}.attn.o_proj`, h, h);
    ones(`${p}.post_attention_layernorm.weight`, h);
    const post = op(`${scope}/post_attention_layernorm`, 'SkipSimplifiedLayerNormalization', [attnOut, residual, `${p}.post_attention_layernorm.weight`], skipOutputs(`${scope}/post_attention_layernorm`), { epsilon: eps }, 'com.microsoft');
    const residMid = post[3];
    const gate = linear(`${scope}/mlp/gate_proj`, post[0], `${p}.mlp.gate_proj`, h, ff);
    const up = linear(`${scope}/mlp/up_proj`, post[0], `${p}.mlp.up_proj`, h, ff);
    const sig = op(`${scope}/mlp/act_fn`, 'Sigmoid', [gate], 1)[0];
    const act = op(`${scope}/mlp/act_fn`, 'Mul', [gate, sig], 1)[0];
    const gated = op(`${scope}/mlp`, 'Mul', [act, up], 1)[0];
    const mlpOut = linear(`${scope}/mlp/down_proj`, gated, `${p}.mlp.down_proj`, ff, h);
    if (i < numLayers - 1) {
      const next = `model.layers.${i + 1}.input_layernorm.weight`;
      ones(next, h);
      const outs = op(`/model/layers.${i + 1}/input_layernorm`, 'SkipSimplifiedLayerNormalization', [mlpOut, residMid, next], skipOutputs(`/model/layers.${i + 1}/input_layernorm`), { epsilon: eps }, 'com.microsoft');
      normed = outs[0];
      residual = outs[3];
    } else {
      ones('model.norm.weight', h);
      // The builder's final norm: fused, no sum output.
      const [final] = op('/model/norm', 'SkipSimplifiedLayerNormalization', [mlpOut, residMid, 'model.norm.weight'], ['/model/norm/output_0'], { epsilon: eps }, 'com.microsoft');
      bare.addNode({ opType: 'Identity', inputs: [final], outputs: ['last_hidden_state'], name: '/model/last_hidden_state' });
      const head = linear('/lm_head', final, 'lm_head', h, vocabSize, true);
      full.addNode({ opType: 'Identity', inputs: [head], outputs: ['logits'], name: '/lm_head/Identity' });
    }
  }
  data.close();
  fs.writeFileSync(path.join(dir, 'model.onnx'), full.toBytes());
  fs.writeFileSync(path.join(dir, 'bare.onnx'), bare.toBytes());
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(hfConfig(shape), null, 2));
  return { dir, seconds: (performance.now() - started) / 1000, dataBytes: data.offset, bodyBytes: data.offset - lmHeadBytes };
}

function hfConfig(s: DecoderShape): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: s.vocabSize,
    hidden_size: s.hiddenSize,
    intermediate_size: s.intermediateSize,
    num_hidden_layers: s.numLayers,
    num_attention_heads: s.numHeads,
    num_key_value_heads: s.numKvHeads,
    head_dim: s.hiddenSize / s.numHeads,
    hidden_act: 'silu',
    rms_norm_eps: 1e-5,
    max_position_embeddings: s.maxPositions,
    rope_theta: 500000,
    bos_token_id: 1,
    eos_token_id: 2,
    tie_word_embeddings: false,
    torch_dtype: s.weights === 'int4' ? 'int4 (MatMulNBits, block 32)' : 'float32',
    layer_probe_bench: { note: 'Random weights generated by bench/extract/bigDecoder.ts; not a trained model.' },
  };
}
