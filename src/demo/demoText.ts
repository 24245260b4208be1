// The demo's words, shared by the tokenizer (which needs a merge for every piece) and the dataset (which
// draws questions and answers from them). Each entry lists the exact tokens a string must become, so the
// tokenizer can be built to produce them and the tests can check it does.

/** An answer word; `correct` is the demo's fixed truth about it, independent of the question. */
export interface DemoAnswerWord {
  /** The exact answer as written in the dataset (no leading space). */
  text: string;
  /** The tokens of `' ' + text` (a leading space, as the word follows "is"). */
  pieces: readonly string[];
  correct: 0 | 1;
}

/**
 * Colours as answers: half one token, half two tokens; within each group half are "right". Every last
 * piece is unique to its word, so the token at exact_answer_last alone identifies the word; how far that
 * information travels to later positions is up to attention.
 */
export const DEMO_ANSWER_WORDS: readonly DemoAnswerWord[] = [
  { text: 'red', pieces: [' red'], correct: 1 },
  { text: 'blue', pieces: [' blue'], correct: 0 },
  { text: 'green', pieces: [' green'], correct: 1 },
  { text: 'black', pieces: [' black'], correct: 0 },
  { text: 'white', pieces: [' white'], correct: 1 },
  { text: 'pink', pieces: [' pink'], correct: 0 },
  { text: 'gray', pieces: [' gray'], correct: 1 },
  { text: 'brown', pieces: [' brown'], correct: 0 },
  { text: 'violet', pieces: [' vio', 'let'], correct: 1 },
  { text: 'orange', pieces: [' or', 'ange'], correct: 0 },
  { text: 'purple', pieces: [' pur', 'ple'], correct: 1 },
  { text: 'yellow', pieces: [' yel', 'low'], correct: 0 },
  { text: 'crimson', pieces: [' crim', 'son'], correct: 1 },
  { text: 'indigo', pieces: [' ind', 'igo'], correct: 0 },
  { text: 'maroon', pieces: [' mar', 'oon'], correct: 1 },
  { text: 'silver', pieces: [' sil', 'ver'], correct: 0 },
];

/** Objects the questions ask about: varying question content that says nothing about correctness. */
export const DEMO_OBJECTS: readonly string[] = ['item', 'box', 'car', 'flag', 'door', 'kite', 'lamp', 'book', 'cup', 'hat'];

/** Question templates ({object}, {number}); two shapes so prompts differ in length and wording too. */
export const DEMO_QUESTION_TEMPLATES: readonly string[] = [
  'What colour is the {object} #{number}?',
  'Which colour does the {object} #{number} have?',
];

/** Fixed lead-in, so first_answer and second_answer come before the exact answer. */
export const DEMO_ANSWER_PREFIX = ' The answer is';

/** Multi-character tokens of the prompt and answer frame (single characters are byte tokens already). */
export const DEMO_FRAME_PIECES: readonly string[] = [
  ' What',
  ' Which',
  ' colour',
  ' is',
  ' does',
  ' the',
  ' have',
  ' #',
  ' The',
  ' answer',
  ...DEMO_OBJECTS.map((o) => ' ' + o),
];

/** Every word (pre-token) of the demo as its intended tokens: frame words, then answer words. */
export function demoWordPieces(): string[][] {
  return [...DEMO_FRAME_PIECES.map((p) => [p]), ...DEMO_ANSWER_WORDS.map((w) => [...w.pieces])];
}
