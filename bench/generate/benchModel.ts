// The generation benchmark's model: a LLaMA decoder with optimum-style KV-cache I/O (4 layers × 256,
// 4 heads, SwiGLU 768, vocab 32k: 12M parameters, random weights) written with the project's ONNX writer
// into a temp folder, and its prompts. Speed depends on shapes, not on the weights.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { mulberry32 } from '../../src/demo/prng';
import { buildLlamaWithCache, type LlamaShape, randomLlamaWeights } from '../../test/unit/generate/decode/llamaWithCache';

export const BENCH_SHAPE: LlamaShape = {
  layers: 4,
  hidden: 256,
  heads: 4,
  headDim: 64,
  ffn: 768,
  vocab: 32000,
  maxPositions: 256,
  rmsEps: 1e-6,
  ropeTheta: 10000,
};

export function parameterCount(s: LlamaShape): number {
  return 2 * s.vocab * s.hidden + s.layers * (4 * s.hidden * s.hidden + 3 * s.hidden * s.ffn + 2 * s.hidden) + s.hidden;
}

/** Writes model.onnx + config.json into a fresh temp folder (the caller removes it). */
export function writeBenchModel(shape: LlamaShape = BENCH_SHAPE): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-generate-'));
  fs.writeFileSync(path.join(dir, 'model.onnx'), buildLlamaWithCache(shape, randomLlamaWeights(shape, 20261201)));
  const config = { model_type: 'llama', vocab_size: shape.vocab, hidden_size: shape.hidden, num_hidden_layers: shape.layers, bos_token_id: 1, eos_token_id: 2 };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * `count` prompts (BOS + seeded ids) whose lengths cycle through `lengths`: a question set has a handful
 * of distinct prompt lengths (toy-facts: 8 over 1,500 questions), and the cached path batches equal lengths.
 */
export function benchPrompts(count: number, lengths: readonly number[], vocab: number): number[][] {
  const rand = mulberry32(7);
  return Array.from({ length: count }, (_, i) => {
    const n = lengths[i % lengths.length];
    return [1, ...Array.from({ length: n - 1 }, () => 3 + Math.floor(rand() * (vocab - 3)))];
  });
}
