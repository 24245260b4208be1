// The extraction model's side of extract_exact_answer.py (incorrect rows; llmsknow-pipeline.md §5):
// its two-shot prompt, and the post-processing and validity test of what it generates. The caller
// runs the model (the reference: chat template, sampled with T = 1.0, top_k = 50, top_p = 1.0,
// max_new_tokens = 100, up to 5 attempts while the result is invalid, the last attempt kept).

import { NO_ANSWER } from './choiceJudges';
import { firstLine, lastLine, pyStrip, pyStripChars } from './pythonText';
import type { ExactAnswer } from './types';

/**
 * The reference's prompt, character for character: a triple-quoted f-string, so it starts with a
 * newline, its lines keep the source's 8-space indentation (the blank lines between the examples have
 * none) and it ends with a newline and 8 spaces after "Exact answer:". `question` is the row's
 * raw_question, `modelAnswer` the answer as extraction sees it (`extractionAnswerText`).
 */
export function extractionPrompt(question: string, modelAnswer: string): string {
  return (
    '\n' +
    '        Extract from the following long answer the short answer, only the relevant tokens. If the long answer does not answer the question, output NO ANSWER.\n' +
    '\n' +
    '        Q: Which musical featured the song The Street Where You Live?\n' +
    '        A: The song "The Street Where You Live" is from the Lerner and Loewe musical "My Fair Lady." It is one of the most famous songs from the show, and it is sung by Professor Henry Higgins as he reflects on the transformation of Eliza Doolittle and the memories they have shared together.\n' +
    '        Exact answer: My Fair Lady\n' +
    '\n' +
    '        Q: Which Swedish actress won the Best Supporting Actress Oscar for Murder on the Orient Express?\n' +
    '        A: I\'m glad you asked about a Swedish actress who won an Oscar for "Murder on the Orient Express," but I must clarify that there seems to be a misunderstanding here. No Swedish actress has won an Oscar for Best Supporting Actress for that film. The 1974 "Murder on the Orient Express" was an American production, and the cast was predominantly British and American. If you have any other questions or if there\'s another\n' +
    '        Exact answer: NO ANSWER\n' +
    '\n' +
    `        Q: ${question}\n` +
    `        A: ${modelAnswer}\n` +
    '        Exact answer:\n' +
    '        '
  );
}

export type ExtractorFamily = 'mistral' | 'llama' | 'other';

/** The family the reference tests for in the extraction model's name (`'mistral' in name.lower()`, then `'llama'`). */
export function extractorFamily(modelName: string): ExtractorFamily {
  const name = modelName.toLowerCase();
  if (name.includes('mistral')) return 'mistral';
  return name.includes('llama') ? 'llama' : 'other';
}

/**
 * One extraction attempt's decode (special tokens kept) → the exact answer and its validity.
 * - mistral: remove ".</s>" then "</s>", keep the first line, cut at the first "(", strip whitespace,
 *   strip "." from both ends;
 * - llama: remove ".<|eot_id|>", "<|eot_id|>" and "Exact answer:", keep the LAST line, then the same;
 * - other: the reference stops ("Model is not supported"); here the mistral rule without its </s>
 *   removal, a deliberate extension.
 * Valid iff the lowercased extraction is a substring of the lowercased answer, or it is exactly
 * "NO ANSWER". An empty extraction is therefore valid (it is dropped later, before probing). A
 * missing answer (pandas NaN: `undefined` here) gives NO ANSWER with valid 0.
 */
export function postprocessExtraction(raw: string, family: ExtractorFamily, modelAnswer: string | undefined): ExactAnswer {
  let text: string;
  if (family === 'llama') {
    text = lastLine(raw.replaceAll('.<|eot_id|>', '').replaceAll('<|eot_id|>', '').replaceAll('Exact answer:', ''));
  } else {
    const cleaned = family === 'mistral' ? raw.replaceAll('.</s>', '').replaceAll('</s>', '') : raw;
    text = firstLine(cleaned);
  }
  const exactAnswer = pyStripChars(pyStrip(text.split('(')[0]), '.');
  if (modelAnswer === undefined) return { exactAnswer: NO_ANSWER, valid: 0 };
  const valid = modelAnswer.toLowerCase().includes(exactAnswer.toLowerCase()) || exactAnswer === NO_ANSWER;
  return { exactAnswer, valid: valid ? 1 : 0 };
}
