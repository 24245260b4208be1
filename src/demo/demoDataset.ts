// The demo dataset: questions whose "model answer" is a colour, correct or not by a fixed rule on the
// colour alone. The question varies (object, number, wording) but says nothing about correctness, so a
// probe can only succeed at token positions that can see the answer word — which, under causal attention,
// means at and after it. Columns as the reference's answers CSV: question (the full prompt), model_answer,
// correct (its automatic_correctness) and exact_answer.

import {
  DEMO_ANSWER_PREFIX,
  DEMO_ANSWER_WORDS,
  DEMO_OBJECTS,
  DEMO_QUESTION_TEMPLATES,
  type DemoAnswerWord,
} from './demoText';
import { Rng } from './prng';

export interface DemoDatasetRow {
  /** The full prompt, base-model style: `Q: …?\nA:`. */
  question: string;
  /** What the model "said", ending with the newline that stops a base model's generation. */
  model_answer: string;
  correct: 0 | 1;
  exact_answer: string;
}

export interface DemoDatasetOptions {
  numRows?: number;
  seed?: number;
}

/**
 * 3000 rows → 600 held out when all rows are probed: the AUC of a label-blind probe then spreads about
 * ±0.025 around 0.5, so the 32 "before the answer" cells stay well inside 0.5 ± 0.1. With the reference's
 * 1000-row subsample (200 held out) they do not reliably: run the demo on all rows.
 */
export const DEFAULT_DEMO_DATASET_ROWS = 3000;
export const DEFAULT_DEMO_DATASET_SEED = 7;

export function demoPrompt(question: string): string {
  return `Q: ${question}\nA:`;
}

export function demoAnswer(word: DemoAnswerWord): string {
  return `${DEMO_ANSWER_PREFIX} ${word.text}.\n`;
}

/** Rows with exactly balanced classes (odd counts: one more correct), in a seeded random order. */
export function buildDemoDataset(options: DemoDatasetOptions = {}): DemoDatasetRow[] {
  const numRows = options.numRows ?? DEFAULT_DEMO_DATASET_ROWS;
  const rng = new Rng(options.seed ?? DEFAULT_DEMO_DATASET_SEED);
  const wordsByLabel = [0, 1].map((label) => DEMO_ANSWER_WORDS.filter((w) => w.correct === label));
  const labels = rng.shuffle(Array.from({ length: numRows }, (_, i): 0 | 1 => (i % 2 === 0 ? 1 : 0)));
  return labels.map((label) => {
    const word = rng.pick(wordsByLabel[label]);
    // 1–3 digits with equal chance, so prompt lengths (and hence answer positions) vary.
    const digits = 1 + rng.int(3);
    const number = 10 ** (digits - 1) + rng.int(9 * 10 ** (digits - 1));
    const question = rng
      .pick(DEMO_QUESTION_TEMPLATES)
      .replace('{object}', rng.pick(DEMO_OBJECTS))
      .replace('{number}', String(number));
    return { question: demoPrompt(question), model_answer: demoAnswer(word), correct: word.correct, exact_answer: word.text };
  });
}

/** One JSON object per line, keys in a fixed order, trailing newline. */
export function demoDatasetToJsonl(rows: readonly DemoDatasetRow[]): string {
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}
