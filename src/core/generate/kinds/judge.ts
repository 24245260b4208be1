// judgeAnswer: the reference's correctness function per kind (compute_correctness.py;
// llmsknow-pipeline.md §4.3). All are loose, lowercase substring tests, reproduced as they are:
// "improving" them changes the labels the probes learn.

import type { DatasetKind, ModelKindChoice } from '../../../contract/datasetKinds';
import { judgeImdb, judgeMnli, judgeWinobias, judgeWinogrande } from './choiceJudges';
import { pyFloatStr, pyIntStr, pyStrip } from './pythonText';
import type { BenchmarkItem, Judgement } from './types';

export interface JudgeOptions {
  /** The generating model's name or path: winogrande has a Llama-only answer-cleaning rule. */
  modelName?: string;
}

/**
 * The label (1 = correct) of one generated answer, and the exact answer where the correctness
 * function yields one. `modelAnswer` is the full decode (special tokens kept), as the reference judges
 * it: base-model answers are not cut to their first line here (triviaqa_postprocess is never called).
 * `modelKind` does not change any correctness rule; it is taken for symmetry with the other steps.
 */
export function judgeAnswer(
  kind: DatasetKind,
  item: BenchmarkItem,
  modelAnswer: string,
  _modelKind: ModelKindChoice,
  options: JudgeOptions = {},
): Judgement {
  switch (kind) {
    case 'qa':
      // The generic kind: TriviaQA's rule over the parsed aliases (a list-literal gold is a list).
      return label(anyAliasIn(modelAnswer, item.aliases));
    case 'triviaqa':
      return label(anyAliasIn(modelAnswer, goldList(item)));
    case 'movies':
      // compute_correctness_movies: both sides lowercased and stripped.
      return label(pyStrip(modelAnswer.toLowerCase()).includes(pyStrip(goldText(item).toLowerCase())));
    case 'hotpotqa':
    case 'hotpotqa_with_context':
      return label(modelAnswer.toLowerCase().includes(goldText(item).toLowerCase()));
    case 'math':
      return label(mathCorrect(modelAnswer, goldNumber(item)));
    case 'natural_questions_with_context': {
      // compute_correctness_natual_questions: the substring test, and for a miss an LLM judge
      // (Mistral-7B-Instruct, sampled, up to 5 tries), which is not available here: a miss stays 0 and
      // says so. naturalQuestionsJudgePrompt / parseJudgeVerdict reproduce the judge for a caller that
      // has such a model.
      const hit = modelAnswer.toLowerCase().includes(goldText(item).toLowerCase());
      return hit ? label(true) : { automaticCorrectness: 0, llmJudgeNotRun: true };
    }
    case 'winobias':
      return judgeWinobias(modelAnswer, goldText(item), incorrectOf(item));
    case 'winogrande':
      return judgeWinogrande(modelAnswer, goldText(item), incorrectOf(item), options.modelName);
    case 'mnli':
      return judgeMnli(modelAnswer, goldText(item));
    case 'imdb':
      return judgeImdb(modelAnswer, goldNumber(item));
  }
}

function label(correct: boolean): Judgement {
  return { automaticCorrectness: correct ? 1 : 0 };
}

/**
 * compute_correctness_triviaqa: some alias, lowercased, is a substring of the lowercased answer. No
 * other normalisation (no strip, no punctuation or article removal); an empty alias would match anything.
 */
export function anyAliasIn(answer: string, aliases: readonly string[]): boolean {
  const lower = answer.toLowerCase();
  return aliases.some((alias) => lower.includes(alias.toLowerCase()));
}

/**
 * compute_correctness_math: `str(label) in answer.lower() or str(int(label)) in answer.lower()`, with
 * the label a float: "9.0" or "9" anywhere, so "19" and "1990" match 9.0, and 2.5 also matches any "2".
 */
export function mathCorrect(answer: string, gold: number): boolean {
  const lower = answer.toLowerCase();
  return lower.includes(pyFloatStr(gold)) || lower.includes(pyIntStr(gold));
}

function goldList(item: BenchmarkItem): string[] {
  const gold = item.correctAnswer;
  return Array.isArray(gold) ? gold : [String(gold)];
}

function goldText(item: BenchmarkItem): string {
  if (Array.isArray(item.correctAnswer)) throw new TypeError('this kind needs one gold string, not an alias list');
  return String(item.correctAnswer);
}

function goldNumber(item: BenchmarkItem): number {
  if (typeof item.correctAnswer !== 'number') throw new TypeError('this kind needs a numeric gold (math float, IMDB 0/1 label)');
  return item.correctAnswer;
}

function incorrectOf(item: BenchmarkItem): string {
  if (item.incorrectAnswer === undefined) throw new TypeError('this kind needs the incorrect answer (winobias, winogrande)');
  return item.incorrectAnswer;
}
