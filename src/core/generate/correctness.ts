// Correctness label and exact answer of a generated answer, for short-answer QA datasets
// (TriviaQA, movies, HotpotQA and anything shaped like them, e.g. toy-facts).
//
// The reference (compute_correctness.py, extract_exact_answer.py) has further per-dataset rules
// (math, winobias, winogrande, NLI, IMDB) that are not implemented here.

export interface AnswerJudgement {
  /** 1 when a gold alias occurs in the answer (lowercase substring test). */
  correct: 0 | 1;
  /** The answer's short form, cut from the answer text; 'NO ANSWER' when there is none. */
  exactAnswer: string;
  validExactAnswer: 0 | 1;
}

export interface JudgeOptions {
  /**
   * Search the exact answer of a correct row in the answer's first line, as the reference does for base
   * (non-instruct) models, whose answers run on until the newline stop token.
   */
  firstLineOnly: boolean;
  /** Text of the tokens that can end an answer ('</s>', '<|eot_id|>'…), stripped from extracted answers. */
  endTokens: readonly string[];
}

export const NO_ANSWER = 'NO ANSWER';

/**
 * The reference's QA rule: correct iff some alias, lowercased, is a substring of the lowercased answer.
 * Aliases are trimmed first, which is the movies rule and changes the TriviaQA/HotpotQA rule only for
 * golds with stray surrounding spaces (a few movie answers have them).
 */
export function isCorrect(answer: string, aliases: readonly string[]): boolean {
  const lower = answer.toLowerCase();
  return aliases.some((alias) => lower.includes(alias.trim().toLowerCase()));
}

/** Label and exact answer of one generated answer. */
export function judgeAnswer(answer: string, aliases: readonly string[], options: JudgeOptions): AnswerJudgement {
  if (isCorrect(answer, aliases)) {
    const region = options.firstLineOnly ? firstLine(answer) : answer;
    // Deliberate difference: when the alias only occurs after the first line, the reference slices at
    // find() == -1 and keeps garbage as "valid"; the match in the whole answer is the sensible reading.
    const exact = goldInAnswer(region, aliases) ?? goldInAnswer(answer, aliases);
    return { correct: 1, exactAnswer: exact ?? NO_ANSWER, validExactAnswer: exact === undefined ? 0 : 1 };
  }
  const extracted = shortAnswerOf(answer, options.endTokens);
  const valid = extracted !== '' && answer.toLowerCase().includes(extracted.toLowerCase());
  return { correct: 0, exactAnswer: valid ? extracted : NO_ANSWER, validExactAnswer: valid ? 1 : 0 };
}

/**
 * The exact answer of a correct row (extract_exact_answer.py, no LLM involved): the alias found earliest
 * in the answer (lowercase `find`; on a tie, the first listed), cut from the answer text at that
 * position with the alias's length, so it keeps the answer's own casing.
 */
export function goldInAnswer(answer: string, aliases: readonly string[]): string | undefined {
  const lower = answer.toLowerCase();
  let best: { index: number; length: number } | undefined;
  for (const alias of aliases) {
    const gold = alias.trim();
    if (gold === '') continue;
    const index = lower.indexOf(gold.toLowerCase());
    if (index !== -1 && (best === undefined || index < best.index)) best = { index, length: gold.length };
  }
  return best === undefined ? undefined : answer.slice(best.index, best.index + best.length);
}

/**
 * Deliberate difference: the reference asks an LLM (Mistral-7B-Instruct, sampled) to extract the short
 * answer of an incorrect row; a local tool has no such model. For short-answer datasets the answer's
 * first line, less trailing end tokens and full stops, is that short answer ("Paris.</s>" → "Paris").
 * Long, chatty answers would need the extractor; their rows get a poorer exact answer.
 */
export function shortAnswerOf(answer: string, endTokens: readonly string[]): string {
  let text = firstLine(answer).trim();
  for (let changed = true; changed; ) {
    changed = false;
    for (const token of endTokens) {
      if (token !== '' && text.endsWith(token)) {
        text = text.slice(0, -token.length).trimEnd();
        changed = true;
      }
    }
    const withoutStops = text.replace(/\.+$/, '').trimEnd();
    if (withoutStops !== text) {
      text = withoutStops;
      changed = true;
    }
  }
  return text;
}

/** The text before the first newline (the reference's `split('\n')[0]`). */
export function firstLine(text: string): string {
  const end = text.indexOf('\n');
  return end === -1 ? text : text.slice(0, end);
}
