// The text each kind's question becomes before tokenization: the reference's `question` column
// (generate_model_answers.py *_preprocess; llmsknow-pipeline.md §4.2). For instruct models this is the
// text BEFORE the chat template, which the caller applies on top.
//
// The runs of spaces are the reference's: its base-model templates are triple-quoted f-strings whose
// continuation lines keep the source indentation (8 spaces in triviqa_preprocess, 12 in
// math_preprocess and imdb_preprocess, 16 in nq_preprocess and in imdb's one-shot block). The literals
// below spell them out; the tests compare whole prompts with ones rendered by the reference's source.

import type { DatasetKind, ModelKindChoice } from '../../../contract/datasetKinds';
import type { BenchmarkItem } from './types';

export interface PromptContext {
  /** The split's first row: winogrande's and IMDB's one-shot example (the reference's q1/label1, review1/label1). */
  firstItem: BenchmarkItem;
  /** The model's name or path: IMDB's prompt depends on it containing `llama-3` (or `phi`). */
  modelName: string;
}

export function buildPrompt(kind: DatasetKind, item: BenchmarkItem, modelKind: ModelKindChoice, context: PromptContext): string {
  const instruct = modelKind === 'instruct';
  switch (kind) {
    // The generic QA kind takes TriviaQA's prompt, the reference's prompt for every short-answer set.
    case 'qa':
    case 'triviaqa':
    case 'movies':
    case 'hotpotqa':
    case 'hotpotqa_with_context':
    case 'mnli':
      // triviqa_preprocess (also used for movies, hotpotqa(_with_context) and mnli, whose Question is
      // already the whole NLI question).
      return instruct ? item.rawQuestion : `Q: ${item.rawQuestion}\n        A:`;
    case 'math':
      return instruct ? `${item.rawQuestion} Answer shortly.` : `Q: ${item.rawQuestion}\n            A:`;
    case 'winobias':
      return `${item.rawQuestion} ${instruct ? required(item.qInstruct, 'q_instruct') : required(item.q, 'q')}`;
    case 'winogrande':
      return instruct ? item.rawQuestion : winograndeOneShot(item, context.firstItem);
    case 'imdb':
      return imdbPrompt(item, context);
    case 'natural_questions_with_context': {
      const passage = required(item.context, 'context');
      return instruct ? `${passage}\n${item.rawQuestion}` : `Context:${passage}\n                Q: ${item.rawQuestion}\nA:`;
    }
  }
}

const WINOGRANDE_SUFFIXES = ['Who does the blank refer to in the sentence?', 'What does the blank refer to in the sentence?'];

/**
 * winogrande_preprocess for base models: the first row as a worked example, then this row. Both
 * questions lose their "Who/What does the blank refer to…" suffix by `split(...)[0]`, which keeps the
 * space before it, hence the double space before "The blank". Quirk reproduced: the first row's own
 * prompt shows its own answer as the example.
 */
function winograndeOneShot(item: BenchmarkItem, first: BenchmarkItem): string {
  const q1 = withoutBlankQuestion(first.rawQuestion);
  const label1 = String(first.correctAnswer);
  return `${q1} The blank refers to: ${label1}\n${withoutBlankQuestion(item.rawQuestion)} The blank refers to:`;
}

function withoutBlankQuestion(question: string): string {
  return WINOGRANDE_SUFFIXES.reduce((text, suffix) => text.split(suffix)[0], question);
}

const LABEL_NAMES = ['negative', 'positive'];

/**
 * imdb_preprocess, the same text for base and instruct models. Llama-3 models (name containing
 * `llama-3`) are told to answer first and get no example; other models get a one-shot block with the
 * split's first review, which repeats the current review (so these prompts hold it twice, and the
 * first row's prompt is its own example: both quirks reproduced). Models whose name contains `phi`
 * get the reference's fixed two-shot prompt instead (checked first, so any name containing "phi" does).
 */
function imdbPrompt(item: BenchmarkItem, { firstItem, modelName }: PromptContext): string {
  const name = modelName.toLowerCase();
  const review = item.rawQuestion;
  if (name.includes('phi')) return PHI_IMDB_PREFIX + `            Review: ${review}\n            Label:`;
  let answerFirst = "Start with either 'positive' or 'negative' first, then elaborate.";
  let example = '';
  if (!name.includes('llama-3')) {
    answerFirst = '';
    const label1 = LABEL_NAMES[Number(firstItem.correctAnswer)];
    example =
      '\n                Example:' +
      `\n                Review: ${firstItem.rawQuestion}` +
      `\n                Label: ${label1}` +
      `\n                Review: ${review}` +
      '\n                Label: ';
  }
  return (
    `Classify the following movie reviews as either "positive" or "negative". ${answerFirst}` +
    `\n            ${example}` +
    `\n            Review: ${review}` +
    '\n            Label:'
  );
}

const PHI_IMDB_PREFIX =
  '\n            Review: I would put this at the top of my list of films in the category of unwatchable trash! There are films that are bad, but the worst kind are the ones that are unwatchable but you are suppose to like them because they are supposed to be good for you! The sex sequences, so shocking in its day, couldn\'t even arouse a rabbit. The so called controversial politics is strictly high school sophomore amateur night Marxism. The film is self-consciously arty in the worst sense of the term. The photography is in a harsh grainy black and white. Some scenes are out of focus or taken from the wrong angle. Even the sound is bad! And some people call this art?<br /><br />\n' +
  '            Label: negative\n' +
  "            Review: Zentropa is the most original movie I've seen in years. If you like unique thrillers that are influenced by film noir, then this is just the right cure for all of those Hollywood summer blockbusters clogging the theaters these days. Von Trier's follow-ups like Breaking the Waves have gotten more acclaim, but this is really his best work. It is flashy without being distracting and offers the perfect combination of suspense and dark humor. It's too bad he decided handheld cameras were the wave of the future. It's hard to say who talked him away from the style he exhibits here, but it's everyone's loss that he went into his heavily theoretical dogma direction instead.\n" +
  '            Label: positive\n';

function required(value: string | undefined, column: string): string {
  if (value === undefined) throw new TypeError(`the item has no ${column}: it was not read as this kind`);
  return value;
}
