// Sampling instead of the argmax, as transformers' `generate(do_sample=True, temperature, top_k,
// top_p=1.0)` does (the reference's extraction step, §5): logits divided by the temperature, all but the
// top_k largest removed (ties with the k-th kept, as TopKLogitsWarper's `scores < kth` test), softmax,
// one draw. torch's generator cannot be reproduced, so the draws come from a seeded mulberry32 per row:
// a row's tokens depend on its seed only, never on which rows share its batch.

import { mulberry32 } from '../../../demo/prng';
import { GenerationError } from './errors';
import type { ChosenToken } from './scores';
import { tokenScores } from './scores';

export interface SamplingOptions {
  /** > 0; 1 leaves the logits as they are. */
  temperature: number;
  /** Tokens kept before the draw (transformers' default 50); 0 keeps them all. */
  topK: number;
  /** One seed per prompt (input order): each prompt draws from its own generator. */
  seeds: readonly number[];
}

/** The reference's extraction sampling: T = 1.0, top_k = 50 (top_p = 1.0 removes nothing). */
export const REFERENCE_EXTRACTION_SAMPLING = { temperature: 1, topK: 50 } as const;

/** A uniform draw in [0, 1). */
export type Uniform = () => number;

/** A generator per prompt, from its seed. */
export function uniformsFor(seeds: readonly number[]): Uniform[] {
  return seeds.map((seed) => mulberry32(seed));
}

/**
 * A 32-bit seed for one (run seed, row, attempt): murmur3's finaliser over the three, so neighbouring
 * rows and attempts get unrelated streams.
 */
export function rowSeed(seed: number, row: number, attempt = 0): number {
  let h = Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(row + 1, 0x85ebca6b) ^ Math.imul(attempt + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** One sampled token from the `count` logits at `offset`; NaN logits are refused as the greedy path does. */
export function sampleToken(
  values: Float32Array,
  offset: number,
  count: number,
  options: Pick<SamplingOptions, 'temperature' | 'topK'>,
  uniform: Uniform,
  label = 'logits',
): number {
  const { temperature, topK } = options;
  if (!(temperature > 0)) throw new GenerationError(`sampling temperature must be > 0, got ${temperature}`);
  const threshold = kthLargest(values, offset, count, topK > 0 ? Math.min(topK, count) : count, label);
  // Candidates in id order, so the draw does not depend on how the threshold was found.
  const ids: number[] = [];
  let max = -Infinity;
  for (let v = 0; v < count; v++) {
    const value = values[offset + v];
    if (value >= threshold) {
      ids.push(v);
      if (value > max) max = value;
    }
  }
  const weights = ids.map((id) => (max === -Infinity ? 1 : Math.exp((values[offset + id] - max) / temperature)));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = uniform() * total;
  for (let i = 0; i < ids.length; i++) {
    u -= weights[i];
    if (u < 0) return ids[i];
  }
  return ids[ids.length - 1];
}

/** sampleToken with the chosen token's logit, log-probability and probability under the unwarped softmax (as the greedy path reports them). */
export function sampleChosenToken(
  values: Float32Array,
  offset: number,
  count: number,
  options: Pick<SamplingOptions, 'temperature' | 'topK'>,
  uniform: Uniform,
  label: string,
  scores: boolean,
): ChosenToken {
  const id = sampleToken(values, offset, count, options, uniform, label);
  return scores ? tokenScores(values, offset, count, id) : { id, logit: values[offset + id], logprob: NaN, prob: NaN };
}

/** The k-th largest of the values (a k-element min-heap: one pass, no copy of the row). */
function kthLargest(values: Float32Array, offset: number, count: number, k: number, label: string): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let v = 0; v < count; v++) {
    const value = values[offset + v];
    if (value !== value) throw new GenerationError(`${label}: the model produced NaN logits`);
    if (size < k) {
      // Sift up.
      let i = size++;
      heap[i] = value;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (heap[parent] <= heap[i]) break;
        [heap[parent], heap[i]] = [heap[i], heap[parent]];
        i = parent;
      }
    } else if (value > heap[0]) {
      // Replace the smallest and sift down.
      heap[0] = value;
      let i = 0;
      while (true) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < k && heap[left] < heap[smallest]) smallest = left;
        if (right < k && heap[right] < heap[smallest]) smallest = right;
        if (smallest === i) break;
        [heap[smallest], heap[i]] = [heap[i], heap[smallest]];
        i = smallest;
      }
    }
  }
  return heap[0];
}
