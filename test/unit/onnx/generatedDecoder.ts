// Small but complete decoder graphs written with the project's ONNX writer, for the layouts no fixture
// has: parallel-residual blocks (GPT-J / NeoX / Phi-2), optimum "merged" decoders (If on
// use_cache_branch), int4 MatMulNBits weights, inputs_embeds graphs, and graphs broken on purpose.
// Every graph really runs in onnxruntime: single-head causal attention with a key-padding mask (so a
// right-padded batch equals one prompt at a time), LayerNormalization, a ReLU MLP with bias, lm_head.

import { attr, type Attribute, OnnxDataType, OnnxGraphBuilder, OnnxModelBuilder } from '../../../src/core/onnx/writer';
import { mulberry32 } from '../../../src/demo/prng';

/**
 * How each block adds into the residual stream:
 * - sequential: `mid = r + attn(ln1(r)); post = mid + mlp(ln2(mid))` (LLaMA, GPT-2);
 * - parallel-nested: `(r + a) + m`, written in three operand orders across layers (GPT-J in HF code);
 * - parallel-branch-sum: `r + (a + m)`;
 * - parallel-fused: `a + m` fed to the next layer's SkipLayerNormalization with `r` as its skip input,
 *   the last one a fused final norm without the sum output (onnxruntime-genai's Phi-2 layout).
 */
export type BlockLayout = 'sequential' | 'parallel-nested' | 'parallel-branch-sum' | 'parallel-fused';

export interface DecoderSpec {
  layers: number;
  blocks: BlockLayout;
  /** Parallel blocks: one norm feeds attention and MLP (GPT-J, Phi-2; default) or one each (NeoX). */
  sharedNorm?: boolean;
  idsType?: 'int32' | 'int64';
  /** Learned absolute positions read from a `position_ids` input. */
  positionIds?: boolean;
  /** Every weight multiplication as MatMul (float32) or com.microsoft MatMulNBits (int4, block 16). */
  weights?: 'float' | 'int4';
  /** Takes `inputs_embeds` [batch, seq, hidden] instead of `input_ids` (no embedding table). */
  inputsEmbeds?: boolean;
  /** KV-cache inputs `past_key_values.N.key/value` concatenated before the new keys and values. */
  pastInputs?: boolean;
  /**
   * An optimum merged decoder: the body sits in an If on `use_cache_branch` (then: with past, else:
   * without). 'same-names': branch outputs are named like the If outputs, as optimum writes them;
   * 'renamed': branch outputs have their own names.
   */
  merged?: 'same-names' | 'renamed';
  /** Layer index written in node names `/model/layers.N/…` (default: the layer itself). */
  layerNameIndex?: (layer: number) => number;
  /** The first N layers have no residual connection at all (the layer walk cannot see them). */
  noResidualLayers?: number;
  /** Name of the logits output (default 'logits'). */
  logitsName?: string;
  /** The MLP activation is an op onnxruntime does not implement. */
  unknownOp?: boolean;
  seed?: number;
}

/** Tensor names a layer finder should report (residMid only for sequential blocks). */
export interface ExpectedLayer {
  residPre: string;
  attnOut: string;
  residMid?: string;
  mlpIn: string;
  mlpOut: string;
  residPost: string;
}

export interface GeneratedDecoder {
  bytes: Uint8Array;
  hidden: number;
  vocab: number;
  layers: ExpectedLayer[];
  finalNorm: { gamma: Float32Array; beta: Float32Array; epsilon: number };
  /** [hidden, vocab] as the graph multiplies it (dequantized for int4). */
  lmHead: Float32Array;
}

export const HIDDEN = 16;
const FFN = 32;
export const VOCAB = 64;
const MAX_POSITIONS = 32;
const EPSILON = 1e-5;
const NBITS_BLOCK = 16;
/** Additive mask for blocked scores: exp() of it is exactly 0, and two of them stay finite. */
const BLOCKED = -1e9;

/** Weights shared by every branch of a merged graph: created once, in the main graph. */
class Weights {
  private readonly rand: () => number;
  /** What the graph multiplies by, per matrix name (dequantized for int4). */
  readonly dense = new Map<string, Float32Array>();
  /** Values of the float initializers. */
  readonly values = new Map<string, Float32Array>();

  constructor(readonly main: OnnxGraphBuilder, readonly int4: boolean, seed: number) {
    this.rand = mulberry32(seed);
  }

