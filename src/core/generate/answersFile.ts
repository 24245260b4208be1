// The generated-answers file: one JSON object per line, in the reference's column names, so the probing
// side reads it without a column mapping (question → prompt, model_answer, automatic_correctness,
// exact_answer, valid_exact_answer, input_output_ids).

import * as fs from 'node:fs';
import * as path from 'node:path';

export interface GeneratedAnswerRow {
  /** The question file's `id`, when it has one. */
  id?: unknown;
  /** The full prompt given to the model (the reference's `question` column). */
  question: string;
  /** The question as in the question file. */
  raw_question: string;
  /** decode(generated ids), special tokens kept: the stop token's text ("\n", "</s>") ends it when produced. */
  model_answer: string;
  /** The gold cell as read from the question file. */
  gold_answer: unknown;
  automatic_correctness: 0 | 1;
  exact_answer: string;
  valid_exact_answer: 0 | 1;
  /** Prompt ids (BOS included) + generated ids: the sequence the probes read, as the reference's .pt file. */
  input_output_ids: number[];
}

export function formatAnswersJsonl(rows: readonly GeneratedAnswerRow[]): string {
  return rows.map((row) => JSON.stringify(row) + '\n').join('');
}

/** Writes through a temporary file, so an interrupted run never leaves a half file that looks complete. */
export function writeAnswersJsonl(file: string, rows: readonly GeneratedAnswerRow[]): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  fs.writeFileSync(partial, formatAnswersJsonl(rows), 'utf8');
  fs.renameSync(partial, file);
}
