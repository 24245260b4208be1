// How the exact answers of a run were found, in the words the CLI summary, the log and the answers'
// provenance show: the kind's correctness rule, the gold in the answer, an extraction model (greedy or
// sampled) or the short-answer heuristic.

import type { DatasetKind } from '../../contract/datasetKinds';
import { EXACT_ANSWER_FROM_CORRECTNESS } from './kinds/exactAnswer';

/** What ran for the rows the reference hands to its extraction model. */
export type ExactAnswerMode =
  | { mode: 'heuristic' }
  | { mode: 'extraction'; model: string; sampling?: { seed: number; temperature: number; topK: number; attempts: number } };

export function describeExactAnswerMode(mode: ExactAnswerMode): string {
  if (mode.mode === 'heuristic') return "heuristic exact answers (the answer's first line less end tokens and final stops; no extraction model)";
  if (!mode.sampling) return `extraction model ${mode.model}, greedy`;
  const { seed, temperature, topK, attempts } = mode.sampling;
  return `extraction model ${mode.model}, sampled at T=${temperature}, seed ${seed} (top_k ${topK}, up to ${attempts} attempts while invalid)`;
}

export function describeExactAnswers(kind: DatasetKind, mode: ExactAnswerMode): string {
  if (EXACT_ANSWER_FROM_CORRECTNESS.has(kind)) return "from the kind's correctness rule (no extraction)";
  // extract_exact_answer.py forces natural_questions rows to 0: each goes to the extraction model.
  if (kind === 'natural_questions_with_context') return `every row: ${describeExactAnswerMode(mode)}`;
  return `correct rows: the gold found in the answer; wrong rows: ${describeExactAnswerMode(mode)}`;
}
