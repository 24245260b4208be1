// The exact answer of a correct row (extract_exact_answer.py, `correctness == 1` branch; no model is
// involved) and which rows need the extraction model (llmsknow-pipeline.md §5).

import type { DatasetKind, ModelKindChoice } from '../../../contract/datasetKinds';
import { parseListLiteral } from '../goldAnswers';
import { looksLikeListLiteral } from './cells';
import { firstLine, lowerFind, pyFloatStr, pyIndexJoin, pyLen, pyRoundStr } from './pythonText';
import type { BenchmarkItem, ExactAnswer } from './types';

/** Kinds whose exact answer comes from the correctness function; extract_exact_answer.py is not run on them. */
export const EXACT_ANSWER_FROM_CORRECTNESS: ReadonlySet<DatasetKind> = new Set(['winobias', 'winogrande', 'imdb', 'mnli']);

/**
 * Whether extract_exact_answer.py would ask the extraction model for this row: the rows judged
 * incorrect, and every natural_questions row (the script forces their correctness to 0 because their
 * labels may come from the LLM judge).
 */
export function usesExtractionModel(kind: DatasetKind, automaticCorrectness: 0 | 1): boolean {
  if (EXACT_ANSWER_FROM_CORRECTNESS.has(kind)) return false;
  return kind === 'natural_questions_with_context' || automaticCorrectness === 0;
}

/** The answer text extraction works on: base-model answers are cut to their first line first. */
export function extractionAnswerText(modelAnswer: string, modelKind: ModelKindChoice): string {
  return modelKind === 'instruct' ? modelAnswer : firstLine(modelAnswer);
}

export interface CorrectRowExactAnswer extends ExactAnswer {
  /** Whether the gold was found in the (first-line) answer; when not, the reference prints "ERROR!" and keeps a garbage slice. */
  found: boolean;
}

/**
 * The exact answer of a row judged correct: the gold located in the answer with a lowercase `find`,
 * and the answer's own characters at that position, as many as the gold has, always valid = 1.
 * - an alias list (TriviaQA; any gold that `eval`s to a list): the alias found earliest (on a tie, the
 *   first listed);
 * - a number (math): `str(round(x))` first (half to even: 2.5 → "2"), then `str(x)` ("2.5");
 * - a string: itself (not stripped: movies' golds with stray spaces are searched with them).
 *
 * Quirks reproduced: base-model answers are cut to their first line before the search, but were
 * judged on the whole answer, so the gold may be missing. Then a list gives "" (the search starts
 * past the end) and a number or string gives the characters at find() == -1 onwards, i.e. the
 * answer's last character followed by its first ones: garbage, still valid = 1 (filtered only if "").
 * Deviation: where that garbage slice runs past the answer's end, Python raises IndexError and the
 * whole script stops; here the row gets "" with valid = 0.
 */
export function exactAnswerForCorrectRow(
  kind: DatasetKind,
  item: BenchmarkItem,
  modelAnswer: string,
  modelKind: ModelKindChoice,
): CorrectRowExactAnswer {
  if (EXACT_ANSWER_FROM_CORRECTNESS.has(kind)) {
    throw new TypeError(`${kind}'s exact answer comes from its correctness function (judgeAnswer), not from extraction`);
  }
  const answer = extractionAnswerText(modelAnswer, modelKind);
  const { index, gold } = locateGold(answer, goldForExtraction(item));
  const exact = pyIndexJoin(answer, index, pyLen(gold));
  const found = index !== -1 && (gold !== '' || index < pyLen(answer));
  if (exact === undefined) return { exactAnswer: '', valid: 0, found: false };
  return { exactAnswer: exact, valid: 1, found };
}

/**
 * `correct_answer` as the script sees it after pandas re-reads the answers file: `eval` turns a list
 * literal (TriviaQA's repr) back into a list; anything else that evaluates (a number written as text)
 * is discarded and the string kept; math's float column is read as floats.
 */
function goldForExtraction(item: BenchmarkItem): string | number | string[] {
  const gold = item.correctAnswer;
  if (typeof gold === 'string' && looksLikeListLiteral(gold)) {
    try {
      return parseListLiteral(gold);
    } catch {
      return gold;
    }
  }
  return gold;
}

function locateGold(answer: string, gold: string | number | string[]): { index: number; gold: string } {
  if (Array.isArray(gold)) {
    let best = { index: pyLen(answer), gold: '' };
    for (const alias of gold) {
      const index = lowerFind(answer, alias);
      if (index !== -1 && index < best.index) best = { index, gold: alias };
    }
    return best;
  }
  if (typeof gold === 'number') {
    const rounded = pyRoundStr(gold);
    const index = lowerFind(answer, rounded);
    if (index !== -1) return { index, gold: rounded };
    const text = pyFloatStr(gold);
    return { index: lowerFind(answer, text), gold: text };
  }
  return { index: lowerFind(answer, gold), gold };
}
