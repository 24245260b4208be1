// Turns an example's token pieces into display segments: prompt and answer runs, the probed token on
// its own, the prompt/answer boundary, and an elision when a long prompt is cut. Pure, so the
// windowing arithmetic is unit-tested without a DOM.
import type { ExampleView } from '../src/contract/result';

export type ExampleSegment =
  | { kind: 'elision'; hiddenPieces: number }
  | { kind: 'boundary' }
  | { kind: 'text'; part: 'prompt' | 'answer'; text: string; probed: boolean };

export interface SegmentOptions {
  /** At most this many prompt pieces before the answer are shown (long chat/few-shot prompts). */
  promptTail?: number;
  /** Pieces kept before a probed token that lies earlier in the prompt than the tail. */
  probedContext?: number;
}

export function exampleSegments(
  example: Pick<ExampleView, 'pieces' | 'qLength' | 'probedIndex'>,
  { promptTail = 64, probedContext = 8 }: SegmentOptions = {},
): ExampleSegment[] {
  const { pieces, qLength, probedIndex } = example;
  const probed = probedIndex >= 0 && probedIndex < pieces.length ? probedIndex : -1;
  let start = qLength - promptTail;
  if (probed >= 0) start = Math.min(start, probed - probedContext);
  start = Math.max(0, start);

  const segments: ExampleSegment[] = [];
  if (start > 0) segments.push({ kind: 'elision', hiddenPieces: start });
  for (let i = start; i <= pieces.length; i++) {
    if (i === qLength && qLength > 0) segments.push({ kind: 'boundary' });
    if (i === pieces.length) break;
    const part = i < qLength ? 'prompt' : 'answer';
    const text = pieces[i] ?? '';
    const last = segments[segments.length - 1];
    if (i !== probed && last?.kind === 'text' && !last.probed && last.part === part) {
      last.text += text;
    } else {
      segments.push({ kind: 'text', part, text, probed: i === probed });
    }
  }
  return segments;
}

/** A probed piece that is empty or only whitespace would be an invisible highlight: show its characters. */
export function visiblePiece(text: string): string {
  if (text === '') return '∅';
  if (text.trim() !== '') return text;
  return text.replace(/ /g, '·').replace(/\t/g, '→').replace(/\r?\n/g, '↵\n');
}

/** The model answer split around its exact answer, found case-insensitively (the first occurrence). */
export type AnswerParts = { found: true; before: string; exact: string; after: string } | { found: false; text: string };

export function answerParts(answer: string, exactAnswer: string | undefined): AnswerParts {
  const needle = exactAnswer?.trim() ?? '';
  if (needle === '') return { found: false, text: answer };
  // A case-insensitive regular expression keeps indices into the original text, which lowercasing
  // both sides would not for characters whose lower case is longer ('İ').
  const match = new RegExp(needle.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'), 'iu').exec(answer);
  if (!match) return { found: false, text: answer };
  return { found: true, before: answer.slice(0, match.index), exact: match[0], after: answer.slice(match.index + match[0].length) };
}
