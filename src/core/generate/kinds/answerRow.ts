// One row of the paper's model-output file (`output/{model}-answers-{dataset}.csv`,
// llmsknow-pipeline.md §6.1), with its columns in the reference's order. pandas' unnamed index column
// is left to the writer.

import type { DatasetKind } from '../../../contract/datasetKinds';
import { pyReprStrList } from './pythonText';
import type { BenchmarkItem, ExactAnswer, Judgement } from './types';

export interface AnswerRow {
  raw_question: string;
  /** The full prompt given to the model, before any chat template. */
  question: string;
  /** decode(generated ids) with special tokens kept. */
  model_answer: string;
  /**
   * TriviaQA: the Python repr of the alias list (what the reference's CSV holds and its readers eval);
   * math: the float (pandas writes its repr, 9.0 → "9.0": format with pyFloatStr in a CSV);
   * imdb: the 0/1 label; otherwise the gold string.
   */
  correct_answer: string | number;
  automatic_correctness: 0 | 1;
  /** null until known: the extraction kinds get it from extract_exact_answer.py (an empty cell in a CSV). */
  exact_answer: string | null;
  valid_exact_answer: 0 | 1 | null;
  /** winobias, winogrande. */
  incorrect_answer?: string;
  /** winobias. */
  stereotype?: string | null;
  /** winobias. */
  type?: string | number | null;
  /** mnli. */
  origin?: string | null;
}

/**
 * The row for one generated answer. The exact answer is the extraction's when one is given (the
 * reference's extract_exact_answer.py overwrites both columns), else the judgement's.
 */
export function answerRow(
  kind: DatasetKind,
  item: BenchmarkItem,
  prompt: string,
  modelAnswer: string,
  judgement: Judgement,
  extraction?: ExactAnswer,
): AnswerRow {
  const exact: ExactAnswer | undefined =
    extraction ??
    (judgement.exactAnswer === undefined ? undefined : { exactAnswer: judgement.exactAnswer, valid: judgement.validExactAnswer ?? 0 });
  const row: AnswerRow = {
    raw_question: item.rawQuestion,
    question: prompt,
    model_answer: modelAnswer,
    correct_answer: Array.isArray(item.correctAnswer) ? pyReprStrList(item.correctAnswer) : item.correctAnswer,
    automatic_correctness: judgement.automaticCorrectness,
    exact_answer: exact?.exactAnswer ?? null,
    valid_exact_answer: exact?.valid ?? null,
  };
  // generate_model_answers.py adds incorrect_answer from the correctness result (winobias and
  // winogrande return it), then stereotype and type for winobias and origin for mnli.
  if (kind === 'winobias' || kind === 'winogrande') row.incorrect_answer = item.incorrectAnswer;
  if (kind === 'winobias') {
    row.stereotype = item.stereotype ?? null;
    row.type = item.type ?? null;
  }
  if (kind === 'mnli') row.origin = item.origin ?? null;
  return row;
}

/** The column names of a kind's rows, in order. */
export function answerColumns(kind: DatasetKind): string[] {
  const columns = ['raw_question', 'question', 'model_answer', 'correct_answer', 'automatic_correctness', 'exact_answer', 'valid_exact_answer'];
  if (kind === 'winobias' || kind === 'winogrande') columns.push('incorrect_answer');
  if (kind === 'winobias') columns.push('stereotype', 'type');
  if (kind === 'mnli') columns.push('origin');
  return columns;
}
