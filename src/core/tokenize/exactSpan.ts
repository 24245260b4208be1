import { LayerProbeError } from '../../contract/errors';
import type { ModelTokenizer } from './modelTokenizer';
import { describeRow, type RowRef } from './rowRef';

/** Inclusive [first, last] absolute token indices of the exact answer in the full sequence. */
export type ExactSpan = readonly [start: number, end: number];

export class ExactAnswerNotFoundError extends LayerProbeError {
  override name = 'ExactAnswerNotFoundError';
}

/**
 * The reference's `get_indices_of_exact_answer` (decode-and-shrink), step for step:
 * 1. text = decode(ids[qLength:]) (special tokens kept, the tokenizer's clean-up);
 * 2. idx = text.lower().find(exactAnswer.lower().strip()); not found → ExactAnswerNotFoundError;
 * 3. trueAns = text[idx : idx + len(exactAnswer)] — the *unstripped* length, the decoded text's case;
 * 4. shrink the end: the smallest `higher` such that decode(ids[qLength : higher+1]) still contains
 *    trueAns (case-sensitive);
 * 5. shrink the start: the largest `lower` such that decode(ids[lower : higher+1]) still contains it.
 * The result is the first occurrence in the answer. Indices and lengths are counted in code points, as
 * Python's str does.
 */
export function findExactAnswerSpan(
  tok: Pick<ModelTokenizer, 'decode'>,
  ids: readonly number[],
  qLength: number,
  exactAnswer: string,
  row?: RowRef,
): ExactSpan {
  const text = tok.decode(ids.slice(qLength));
  const needle = pythonStrip(exactAnswer).toLowerCase();
  const idx = codePointIndexOf(text.toLowerCase(), needle);
  if (idx < 0) {
    throw new ExactAnswerNotFoundError(
      `${describeRow(row)}: exact answer ${JSON.stringify(exactAnswer)} not found (case-insensitive) in the ` +
        `decoded answer tokens ${JSON.stringify(text)}`,
    );
  }
  const trueAnswer = codePointSlice(text, idx, idx + codePointLength(exactAnswer));
  // The reference loops forever on an empty needle ('' is in every slice); a whitespace-only answer it
  // does handle (strip() → '' is found at 0), so that case is reproduced, not rejected.
  if (trueAnswer === '') {
    throw new ExactAnswerNotFoundError(`${describeRow(row)}: the exact answer is empty (decoded answer ${JSON.stringify(text)})`);
  }
  const contains = (from: number, to: number): boolean => tok.decode(ids.slice(from, to + 1)).includes(trueAnswer);

  let lower = qLength;
  let higher = ids.length - 1;
  while (contains(lower, higher)) higher--;
  higher++;
  while (contains(lower, higher)) lower++;
  lower--;
  return [lower, higher];
}

// Python's str.strip() whitespace (str.isspace); JS trim() differs: it strips U+FEFF, keeps \x1c-\x1f and \x85.
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
const pythonStrip = (s: string): string => s.replace(PY_STRIP, '');

const codePointLength = (s: string): number => Array.from(s).length;

function codePointIndexOf(haystack: string, needle: string): number {
  const unitIndex = haystack.indexOf(needle);
  return unitIndex < 0 ? -1 : codePointLength(haystack.slice(0, unitIndex));
}

function codePointSlice(s: string, start: number, end: number): string {
  return Array.from(s).slice(start, end).join('');
}
