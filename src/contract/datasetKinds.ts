// The benchmark kinds of the reference pipeline (llmsknow-pipeline.md §4): each has its own prompts,
// generation length, stop rule and correctness rule. `qa` is the generic question + gold-aliases kind.

export const DATASET_KINDS = [
  'qa',
  'triviaqa',
  'movies',
  'hotpotqa',
  'hotpotqa_with_context',
  'math',
  'winobias',
  'winogrande',
  'mnli',
  'imdb',
  'natural_questions_with_context',
] as const;
export type DatasetKind = (typeof DATASET_KINDS)[number];

export function isDatasetKind(value: unknown): value is DatasetKind {
  return (DATASET_KINDS as readonly unknown[]).includes(value);
}

/** Base models stop on the newline token, instruct models on EOS, and are prompted through their chat template. */
export const MODEL_KINDS = ['base', 'instruct'] as const;
export type ModelKindChoice = (typeof MODEL_KINDS)[number];
