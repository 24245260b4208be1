// One answer's text → its label and exact answer, the part of answer generation that needs no token
// ids: `generate` runs it on what the model just decoded, `judge` on answers generated elsewhere, so the
// two label a given answer identically.

import type { DatasetKind, ModelKindChoice } from '../../contract/datasetKinds';
import type { ModelTokenizer } from '../tokenize/modelTokenizer';
import type { AnswerRow } from './kinds/answerRow';
import { answerRow } from './kinds/answerRow';
import { NO_ANSWER } from './kinds/choiceJudges';
import { EXACT_ANSWER_FROM_CORRECTNESS, exactAnswerForCorrectRow, extractionAnswerText, usesExtractionModel } from './kinds/exactAnswer';
import { judgeAnswer } from './kinds/judge';
import type { BenchmarkItem, ExactAnswer, Judgement } from './kinds/types';
import { shortAnswerOf } from './shortAnswer';

/**
 * Where exact_answer came from: the gold found in the answer (correct rows), the kind's correctness
 * rule (winobias, winogrande, imdb, mnli), the extraction model (§5), or the short-answer heuristic
 * that stands in for it.
 */
export type ExactAnswerSource = 'gold' | 'correctness' | 'extraction' | 'heuristic';

/** What the extraction model reads for a row (extract_exact_answer.py's `question` and `model_answer`). */
export interface ExtractionInput {
  /** raw_question. */
  question: string;
  /** The answer as extraction sees it: base-model answers cut to their first line. */
  answer: string;
}

export interface JudgedAnswer {
  judgement: Judgement;
  /** The exact answer when it does not come from the judgement itself (answerRow takes the judgement's then). */
  exact?: ExactAnswer;
  source: ExactAnswerSource;
  /**
   * Set on the rows the reference hands to its extraction model (wrong rows; every
   * natural_questions row): `exact` holds the heuristic until an extraction model replaces it.
   */
  extraction?: ExtractionInput;
}

export interface JudgeTextOptions {
  /** The answering model's name (winogrande's Llama rule). */
  modelName?: string;
  /** Texts of the tokens that can end an answer ("</s>", "<|eot_id|>"…), which the heuristic strips. */
  endTokens: readonly string[];
}

/**
 * The end-token texts the heuristic strips when no tokenizer is at hand (judging a file without
 * --model): the EOS and end-of-turn tokens of the model families the paper and its users run.
 */
export const COMMON_END_TOKENS: readonly string[] = ['</s>', '<|eot_id|>', '<|end_of_text|>', '<|endoftext|>', '<|im_end|>', '<|end|>', '<eos>', '<end_of_turn>'];

/**
 * The label of one answer by its kind's rule, and its exact answer: from the correctness rule
 * (winobias, winogrande, imdb, mnli), the reference's correct-row search, or — for the rows the
 * reference asks an extraction LLM about — the heuristic short answer (the answer's first line, end
 * tokens and final stops removed), valid only when it occurs in the answer; `extraction` then says
 * what an extraction model would read.
 */
export function judgeAnswerText(
  kind: DatasetKind,
  item: BenchmarkItem,
  answer: string,
  modelKind: ModelKindChoice,
  options: JudgeTextOptions,
): JudgedAnswer {
  const judgement = judgeAnswer(kind, item, answer, modelKind, { modelName: options.modelName });
  if (EXACT_ANSWER_FROM_CORRECTNESS.has(kind)) return { judgement, source: 'correctness' };
  if (!usesExtractionModel(kind, judgement.automaticCorrectness)) {
    const found = exactAnswerForCorrectRow(kind, item, answer, modelKind);
    return { judgement, exact: { exactAnswer: found.exactAnswer, valid: found.valid }, source: 'gold' };
  }
  const text = extractionAnswerText(answer, modelKind);
  const short = shortAnswerOf(text, options.endTokens);
  const valid = short !== '' && answer.toLowerCase().includes(short.toLowerCase());
  return {
    judgement,
    exact: { exactAnswer: valid ? short : NO_ANSWER, valid: valid ? 1 : 0 },
    source: 'heuristic',
    extraction: { question: item.rawQuestion, answer: text },
  };
}

/** The same answer with the extraction model's exact answer in place of the heuristic's. */
export function withExtractedAnswer(judged: JudgedAnswer, exact: ExactAnswer): JudgedAnswer {
  return { ...judged, exact, source: 'extraction' };
}

/** The paper's model-output row (§6.1) for a judged answer, with where its exact answer came from. */
export function judgedRow(
  kind: DatasetKind,
  item: BenchmarkItem,
  prompt: string,
  answer: string,
  judged: JudgedAnswer,
): AnswerRow & { exact_answer_source: ExactAnswerSource } {
  return { ...answerRow(kind, item, prompt, answer, judged.judgement, judged.exact), exact_answer_source: judged.source };
}

/** Text of the tokens that can end an answer, except whitespace ones (the first-line cut handles "\n"). */
export function endTokenTexts(tok: Pick<ModelTokenizer, 'stopIds' | 'eosIds' | 'decode'>): string[] {
  const ids = new Set([...tok.stopIds, ...tok.eosIds]);
  return [...ids].map((id) => tok.decode([id])).filter((text) => text.trim() !== '');
}
