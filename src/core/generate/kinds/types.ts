// What the per-kind prompt, judge and output-row code needs of one benchmark record (llmsknow-pipeline.md
// §4, §6). The fields carry the reference's own values (its raw_question, correct_answer…), so the
// answers file written from them has the paper's layout.

import type { DatasetKind } from '../../../contract/datasetKinds';

/**
 * The reference's `correct_answer`: TriviaQA's alias list (the CSV holds its Python repr), math's
 * `eval(answer)[0]` float, IMDB's 0/1 label, and the gold string for every other kind.
 */
export type GoldValue = string | number | string[];

export interface BenchmarkItem {
  /** 0-based record index in the file (the reference's pandas index). */
  rowIndex: number;
  /** 1-based line where the record starts. */
  line: number;
  /** The record's `id` cell, when the file has one. */
  id?: unknown;
  /**
   * The reference's `raw_question`: the question as in the file; winobias: the sentence only;
   * hotpotqa_with_context: the context sentences, one per line, then the question (the reference
   * builds that text while loading, before raw_question is taken); IMDB: the review.
   */
  rawQuestion: string;
  correctAnswer: GoldValue;
  /** Acceptable answer strings, for displays and generic consumers; the judges use `correctAnswer`. */
  aliases: string[];
  /** winobias, winogrande: the wrong entity (the reference's `incorrect_answer` column). */
  incorrectAnswer?: string;
  /** winobias: `pro` / `anti`. */
  stereotype?: string;
  /** winobias: 1 / 2 (a number when the cell is an integer, as pandas reads it). */
  type?: string | number;
  /** mnli: the `Origin` cell. */
  origin?: string;
  /** winobias: the base-model question (`q`, "The pronoun 'he' refers to the"). */
  q?: string;
  /** winobias: the instruct-model question (`q_instruct`, "Who does the pronoun 'he' refer to?"). */
  qInstruct?: string;
  /** natural_questions_with_context: the `Context` cell. */
  context?: string;
}

export interface Benchmark {
  file: string;
  kind: DatasetKind;
  /** The file's columns each role was read from (question, gold, …), for messages and the log. */
  columnsUsed: Record<string, string>;
  items: BenchmarkItem[];
}

/** The outcome of the reference's correctness function for one answer. */
export interface Judgement {
  automaticCorrectness: 0 | 1;
  /**
   * Set where the correctness function itself yields the exact answer (winobias, winogrande, imdb;
   * and mnli, see `exactAnswerIsFix`); the other kinds get theirs from extraction.
   */
  exactAnswer?: string;
  validExactAnswer?: 0 | 1;
  /**
   * natural_questions_with_context: the substring test failed and the reference would now ask its LLM
   * judge (Mistral-7B-Instruct, sampled); no judge runs here, so the row stays 0.
   */
  llmJudgeNotRun?: true;
  /**
   * mnli: the reference computes the matched class word but stores it under an unused key, so its CSV
   * has no exact answer and every exact-answer position falls back to last_q (§1.6). Here the word is
   * the exact answer, a deliberate fix.
   */
  exactAnswerIsFix?: true;
}

/** An exact answer with the reference's validity flag (§5). */
export interface ExactAnswer {
  exactAnswer: string;
  valid: 0 | 1;
}
