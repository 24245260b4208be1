import { LayerProbeError } from '../../contract/errors';
import type { PromptFormat } from '../../contract/runOptions';
import { TOKEN_POSITIONS, type TokenPositionName } from '../../contract/types';
import { type DatasetRow, type PreparedSequence } from '../types';
import { type ExactSpan, findExactAnswerSpan } from './exactSpan';
import type { ModelTokenizer } from './modelTokenizer';
import { describeRow, type RowRef } from './rowRef';
import { type AnswerTokenSource, buildSequence } from './sequence';

/** A position the reference would have indexed out of range (it would raise IndexError); the row is dropped. */
export class PositionError extends LayerProbeError {
  override name = 'PositionError';
  constructor(
    message: string,
    readonly position: TokenPositionName,
  ) {
    super(message);
  }
}

/**
 * The 15 absolute token indices, in TOKEN_POSITIONS order, with the reference's arithmetic
 * (`get_token_index`): last_q = q-1, first_answer = q, second_answer = q+1 (none clamped);
 * exact_answer_before_first = start-1 (not clamped: at worst last_q), exact_answer_first = start,
 * exact_answer_last = min(L-1, end), exact_answer_after_last = min(L-1, end+1) (so it equals
 * exact_answer_last when the answer ends the sequence); -k = L-k (Python negative indexing).
 * Without a span (no exact-answer column) every exact_* position is last_q, as in the reference.
 * Where the reference would index out of range — or, for last_q of an empty prompt, silently wrap to
 * the last token — a PositionError is thrown instead.
 */
export function tokenPositions(seqLen: number, qLength: number, span: ExactSpan | undefined, row?: RowRef): number[] {
  const where = `${describeRow(row)}: `;
  if (span !== undefined && !(qLength <= span[0] && span[0] <= span[1] && span[1] < seqLen)) {
    throw new RangeError(`${where}exact-answer span [${span[0]}, ${span[1]}] is not inside the answer [${qLength}, ${seqLen - 1}]`);
  }
  const lastQ = qLength - 1;
  const byName: Record<TokenPositionName, number> = {
    last_q: lastQ,
    first_answer: qLength,
    second_answer: qLength + 1,
    exact_answer_before_first: span ? span[0] - 1 : lastQ,
    exact_answer_first: span ? span[0] : lastQ,
    exact_answer_last: span ? Math.min(seqLen - 1, span[1]) : lastQ,
    exact_answer_after_last: span ? Math.min(seqLen - 1, span[1] + 1) : lastQ,
    '-8': seqLen - 8,
    '-7': seqLen - 7,
    '-6': seqLen - 6,
    '-5': seqLen - 5,
    '-4': seqLen - 4,
    '-3': seqLen - 3,
    '-2': seqLen - 2,
    '-1': seqLen - 1,
  };
  return TOKEN_POSITIONS.map((name) => {
    const index = byName[name];
    if (index < 0 || index >= seqLen) {
      throw new PositionError(
        `${where}position ${name} = ${index} is outside the ${seqLen}-token sequence ` +
          `(${qLength} prompt + ${seqLen - qLength} answer tokens)`,
        name,
      );
    }
    return index;
  });
}

/** A PreparedSequence plus how it was made, for logs and the examples view. */
export interface PreparedRow extends PreparedSequence {
  answerTokens: AnswerTokenSource;
  stopAppended: boolean;
  /** Inclusive exact-answer token span; undefined when the row has no exact answer. */
  exactSpan?: ExactSpan;
}

/**
 * Row → token ids + the 15 probed positions (buildSequence, findExactAnswerSpan, tokenPositions).
 * Throws SequenceError (bad input_output_ids), ExactAnswerNotFoundError, or PositionError (the
 * pipeline drops such rows and reports the count).
 */
export function prepareSequence(tok: ModelTokenizer, row: DatasetRow, format?: PromptFormat): PreparedRow {
  const sequence = buildSequence(tok, row, format);
  const exactSpan =
    row.exactAnswer === undefined ? undefined : findExactAnswerSpan(tok, sequence.ids, sequence.qLength, row.exactAnswer, row);
  return {
    rowIndex: row.rowIndex,
    ids: sequence.ids,
    qLength: sequence.qLength,
    positions: tokenPositions(sequence.ids.length, sequence.qLength, exactSpan, row),
    answerTokens: sequence.answerTokens,
    stopAppended: sequence.stopAppended,
    exactSpan,
  };
}
