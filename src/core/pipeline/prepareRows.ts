import type { PromptFormat } from '../../contract/runOptions';
import { NAMED_DROPS } from '../dataset/rows';
import { ExactAnswerNotFoundError } from '../tokenize/exactSpan';
import type { ModelTokenizer } from '../tokenize/modelTokenizer';
import { PositionError, prepareSequence } from '../tokenize/positions';
import { SequenceError } from '../tokenize/sequence';
import type { DatasetRow, PreparedSequence } from '../types';
import { PipelineError } from './errors';
import type { RowSelection } from './selectRows';

export interface PreparedRows {
  train: DatasetRow[];
  test: DatasetRow[];
  /** Train rows then test rows: the row order of the feature store. */
  ordered: DatasetRow[];
  sequences: PreparedSequence[];
  /** Display pieces of the test rows' sequences. */
  pieces: string[][];
}

/** Rows tokenised between progress updates, which also yield to the event loop (the worker's messages go out). */
const ROWS_PER_UPDATE = 256;

/** Token sequences and positions of the selected rows; rows the reference would crash on are dropped. */
export async function prepareRows(
  file: string,
  tokenizer: ModelTokenizer,
  selection: RowSelection,
  dropped: { reason: string; count: number }[],
  log: (line: string) => void,
  promptFormat?: PromptFormat,
  /** The model's position table (max_position_embeddings …): longer rows are dropped, not fed to a Gather out of bounds. */
  maxTokens?: number,
  /** Rows done of the selection's, every ROWS_PER_UPDATE rows. */
  onProgress?: (done: number, total: number) => void,
): Promise<PreparedRows> {
  const prepared = new Map<number, PreparedSequence>();
  const skipped = { tooShort: [] as string[], answerNotFound: [] as string[], tooLong: [] as string[] };
  for (const [done, row] of selection.all.entries()) {
    if (done > 0 && done % ROWS_PER_UPDATE === 0) {
      onProgress?.(done, selection.all.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const tooManyChars = maxTokens === undefined ? undefined : surelyTooLong(row, maxTokens, tokenizer.longestTokenChars);
    if (tooManyChars !== undefined) {
      skipped.tooLong.push(`row ${row.rowIndex} (line ${row.line}): ${tooManyChars}`);
      continue;
    }
    try {
      const sequence = prepareSequence(tokenizer, row, promptFormat);
      if (maxTokens !== undefined && sequence.ids.length > maxTokens) {
        skipped.tooLong.push(`row ${row.rowIndex} (line ${row.line}): ${sequence.ids.length} tokens, the model holds ${maxTokens} positions`);
        continue;
      }
      prepared.set(row.rowIndex, sequence);
    } catch (err) {
      // The reference crashes on these; we drop the row, count it and log which one it was.
      if (err instanceof PositionError) skipped.tooShort.push(err.message);
      else if (err instanceof ExactAnswerNotFoundError) skipped.answerNotFound.push(err.message);
      // The row's own message names the row and line; the dataset is named here, where it is known.
      else if (err instanceof SequenceError) throw new PipelineError(`${file}: ${err.message}`, { cause: err });
      else throw err;
    }
  }
  const reasons: [string[], string][] = [
    [skipped.answerNotFound, 'exact answer not found in the decoded answer'],
    [skipped.tooShort, 'sequence too short for the reference positions'],
    [skipped.tooLong, `sequence longer than the model's ${maxTokens} positions`],
  ];
  for (const [messages, reason] of reasons) {
    if (messages.length === 0) continue;
    dropped.push({ reason, count: messages.length });
    for (const line of messages.slice(0, NAMED_DROPS)) log(`dropped ${line}`);
  }
  if (prepared.size === 0 && skipped.tooLong.length > 0) {
    throw new PipelineError(`${file}: every selected row is longer than the model's ${maxTokens} positions (max_position_embeddings): nothing can be probed; shorten the prompts or use a model with a longer context`);
  }
  const train = selection.train.filter((r) => prepared.has(r.rowIndex));
  const test = selection.test.filter((r) => prepared.has(r.rowIndex));
  requireBothClasses(file, 'train', train);
  requireBothClasses(file, 'test', test);
  const ordered = [...train, ...test];
  const sequences = ordered.map((r) => prepared.get(r.rowIndex)!);
  const pieces = test.map((r) => tokenizer.pieces(prepared.get(r.rowIndex)!.ids));
  return { train, test, ordered, sequences, pieces };
}

/**
 * Why a row cannot fit `maxTokens` positions, decided from its length in characters alone — undefined
 * when it might fit. Tokenising a megabyte field takes minutes (BPE is quadratic in a word's length),
 * and a text of n characters needs at least n / longestTokenChars tokens, so such a row is dropped
 * before the tokenizer sees it.
 */
function surelyTooLong(row: DatasetRow, maxTokens: number, longestTokenChars: number): string | undefined {
  if (row.inputOutputIds !== undefined) return undefined;
  const chars = row.prompt.length + row.answer.length;
  if (chars <= maxTokens * longestTokenChars) return undefined;
  return `${chars} characters of prompt and answer: at least ${Math.ceil(chars / longestTokenChars)} tokens (its longest token has ${longestTokenChars} characters), the model holds ${maxTokens} positions`;
}

function requireBothClasses(file: string, side: string, rows: DatasetRow[]): void {
  const correct = rows.filter((r) => r.correct === 1).length;
  if (rows.length === 0 || correct === 0 || correct === rows.length) {
    throw new PipelineError(
      `${file}: the ${side} rows (${rows.length}) hold ${correct} correct and ${rows.length - correct} wrong answers; probes need both classes on each side`,
    );
  }
}