  uniform(n: number, scale: number): Float32Array {
    return Float32Array.from({ length: n }, () => (this.rand() * 2 - 1) * scale);
  }

  float(name: string, dims: number[], values: Float32Array | number[]): string {
    this.values.set(name, Float32Array.from(values));
    this.main.addFloatInitializer(name, dims, values);
    return name;
  }

  /**
   * A [k, n] weight for `x × W`. For int4 it is quantized the MatMulNBits way: B [n, k/16, 8] bytes, two
   * 4-bit values per byte (low nibble first), scales [n · k/16], no zero points (so 8). `dense` keeps
   * what the graph multiplies by, for oracles.
   */
  matrix(name: string, k: number, n: number, scale: number): string {
    if (!this.int4) {
      const values = this.uniform(k * n, scale / Math.sqrt(k));
      this.dense.set(name, values);
      return this.float(name, [k, n], values);
    }
    const blocks = k / NBITS_BLOCK;
    const packed = new Uint8Array(n * blocks * (NBITS_BLOCK / 2));
    const scales = new Float32Array(n * blocks);
    const dense = new Float32Array(k * n);
    for (let col = 0; col < n; col++) {
      for (let b = 0; b < blocks; b++) {
        const s = Math.fround(((0.5 + this.rand()) * scale) / (8 * Math.sqrt(k)));
        scales[col * blocks + b] = s;
        for (let j = 0; j < NBITS_BLOCK; j++) {
          const q = Math.floor(this.rand() * 16);
          const byte = (col * blocks + b) * (NBITS_BLOCK / 2) + (j >> 1);
          packed[byte] |= j % 2 === 0 ? q : q << 4;
          dense[(b * NBITS_BLOCK + j) * n + col] = Math.fround((q - 8) * s);
        }
      }
    }
    this.dense.set(name, dense);
    this.main.addInitializer(`${name}.qweight`, { dataType: OnnxDataType.UINT8, dims: [n, blocks, NBITS_BLOCK / 2], data: packed });
    this.main.addFloatInitializer(`${name}.scales`, [n * blocks], scales);
    return name;
  }
}

/** Emits nodes with export-style names (`${scope}/${Op}`, `_1`, `_2` … for repeats). */
class Emitter {
  private readonly counts = new Map<string, number>();

  constructor(readonly graph: OnnxGraphBuilder) {}

  op(scope: string, opType: string, inputs: string[], attributes?: Record<string, Attribute>, domain?: string): string {
    return this.multi(scope, opType, inputs, 1, attributes, domain)[0];
  }

  /** A node with several outputs; '' entries in `omit` positions are left unnamed. */
  multi(
    scope: string,
    opType: string,
    inputs: string[],
    outputs: number,
    attributes?: Record<string, Attribute>,
    domain?: string,
    omit: number[] = [],
  ): string[] {
    const base = `${scope}/${opType}`;
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    const name = n === 0 ? base : `${base}_${n}`;
    const names = Array.from({ length: outputs }, (_, i) => (omit.includes(i) ? '' : `${name}_output_${i}`));
    this.graph.addNode({ opType, inputs, outputs: names, name, attributes, domain });
    return names;
  }
}

