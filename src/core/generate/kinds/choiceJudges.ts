// The correctness rules that pick between named options and so also yield the exact answer
// (compute_correctness.py: winobias, winogrande, nli, imdb; llmsknow-pipeline.md §4.3).

import { lowerFind, pySlice, pySplitWhitespace, pyStrip, pyStripChars } from './pythonText';
import type { Judgement } from './types';

export const NO_ANSWER = 'NO ANSWER';

/**
 * compute_correctness_winobias: the first of the two entities in the lowercased answer decides. The
 * exact answer is the entity's label string (not cut from the answer). Neither present: wrong, and the
 * exact answer is "" (pandas writes an empty cell, read back as NaN and filtered before probing).
 * generate_model_answers.py marks every such row valid_exact_answer = 1, the "" one included.
 */
export function judgeWinobias(answer: string, correct: string, incorrect: string): Judgement {
  const right = lowerFind(answer, correct);
  const wrong = lowerFind(answer, incorrect);
  if (right === -1 && wrong === -1) return { automaticCorrectness: 0, exactAnswer: '', validExactAnswer: 1 };
  // On a tie (one label a prefix of the other) the incorrect label wins: the test is a strict <.
  if (right !== -1 && (wrong === -1 || right < wrong)) return { automaticCorrectness: 1, exactAnswer: correct, validExactAnswer: 1 };
  return { automaticCorrectness: 0, exactAnswer: incorrect, validExactAnswer: 1 };
}

/**
 * compute_correctness_winogrande: correct iff the correct label occurs and the wrong one is absent or
 * later. The exact answer is cut from the answer at the winning label (answer's casing), or
 * `NO ANSWER` when neither occurs; valid_exact_answer is 1 on every row (generate_model_answers.py).
 *
 * Llama special case (model name containing `llama`, answer containing `A)`, i.e. a multiple-choice
 * listing): the text after the first "answer" (case-insensitive) is kept, a leading `:` and then a
 * leading `is` are removed (with strips around), and it is cut at the first `.`; the labels are then
 * looked up in that text. No "answer" in it: the whole answer is used.
 */
export function judgeWinogrande(answer: string, correct: string, wrong: string, modelName: string | undefined): Judgement {
  let text = answer;
  if (modelName !== undefined && modelName.toLowerCase().includes('llama') && text.includes('A)')) {
    const at = lowerFind(text, 'answer');
    if (at !== -1) {
      let rest = pyStrip(pySlice(text, at + 'answer'.length, Infinity));
      if (rest.startsWith(':')) rest = rest.slice(1);
      rest = pyStrip(rest);
      if (rest.startsWith('is')) rest = rest.slice(2);
      text = pyStrip(rest).split('.')[0];
    }
  }
  const right = lowerFind(text, correct);
  const wrongAt = lowerFind(text, wrong);
  if (right !== -1 && (wrongAt === -1 || right < wrongAt)) {
    return { automaticCorrectness: 1, exactAnswer: pySlice(text, right, right + [...correct].length), validExactAnswer: 1 };
  }
  if (wrongAt === -1) return { automaticCorrectness: 0, exactAnswer: NO_ANSWER, validExactAnswer: 1 };
  return { automaticCorrectness: 0, exactAnswer: pySlice(text, wrongAt, wrongAt + [...wrong].length), validExactAnswer: 1 };
}

/** compute_correctness_nli's class words, in its search order. */
const NLI_WORDS: readonly (readonly [string, readonly string[]])[] = [
  ['neutral', ['neutrality', 'neutral', 'neutality']],
  ['entailment', ['entailment', 'entail']],
  ['contradiction', ['contradiction', 'contradict']],
];

/**
 * compute_correctness_nli: the class whose word occurs earliest in the lowercased answer is the
 * prediction (on equal positions the first word searched wins, so "entailment" beats "entail");
 * correct iff it is the gold class. A gold outside the three classes is judged 0.
 *
 * The matched word is the exact answer: a deliberate fix of the reference, which returns it under
 * the key `exact_answers` that nothing reads, so its mnli CSV has no exact answer (§1.6). No word
 * found: "" and valid 0.
 */
export function judgeMnli(answer: string, gold: string): Judgement {
  if (!NLI_WORDS.some(([label]) => label === gold)) {
    return { automaticCorrectness: 0, exactAnswer: '', validExactAnswer: 0, exactAnswerIsFix: true };
  }
  let first: string | undefined;
  let minIndex = [...answer].length;
  let word = '';
  for (const [label, words] of NLI_WORDS) {
    for (const candidate of words) {
      const at = lowerFind(answer, candidate);
      if (at !== -1 && at < minIndex) {
        first = label;
        minIndex = at;
        word = candidate;
      }
    }
  }
  return {
    automaticCorrectness: first === gold ? 1 : 0,
    exactAnswer: word,
    validExactAnswer: word === '' ? 0 : 1,
    exactAnswerIsFix: true,
  };
}

const IMDB_LABELS: Readonly<Record<string, number>> = { negative: 0, positive: 1, neutral: -1 };

/**
 * compute_correctness_imdb. An answer starting with "Label: " is cut to the text after it (up to a
 * second "Label: "). Its first whitespace token, with the characters . < / s > stripped from both
 * ends (a character set: "positives" → "positive"), is the prediction when it is exactly negative,
 * positive or neutral (neutral predicts -1, never correct). Otherwise the earlier of "negative" /
 * "positive" in the lowercased answer wins; neither: prediction -1 and `NO ANSWER`. The exact answer
 * is that word; valid_exact_answer is 1 on every row (generate_model_answers.py).
 *
 * Deviation: an answer that is only whitespace, or "Label: " followed by nothing, makes the reference
 * raise IndexError (`split()[0]` of nothing, not caught); here it goes to the fallback (→ NO ANSWER).
 */
export function judgeImdb(answer: string, label: number): Judgement {
  if (answer.length === 0) return imdbResult(-1, NO_ANSWER, label);
  let text = answer;
  if (text.startsWith('Label: ')) text = text.split('Label: ')[1];
  const tokens = pySplitWhitespace(text);
  if (tokens.length > 0) {
    const word = pyStripChars(tokens[0], '.</s>');
    if (Object.hasOwn(IMDB_LABELS, word)) return imdbResult(IMDB_LABELS[word], word, label);
  }
  const negative = lowerFind(text, 'negative');
  const positive = lowerFind(text, 'positive');
  if (negative === -1 && positive === -1) return imdbResult(-1, NO_ANSWER, label);
  if (negative !== -1 && (positive === -1 || negative < positive)) return imdbResult(0, 'negative', label);
  return imdbResult(1, 'positive', label);
}

function imdbResult(prediction: number, exactAnswer: string, label: number): Judgement {
  return { automaticCorrectness: prediction === label ? 1 : 0, exactAnswer, validExactAnswer: 1 };
}
