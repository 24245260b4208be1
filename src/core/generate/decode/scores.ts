// The greedy choice at one position and how sure the model was of it: the chosen token's raw logit, and
// its log-probability and probability under the softmax of the whole logit row (the logprob baseline).

import { GenerationError } from './errors';

/** One greedy step of one row. */
export interface ChosenToken {
  id: number;
  /** The chosen token's logit, as the graph computed it (float32, or fp16 widened to float32). */
  logit: number;
  /** log softmax(row)[id], in float64 over the float32 row. */
  logprob: number;
  /** exp(logprob): softmax(row)[id]. */
  prob: number;
}

/** Index of the largest of `count` values from `offset`; the first one wins a tie (as torch.argmax). */
export function argmax(values: Float32Array, offset: number, count: number, label = 'logits'): number {
  let best = 0;
  let bestValue = values[offset];
  for (let v = 0; v < count; v++) {
    const value = values[offset + v];
    // NaN would never win a comparison and silently yield some id; torch would pick the NaN.
    if (value !== value) throw new GenerationError(`${label}: the model produced NaN logits`);
    if (value > bestValue) {
      bestValue = value;
      best = v;
    }
  }
  return best;
}

/**
 * The argmax of the `count` logits from `offset` with its logit, log-probability and probability.
 * log p = x_id − max − log Σ exp(x − max) (the usual stable log-sum-exp), summed in float64.
 */
export function chooseToken(values: Float32Array, offset: number, count: number, label = 'logits'): ChosenToken {
  return tokenScores(values, offset, count, argmax(values, offset, count, label));
}

/** Token `id`'s logit, and its log-probability and probability under the softmax of the `count` logits from `offset`. */
export function tokenScores(values: Float32Array, offset: number, count: number, id: number): ChosenToken {
  const logit = values[offset + id];
  let max = -Infinity;
  for (let v = 0; v < count; v++) if (values[offset + v] > max) max = values[offset + v];
  if (max === -Infinity) {
    // Every logit is −∞: softmax is undefined; torch gives NaN, a uniform choice is the only sensible limit.
    return { id, logit, logprob: -Math.log(count), prob: 1 / count };
  }
  let sum = 0;
  for (let v = 0; v < count; v++) sum += Math.exp(values[offset + v] - max);
  const logprob = logit - max - Math.log(sum);
  return { id, logit, logprob, prob: Math.exp(logprob) };
}

/**
 * How a decoding loop picks the next token of one row from its logits: `prompt` is the row's index in
 * the caller's prompts (a sampler keeps one generator per prompt).
 */
export type TokenChooser = (prompt: number, values: Float32Array, offset: number, vocab: number, label: string) => ChosenToken;

/** The greedy choice; with `scores`, its log-probability too (the softmax costs about a small model's decode step). */
export function greedyChooser(scores: boolean): TokenChooser {
  return (_prompt, values, offset, vocab, label) => {
    if (scores) return chooseToken(values, offset, vocab, label);
    const id = argmax(values, offset, vocab, label);
    return { id, logit: values[offset + id], logprob: NaN, prob: NaN };
  };
}
