// The paper's logprob baseline (LLMsKnow src/logprob_detection.py, llmsknow-pipeline.md §7.1): per row,
// the chosen tokens' logits and probabilities aggregated as min, max, mean, last token and — over the
// exact-answer span — the token after it; AUC with the raw score as P(correct) (pos_label=1).

import type { TokenScores } from './tokenScores';

export const LOGPROB_AGGREGATES = ['min', 'max', 'mean', 'last_token', 'after_last_token'] as const;
export type LogprobAggregate = (typeof LOGPROB_AGGREGATES)[number];

/** One row's scores under every aggregate; after_last_token only for the exact-answer span. */
export type LogprobRowScores = Partial<Record<`${'logits' | 'probas'}_${LogprobAggregate}`, number>>;

/**
 * Aggregates one row's token scores. `span` = generation-step indices [first, last] of the exact answer
 * (absolute token positions minus q_length, as the reference shifts them); absent: the whole answer,
 * without after_last_token, as the reference without --use_exact_answer.
 */
export function logprobRowScores(scores: TokenScores, span?: { first: number; last: number }): LogprobRowScores {
  const steps = scores.logits.length;
  if (steps === 0) return {};
  const out: LogprobRowScores = {};
  for (const [kind, values] of [
    ['logits', scores.logits],
    ['probas', scores.probs],
  ] as const) {
    const analysed = span ? values.slice(span.first, span.last + 1) : values;
    if (analysed.length === 0) continue;
    out[`${kind}_min`] = Math.min(...analysed);
    out[`${kind}_max`] = Math.max(...analysed);
    out[`${kind}_mean`] = analysed.reduce((s, v) => s + v, 0) / analysed.length;
    out[`${kind}_last_token`] = analysed[analysed.length - 1];
    // The token after the span, clamped to the last generated one (reference: min(last + 1, len - 1)).
    if (span) out[`${kind}_after_last_token`] = values[Math.min(span.last + 1, steps - 1)];
  }
  return out;
}
