import { isMissingLikePandas, type Parsed, parseZeroOne } from './cellValues';

export const INVALID_EXACT_ANSWER = 'invalid exact answer';

/**
 * The reference's `exact_answer_is_valid`: `valid_exact_answer == 1` (when that column exists), the
 * exact answer is a non-empty string (an empty CSV cell is NaN there) and not 'NO ANSWER'.
 * Gives the exact answer, undefined when the row is invalid, or the problem with an unreadable flag.
 * Deliberate difference: a JSON number counts as its text (the reference only ever reads CSV strings).
 */
export function validExactAnswer(exact: unknown, flag: unknown, hasFlagColumn: boolean, fromCsv: boolean): Parsed<string | undefined> {
  if (hasFlagColumn) {
    if (isMissingLikePandas(flag, fromCsv)) return { value: undefined };
    const parsed = parseZeroOne(flag);
    if ('problem' in parsed) return parsed;
    if (parsed.value !== 1) return { value: undefined };
  }
  if (isMissingLikePandas(exact, fromCsv)) return { value: undefined };
  const text = typeof exact === 'number' && Number.isFinite(exact) ? String(exact) : exact;
  if (typeof text !== 'string' || text === 'NO ANSWER') return { value: undefined };
  return { value: text };
}
