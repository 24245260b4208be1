// Types the pipeline stages pass to each other inside the worker/CLI (never across a boundary: those
// live in src/contract).

/** One usable dataset row after column mapping and validity filtering. */
export interface DatasetRow {
  /** 0-based index of the record in the file (header excluded). */
  rowIndex: number;
  /** 1-based line where the record starts in the file (for "reveal in editor"). */
  line: number;
  /** The full prompt the model was given (reference column `question`). */
  prompt: string;
  /** The model's answer text (reference column `model_answer`). */
  answer: string;
  /** 1 = the model's answer is correct, 0 = wrong (reference `automatic_correctness`). */
  correct: 0 | 1;
  /** Valid exact answer, or undefined when the dataset has no exact-answer column. */
  exactAnswer?: string;
  /** Explicit split from an optional `split` column. */
  split?: 'train' | 'test';
  /** Prompt + answer token ids (optional `input_output_ids` column), used instead of tokenizing. */
  inputOutputIds?: number[];
  /**
   * The generated tokens' logits and probabilities as `generate` recorded them (its `token_logits` and
   * `token_probs` columns, one per id after the prompt): the logprob baseline reads them instead of a
   * teacher-forced pass.
   */
  generationScores?: { logits: number[]; probs: number[] };
}

/** A token sequence ready for a forward pass, with the 15 positions indexed into it. */
export interface PreparedSequence {
  rowIndex: number;
  ids: number[];
  /** Number of prompt tokens (`q_length` in the reference). */
  qLength: number;
  /** One absolute index per TOKEN_POSITIONS entry, in that order. */
  positions: number[];
}
