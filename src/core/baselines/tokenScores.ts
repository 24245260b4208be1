// The chosen tokens' logits and probabilities, as the reference's logprob baseline reads them from
// `generate(output_scores=True)`: for every generated token, the (unwarped, greedy) logit the model gave
// it and its softmax probability. From a teacher-forced pass over prompt + answer ids these are the
// same numbers: the logits at position t score the token at t + 1.

export interface TokenScores {
  /** One per answer token (generation step), in order. */
  logits: number[];
  probs: number[];
}

/**
 * Scores of tokens ids[qLength…] from `logits` ([seqLen, vocab] rows of one batch row, row-major,
 * starting at `offset`). The softmax is computed in float64 with the max subtracted, so a large vocabulary
 * cannot overflow.
 */
export function chosenTokenScores(
  logits: Float32Array,
  offset: number,
  vocab: number,
  ids: readonly number[],
  qLength: number,
): TokenScores {
  const out: TokenScores = { logits: [], probs: [] };
  for (let t = qLength; t < ids.length; t++) {
    const row = offset + (t - 1) * vocab;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) if (logits[row + v] > max) max = logits[row + v];
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[row + v] - max);
    const chosen = logits[row + ids[t]];
    out.logits.push(chosen);
    out.probs.push(Math.exp(chosen - max) / sum);
  }
  return out;
}

/** Softmax over two logits, the first's share: p(True) from the logits of the tokens `A` and `B`. */
export function twoWaySoftmax(first: number, second: number): number {
  const m = Math.max(first, second);
  const a = Math.exp(first - m);
  const b = Math.exp(second - m);
  return a / (a + b);
}
