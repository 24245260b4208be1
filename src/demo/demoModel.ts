// The built-in demo's model: a small LLaMA-like decoder with seeded random weights, written as ONNX by
// the project's own writer. It is untrained on purpose — the demo shows where a probe can find a label
// that depends only on the answer tokens, and with causal attention that is a property of the wiring,
// not of training. Node names follow the Hugging Face / optimum export style so the graph looks like a
// real export to the layer finder (residual `Add(residual, block_out)` named /model/layers.N/Add, Add_1).
//
// Differences from LLaMA, to keep the graph small and exact: learned absolute position embeddings instead
// of RoPE, untied lm_head, no KV cache, RMSNorm weights all ones.

import { attr, type Attribute, OnnxDataType, OnnxModelBuilder } from '../core/onnx/writer';
import { Rng } from './prng';

export interface DemoModelConfig {
  numLayers: number;
  hiddenSize: number;
  numHeads: number;
  intermediateSize: number;
  vocabSize: number;
  maxPositionEmbeddings: number;
  rmsNormEps: number;
  bosTokenId: number;
  eosTokenId: number;
  /** Seed of the weight generator (mulberry32). */
  seed: number;
  /**
   * Standard deviation of token embeddings, and of what each block adds to the residual stream (o_proj and
   * down_proj are scaled to match). RMSNorm in front of every block makes the computation itself blind to
   * this scale; it sets the size of the activations a probe sees. The reference's probe is sklearn's
   * LogisticRegression with C = 1 on raw activations, whose L2 penalty is not scale-free: real LLMs'
   * activations are large, and at unit scale the penalty alone would hide signal that is there.
   */
  residualScale: number;
  /**
   * Standard deviation of position embeddings relative to residualScale. Small: prompts differ in length,
   * so the answer's tokens sit at different positions, and position is noise for the probe.
   */
  positionScale: number;
  /**
   * Multiplies the usual 1/√head_dim on attention scores. At 1, random q·k gives broad attention: the
   * answer word is one of ~25 values averaged, but most others are the same frame tokens in every row, so
   * its identity still stands out at the tokens after it. Sharper attention (2–4) made heads lock onto a
   * few tokens and miss the word.
   */
  attentionLogitScale: number;
}

/**
 * Tuned with test/unit/demo/premiseCheck.ts (and sklearn on the same features) over several weight seeds
 * on the default 3000-row dataset: hidden 64 let the answer's identity fade in some layers' mlp_out at
 * exact_answer_after_last (AUC 0.88 for one seed); hidden 96 with small position embeddings gives ≥ 0.98
 * there for every seed tried. Sharper attention (logit scale 2–4) was worse: heads lock onto a few tokens
 * and miss the answer word.
 */
export const DEFAULT_DEMO_MODEL_CONFIG: Omit<DemoModelConfig, 'vocabSize' | 'bosTokenId' | 'eosTokenId'> = {
  numLayers: 4,
  hiddenSize: 96,
  numHeads: 4,
  intermediateSize: 192,
  maxPositionEmbeddings: 128,
  rmsNormEps: 1e-6,
  seed: 20250101,
  residualScale: 10,
  positionScale: 0.05,
  attentionLogitScale: 1,
};

/** Names of a block's intermediate tensors (TransformerLens-style hook points), for tests and checks. */
export interface DemoLayerTensors {
  residPre: string;
  attnOut: string;
  residMid: string;
  mlpIn: string;
  mlpOut: string;
  residPost: string;
}

export interface BuiltDemoModel {
  /** The serialised ModelProto. */
  bytes: Uint8Array;
  /** Per layer, the names of its intermediate tensors (graph outputs only with exposeActivations). */
  layers: DemoLayerTensors[];
}

export interface DemoModelBuildOptions {
  /** Also declare every DemoLayerTensors tensor a graph output (float [batch, seq, hidden]). */
  exposeActivations?: boolean;
}

/** Mask value for blocked attention: finite, so a sum of two stays finite, and exp() of it is exactly 0. */
const BLOCKED = -1e9;

/** Emits nodes with export-style names: `${scope}/${Op}`, then `_1`, `_2` … for repeats in a scope. */
class GraphEmitter {
  private readonly counts = new Map<string, number>();

  constructor(readonly builder: OnnxModelBuilder) {}

  op(scope: string, opType: string, inputs: string[], attributes?: Record<string, Attribute>): string {
    const base = `${scope}/${opType}`;
    const n = this.counts.get(base) ?? 0;
    this.counts.set(base, n + 1);
    const name = n === 0 ? base : `${base}_${n}`;
    const output = `${name}_output_0`;
    this.builder.addNode({ opType, inputs, outputs: [output], name, attributes });
    return output;
  }
}