/** Writes the decoder described by `spec`. Deterministic: same spec, same bytes. */
export function generateDecoder(spec: DecoderSpec): GeneratedDecoder {
  const model = new OnnxModelBuilder({ producerName: 'layer-probe-tests' });
  const int4 = spec.weights === 'int4';
  if (int4 || spec.blocks === 'parallel-fused') model.addOpset('com.microsoft', 1);
  if (spec.unknownOp) model.addOpset('com.example.nosuch', 1);
  const w = new Weights(model, int4, spec.seed ?? 7);
  const logitsName = spec.logitsName ?? 'logits';
  const idsType = spec.idsType === 'int32' ? OnnxDataType.INT32 : OnnxDataType.INT64;

  if (spec.inputsEmbeds) model.addInput('inputs_embeds', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', HIDDEN]);
  else model.addInput('input_ids', idsType, ['batch_size', 'sequence_length']);
  model.addInput('attention_mask', OnnxDataType.INT64, ['batch_size', 'total_sequence_length']);
  if (spec.positionIds) model.addInput('position_ids', idsType, ['batch_size', 'sequence_length']);
  const withPast = spec.pastInputs || spec.merged !== undefined;
  if (withPast) {
    for (let i = 0; i < spec.layers; i++) {
      for (const kv of ['key', 'value']) {
        model.addInput(`past_key_values.${i}.${kv}`, OnnxDataType.FLOAT, ['batch_size', 'past_sequence_length', HIDDEN]);
      }
    }
  }
  if (spec.merged) model.addInput('use_cache_branch', OnnxDataType.BOOL, [1]);

  // Weights and constants live in the main graph, shared by both branches of a merged decoder.
  w.float('const_one', [], [1]);
  w.float('const_blocked', [], [BLOCKED]);
  w.float('const_attn_scale', [], [1 / Math.sqrt(HIDDEN)]);
  model.addInt64Initializer('const_seq_start', [1], [1]);
  model.addInt64Initializer('const_seq_end', [1], [2]);
  model.addInt64Initializer('const_axis_1', [1], [1]);
  if (!spec.inputsEmbeds) w.float('model.embed_tokens.weight', [VOCAB, HIDDEN], w.uniform(VOCAB * HIDDEN, 1));
  if (spec.positionIds) w.float('model.embed_positions.weight', [MAX_POSITIONS, HIDDEN], w.uniform(MAX_POSITIONS * HIDDEN, 0.3));
  const norms = new Map<string, { gamma: string; beta: string }>();
  const normWeights = (param: string): { gamma: string; beta: string } => {
    let nw = norms.get(param);
    if (!nw) {
      nw = {
        gamma: w.float(`${param}.weight`, [HIDDEN], Float32Array.from(w.uniform(HIDDEN, 0.2), (x) => 1 + x)),
        beta: w.float(`${param}.bias`, [HIDDEN], w.uniform(HIDDEN, 0.1)),
      };
      norms.set(param, nw);
    }
    return nw;
  };
  for (let i = 0; i < spec.layers; i++) {
    const p = `model.layers.${i}`;
    for (const proj of ['q', 'k', 'v']) w.matrix(`${p}.self_attn.${proj}_proj.weight`, HIDDEN, HIDDEN, 1);
    w.matrix(`${p}.self_attn.o_proj.weight`, HIDDEN, HIDDEN, 1);
    w.matrix(`${p}.mlp.up_proj.weight`, HIDDEN, FFN, 1);
    w.matrix(`${p}.mlp.down_proj.weight`, FFN, HIDDEN, 1);
    w.float(`${p}.mlp.down_proj.bias`, [HIDDEN], w.uniform(HIDDEN, 0.1));
  }
  w.matrix('lm_head.weight', HIDDEN, VOCAB, 4);
  const finalParam = spec.blocks === 'parallel-fused' ? `model.layers.${spec.layers}.final_norm_layernorm` : 'model.norm';
  const finalWeights = normWeights(finalParam);

  // The body: written once into the main graph, or into each branch of the If.
  const body = (graph: OnnxGraphBuilder, past: boolean, outputNames: (name: string) => string): ExpectedLayer[] => {
    const g = new Emitter(graph);
    const layerScope = (i: number): string => `/model/layers.${spec.layerNameIndex ? spec.layerNameIndex(i) : i}`;
    const idsLike = spec.inputsEmbeds ? 'attention_mask' : 'input_ids';
    let h = spec.inputsEmbeds ? 'inputs_embeds' : g.op('/model/embed_tokens', 'Gather', ['model.embed_tokens.weight', 'input_ids']);
    if (spec.positionIds) {
      const pos = g.op('/model/embed_positions', 'Gather', ['model.embed_positions.weight', 'position_ids']);
      h = g.op('/model', 'Add', [h, pos]);
    }
    // Additive mask [batch, seq, seq]: causal plus key padding from attention_mask.
    const shape = g.op('/model/mask', 'Shape', [idsLike]);
    const seqLen = g.op('/model/mask', 'Slice', [shape, 'const_seq_start', 'const_seq_end']);
    const square = g.op('/model/mask', 'Concat', [seqLen, seqLen], { axis: attr.int(0) });
    const ones = g.op('/model/mask', 'ConstantOfShape', [square], { value: attr.tensor({ dataType: OnnxDataType.FLOAT, dims: [1], data: [1] }) });
    const visible = g.op('/model/mask', 'Trilu', [ones], { upper: attr.int(0) });
    const causal = g.op('/model/mask', 'Mul', [g.op('/model/mask', 'Sub', ['const_one', visible]), 'const_blocked']);
    const keyFloat = g.op('/model/mask', 'Cast', ['attention_mask'], { to: attr.int(OnnxDataType.FLOAT) });
    const keyMask = g.op('/model/mask', 'Mul', [g.op('/model/mask', 'Sub', ['const_one', keyFloat]), 'const_blocked']);
    const mask = g.op('/model/mask', 'Add', [causal, g.op('/model/mask', 'Unsqueeze', [keyMask, 'const_axis_1'])]);

    const linear = (scope: string, x: string, weight: string, k: number, n: number): string =>
      int4
        ? g.op(scope, 'MatMulNBits', [x, `${weight}.qweight`, `${weight}.scales`], {
            K: attr.int(k),
            N: attr.int(n),
            bits: attr.int(4),
            block_size: attr.int(NBITS_BLOCK),
          }, 'com.microsoft')
        : g.op(scope, 'MatMul', [x, weight]);
    const layerNorm = (scope: string, x: string, param: string): string => {
      const { gamma, beta } = normWeights(param);
      return g.op(scope, 'LayerNormalization', [x, gamma, beta], { axis: attr.int(-1), epsilon: attr.float(EPSILON) });
    };
    const attention = (i: number, x: string): string => {
      const scope = `${layerScope(i)}/self_attn`;
      const p = `model.layers.${i}.self_attn`;
      const q = linear(`${scope}/q_proj`, x, `${p}.q_proj.weight`, HIDDEN, HIDDEN);
      let k = linear(`${scope}/k_proj`, x, `${p}.k_proj.weight`, HIDDEN, HIDDEN);
      let v = linear(`${scope}/v_proj`, x, `${p}.v_proj.weight`, HIDDEN, HIDDEN);
      if (past) {
        k = g.op(scope, 'Concat', [`past_key_values.${i}.key`, k], { axis: attr.int(1) });
        v = g.op(scope, 'Concat', [`past_key_values.${i}.value`, v], { axis: attr.int(1) });
      }
      if (withPast) {
        graph.addNode({ opType: 'Identity', inputs: [k], outputs: [outputNames(`present.${i}.key`)], name: `${scope}/present_key` });
        graph.addNode({ opType: 'Identity', inputs: [v], outputs: [outputNames(`present.${i}.value`)], name: `${scope}/present_value` });
      }
      const kT = g.op(scope, 'Transpose', [k], { perm: attr.ints([0, 2, 1]) });
      const scaled = g.op(scope, 'Mul', [g.op(scope, 'MatMul', [q, kT]), 'const_attn_scale']);
      const probs = g.op(scope, 'Softmax', [g.op(scope, 'Add', [scaled, mask])], { axis: attr.int(-1) });
      return linear(`${scope}/o_proj`, g.op(scope, 'MatMul', [probs, v]), `${p}.o_proj.weight`, HIDDEN, HIDDEN);
    };
    const mlp = (i: number, x: string): string => {
      const scope = `${layerScope(i)}/mlp`;
      const p = `model.layers.${i}.mlp`;
      const up = linear(`${scope}/up_proj`, x, `${p}.up_proj.weight`, HIDDEN, FFN);
      const act = spec.unknownOp ? g.op(`${scope}/act`, 'NoSuchActivation', [up], undefined, 'com.example.nosuch') : g.op(`${scope}/act`, 'Relu', [up]);
      const down = linear(`${scope}/down_proj`, act, `${p}.down_proj.weight`, FFN, HIDDEN);
      return g.op(`${scope}/down_proj`, 'Add', [down, `${p}.down_proj.bias`]);
    };

    const expected: ExpectedLayer[] = [];
    let fusedNorm: string | undefined; // parallel-fused: the shared norm the previous Skip node computed
    for (let i = 0; i < spec.layers; i++) {
      const scope = layerScope(i);
      const r = h;
      if (i < (spec.noResidualLayers ?? 0)) {
        h = mlp(i, layerNorm(`${scope}/post_attention_layernorm`, attention(i, layerNorm(`${scope}/input_layernorm`, r, `model.layers.${i}.input_layernorm`)), `model.layers.${i}.post_attention_layernorm`));
        continue;
      }
      if (spec.blocks === 'sequential') {
        const a = attention(i, layerNorm(`${scope}/input_layernorm`, r, `model.layers.${i}.input_layernorm`));
        // Operand order alternates: the finder must tell the residual by dependency, not by position.
        const mid = g.op(scope, 'Add', i % 2 === 0 ? [r, a] : [a, r]);
        const mlpIn = layerNorm(`${scope}/post_attention_layernorm`, mid, `model.layers.${i}.post_attention_layernorm`);
        const m = mlp(i, mlpIn);
        h = g.op(scope, 'Add', i % 2 === 0 ? [mid, m] : [m, mid]);
        expected.push({ residPre: r, attnOut: a, residMid: mid, mlpIn, mlpOut: m, residPost: h });
        continue;
      }
      const attnIn = fusedNorm ?? layerNorm(`${scope}/input_layernorm`, r, `model.layers.${i}.input_layernorm`);
      const mlpIn =
        spec.sharedNorm === false && spec.blocks !== 'parallel-fused'
          ? layerNorm(`${scope}/post_attention_layernorm`, r, `model.layers.${i}.post_attention_layernorm`)
          : attnIn;
      const a = attention(i, attnIn);
      const m = mlp(i, mlpIn);
      if (spec.blocks === 'parallel-nested') {
        const forms: [string[], (inner: string) => string[]][] = [
          [[r, a], (inner) => [inner, m]], // (r + a) + m
          [[a, r], (inner) => [m, inner]], // m + (a + r)
          [[m, r], (inner) => [inner, a]], // (m + r) + a
        ];
        const [innerInputs, outerInputs] = forms[i % 3];
        h = g.op(scope, 'Add', outerInputs(g.op(scope, 'Add', innerInputs)));
      } else if (spec.blocks === 'parallel-branch-sum') {
        const both = g.op(scope, 'Add', i % 2 === 0 ? [a, m] : [m, a]);
        h = g.op(scope, 'Add', i % 2 === 0 ? [r, both] : [both, r]);
      } else {
        const both = g.op(scope, 'Add', [a, m]);
        const last = i === spec.layers - 1;
        const nextScope = last ? `${layerScope(spec.layers)}/final_norm_layernorm` : `${layerScope(i + 1)}/input_layernorm`;
        const { gamma, beta } = last ? finalWeights : normWeights(`model.layers.${i + 1}.input_layernorm`);
        const outs = g.multi(nextScope, 'SkipLayerNormalization', [both, r, gamma, beta], last ? 1 : 4, { epsilon: attr.float(EPSILON) }, 'com.microsoft', [1, 2]);
        fusedNorm = outs[0];
        h = last ? 'layer_probe/final_resid_post' : outs[3];
      }
      expected.push({ residPre: r, attnOut: a, mlpIn, mlpOut: m, residPost: h });
    }
    const normed = spec.blocks === 'parallel-fused' && fusedNorm ? fusedNorm : layerNorm('/model/norm', h, finalParam);
    const head = linear('/lm_head', normed, 'lm_head.weight', HIDDEN, VOCAB);
    graph.addNode({ opType: 'Identity', inputs: [head], outputs: [outputNames(logitsName)], name: '/lm_head/Identity' });
    return expected;
  };

  const outputs: string[] = [logitsName];
  if (withPast) for (let i = 0; i < spec.layers; i++) outputs.push(`present.${i}.key`, `present.${i}.value`);
  const declareOutputs = (graph: OnnxGraphBuilder, rename: (name: string) => string): void => {
    for (const o of outputs) {
      if (o === logitsName) graph.addOutput(rename(o), OnnxDataType.FLOAT, ['batch_size', 'sequence_length', VOCAB]);
      else graph.addOutput(rename(o), OnnxDataType.FLOAT, ['batch_size', 'total_sequence_length', HIDDEN]);
    }
  };
  let layers: ExpectedLayer[];
  if (spec.merged) {
    const rename = spec.merged === 'renamed' ? (name: string) => `branch/${name}` : (name: string) => name;
    const withCache = new OnnxGraphBuilder('decoder_with_past');
    body(withCache, true, rename);
    declareOutputs(withCache, rename);
    const noCache = new OnnxGraphBuilder('decoder_no_past');
    layers = body(noCache, false, rename);
    declareOutputs(noCache, rename);
    model.addNode({
      opType: 'If',
      name: 'optimum::if',
      inputs: ['use_cache_branch'],
      outputs,
      attributes: { then_branch: attr.graph(withCache), else_branch: attr.graph(noCache) },
    });
  } else {
    layers = body(model, spec.pastInputs ?? false, (name) => name);
  }
  declareOutputs(model, (name) => name);

  return {
    bytes: model.toBytes(),
    hidden: HIDDEN,
    vocab: VOCAB,
    layers,
    finalNorm: { gamma: w.values.get(finalWeights.gamma)!, beta: w.values.get(finalWeights.beta)!, epsilon: EPSILON },
    lmHead: w.dense.get('lm_head.weight')!,
  };
}