export function buildDemoModel(config: DemoModelConfig, options: DemoModelBuildOptions = {}): BuiltDemoModel {
  const { numLayers, hiddenSize: h, numHeads, intermediateSize: ff, vocabSize } = config;
  if (h % numHeads !== 0) throw new Error(`hidden size ${h} is not a multiple of ${numHeads} heads`);
  const headDim = h / numHeads;
  const rng = new Rng(config.seed);
  const b = new OnnxModelBuilder({ docString: 'Layer Probe demo model: random weights, LLaMA-like decoder.' });
  const g = new GraphEmitter(b);

  b.addInput('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  b.addInput('attention_mask', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  b.addInput('position_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
  b.addOutput('logits', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', vocabSize]);

  // Shared constants.
  b.addFloatInitializer('const_one', [], [1]);
  b.addFloatInitializer('const_two', [], [2]);
  b.addFloatInitializer('const_blocked', [], [BLOCKED]);
  b.addFloatInitializer('const_rms_eps', [], [config.rmsNormEps]);
  b.addFloatInitializer('const_attn_scale', [], [config.attentionLogitScale / Math.sqrt(headDim)]);
  b.addInt64Initializer('const_heads_shape', [4], [0, 0, numHeads, headDim]);
  b.addInt64Initializer('const_hidden_shape', [3], [0, 0, h]);
  b.addInt64Initializer('const_seq_start', [1], [1]);
  b.addInt64Initializer('const_seq_end', [1], [2]);
  b.addInt64Initializer('const_key_mask_axes', [2], [1, 2]);
  b.addFloatInitializer('model.norm.weight', [h], new Float32Array(h).fill(1));

  // Embeddings: token + learned absolute position.
  const scale = config.residualScale;
  b.addFloatInitializer('model.embed_tokens.weight', [vocabSize, h], rng.uniformWeights(vocabSize * h, scale));
  b.addFloatInitializer(
    'model.embed_positions.weight',
    [config.maxPositionEmbeddings, h],
    rng.uniformWeights(config.maxPositionEmbeddings * h, scale * config.positionScale),
  );
  const tokenEmb = g.op('/model/embed_tokens', 'Gather', ['model.embed_tokens.weight', 'input_ids']);
  const positionEmb = g.op('/model/embed_positions', 'Gather', ['model.embed_positions.weight', 'position_ids']);
  let residual = g.op('/model', 'Add', [tokenEmb, positionEmb]);

  // Additive attention mask [batch, 1, seq, seq]: causal (for any length: Trilu of ones [seq, seq]) plus
  // key padding from attention_mask, so right-padded rows match their unpadded selves.
  const shape = g.op('/model', 'Shape', ['input_ids']);
  const seqLen = g.op('/model', 'Slice', [shape, 'const_seq_start', 'const_seq_end']);
  const squareShape = g.op('/model', 'Concat', [seqLen, seqLen], { axis: attr.int(0) });
  const ones = g.op('/model', 'ConstantOfShape', [squareShape], {
    value: attr.tensor({ dataType: OnnxDataType.FLOAT, dims: [1], data: [1] }),
  });
  const visible = g.op('/model', 'Trilu', [ones], { upper: attr.int(0) });
  const causalBlocked = g.op('/model', 'Sub', ['const_one', visible]);
  const causalMask = g.op('/model', 'Mul', [causalBlocked, 'const_blocked']);
  const keyMaskFloat = g.op('/model', 'Cast', ['attention_mask'], { to: attr.int(OnnxDataType.FLOAT) });
  const keyBlocked = g.op('/model', 'Sub', ['const_one', keyMaskFloat]);
  const keyMask = g.op('/model', 'Mul', [keyBlocked, 'const_blocked']);
  const keyMask4d = g.op('/model', 'Unsqueeze', [keyMask, 'const_key_mask_axes']);
  const attentionMask = g.op('/model', 'Add', [causalMask, keyMask4d]);

  const rmsNorm = (scope: string, x: string, weight: string): string => {
    const squared = g.op(scope, 'Pow', [x, 'const_two']);
    const meanSquare = g.op(scope, 'ReduceMean', [squared], { axes: attr.ints([-1]), keepdims: attr.int(1) });
    const withEps = g.op(scope, 'Add', [meanSquare, 'const_rms_eps']);
    const rms = g.op(scope, 'Sqrt', [withEps]);
    const inverseRms = g.op(scope, 'Div', ['const_one', rms]);
    const normalised = g.op(scope, 'Mul', [x, inverseRms]);
    return g.op(scope, 'Mul', [weight, normalised]);
  };
  // Linear layers stored as [in, out] (the transpose of torch's weight). std gain/√in keeps the output
  // scale at `gain` × the input's: 1 inside blocks, residualScale for what a block writes back.
  const linear = (scope: string, x: string, weightName: string, inSize: number, outSize: number, gain = 1): string => {
    b.addFloatInitializer(weightName, [inSize, outSize], rng.uniformWeights(inSize * outSize, gain / Math.sqrt(inSize)));
    return g.op(scope, 'MatMul', [x, weightName]);
  };

  const layers: DemoLayerTensors[] = [];
  for (let layer = 0; layer < numLayers; layer++) {
    const scope = `/model/layers.${layer}`;
    const param = `model.layers.${layer}`;
    const residPre = residual;

    b.addFloatInitializer(`${param}.input_layernorm.weight`, [h], new Float32Array(h).fill(1));
    const attnIn = rmsNorm(`${scope}/input_layernorm`, residPre, `${param}.input_layernorm.weight`);
    const toHeads = (proj: 'q' | 'k' | 'v', perm: number[]): string => {
      const projected = linear(`${scope}/self_attn/${proj}_proj`, attnIn, `${param}.self_attn.${proj}_proj.weight`, h, h);
      const split = g.op(`${scope}/self_attn`, 'Reshape', [projected, 'const_heads_shape']);
      return g.op(`${scope}/self_attn`, 'Transpose', [split], { perm: attr.ints(perm) });
    };
    const q = toHeads('q', [0, 2, 1, 3]); // [batch, heads, seq, head_dim]
    const kT = toHeads('k', [0, 2, 3, 1]); // [batch, heads, head_dim, seq]
    const v = toHeads('v', [0, 2, 1, 3]);
    const scores = g.op(`${scope}/self_attn`, 'MatMul', [q, kT]);
    const scaled = g.op(`${scope}/self_attn`, 'Mul', [scores, 'const_attn_scale']);
    const masked = g.op(`${scope}/self_attn`, 'Add', [scaled, attentionMask]);
    const probs = g.op(`${scope}/self_attn`, 'Softmax', [masked], { axis: attr.int(-1) });
    const context = g.op(`${scope}/self_attn`, 'MatMul', [probs, v]);
    const merged = g.op(`${scope}/self_attn`, 'Transpose', [context], { perm: attr.ints([0, 2, 1, 3]) });
    const mergedFlat = g.op(`${scope}/self_attn`, 'Reshape', [merged, 'const_hidden_shape']);
    const attnOut = linear(`${scope}/self_attn/o_proj`, mergedFlat, `${param}.self_attn.o_proj.weight`, h, h, scale);
    const residMid = g.op(scope, 'Add', [residPre, attnOut]);

    b.addFloatInitializer(`${param}.post_attention_layernorm.weight`, [h], new Float32Array(h).fill(1));
    const mlpIn = rmsNorm(`${scope}/post_attention_layernorm`, residMid, `${param}.post_attention_layernorm.weight`);
    const gate = linear(`${scope}/mlp/gate_proj`, mlpIn, `${param}.mlp.gate_proj.weight`, h, ff);
    const up = linear(`${scope}/mlp/up_proj`, mlpIn, `${param}.mlp.up_proj.weight`, h, ff);
    const gateSigmoid = g.op(`${scope}/mlp/act_fn`, 'Sigmoid', [gate]);
    const activated = g.op(`${scope}/mlp/act_fn`, 'Mul', [gate, gateSigmoid]); // SiLU
    const gated = g.op(`${scope}/mlp`, 'Mul', [activated, up]);
    const mlpOut = linear(`${scope}/mlp/down_proj`, gated, `${param}.mlp.down_proj.weight`, ff, h, scale);
    const residPost = g.op(scope, 'Add', [residMid, mlpOut]);

    layers.push({ residPre, attnOut, residMid, mlpIn, mlpOut, residPost });
    residual = residPost;
  }

  const finalNorm = rmsNorm('/model/norm', residual, 'model.norm.weight');
  b.addFloatInitializer('lm_head.weight', [h, vocabSize], rng.uniformWeights(h * vocabSize, 1 / Math.sqrt(h)));
  b.addNode({ opType: 'MatMul', inputs: [finalNorm, 'lm_head.weight'], outputs: ['logits'], name: '/lm_head/MatMul' });

  if (options.exposeActivations) {
    for (const t of layers) {
      for (const name of Object.values(t)) b.addOutput(name, OnnxDataType.FLOAT, ['batch_size', 'sequence_length', h]);
    }
  }
  return { bytes: b.toBytes(), layers };
}

/** config.json in the Hugging Face style, with the facts the model folder reader needs. */
export function demoModelHfConfig(config: DemoModelConfig): Record<string, unknown> {
  return {
    architectures: ['LlamaForCausalLM'],
    model_type: 'llama',
    vocab_size: config.vocabSize,
    hidden_size: config.hiddenSize,
    intermediate_size: config.intermediateSize,
    num_hidden_layers: config.numLayers,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numHeads,
    head_dim: config.hiddenSize / config.numHeads,
    hidden_act: 'silu',
    rms_norm_eps: config.rmsNormEps,
    max_position_embeddings: config.maxPositionEmbeddings,
    position_embedding_type: 'absolute',
    bos_token_id: config.bosTokenId,
    eos_token_id: config.eosTokenId,
    pad_token_id: null,
    tie_word_embeddings: false,
    attention_bias: false,
    mlp_bias: false,
    use_cache: false,
    torch_dtype: 'float32',
    layer_probe_demo: {
      note: 'Random weights generated by Layer Probe (src/demo/demoModel.ts); not a trained language model.',
      seed: config.seed,
      residual_scale: config.residualScale,
      position_scale: config.positionScale,
      attention_logit_scale: config.attentionLogitScale,
    },
  };
}
