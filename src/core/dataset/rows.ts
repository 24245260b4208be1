import type { ColumnMapping } from '../../contract/columns';
import { COLUMN_ROLES } from '../../contract/columns';
import type { DatasetRow } from '../types';
import { isMissing, type Parsed, parseScoreList, parseSplit, parseText, parseTokenIds, parseZeroOne } from './cellValues';
import { DatasetError } from './errors';
import { INVALID_EXACT_ANSWER, validExactAnswer } from './exactAnswer';
import type { Table } from './table';

/** generate's per-token score columns (answersFile.ts), read only beside input_output_ids. */
export const TOKEN_LOGITS = 'token_logits';
export const TOKEN_PROBS = 'token_probs';

export interface RowsResult {
  rows: DatasetRow[];
  /** Rows left out on purpose, by reason (only reasons with a count > 0). */
  dropped: { reason: string; count: number }[];
  /** The first rows left out, each as `row N (line L): why`, for the run log (the counts are in `dropped`). */
  droppedRows: string[];
  /** Readings the log should state, e.g. a split value read as another (`validation` → test). */
  notes: string[];
}

/** How many dropped rows the log names one by one; the count covers the rest. */
export const NAMED_DROPS = 20;

/**
 * Records → DatasetRows. Rows with an invalid exact answer are dropped first, as the reference does
 * before probing, and their other cells are not checked; any other bad or missing cell is an error.
 * The validity flag is only applied together with an exact-answer column (the reference's rule).
 */
export function toRows(table: Table, mapping: ColumnMapping): RowsResult {
  const { file } = table;
  checkMappedColumns(table, mapping);
  const fromCsv = table.format === 'csv';
  const rows: DatasetRow[] = [];
  let invalidExactAnswers = 0;
  const droppedRows: string[] = [];
  const splitAliases = new Map<string, string[]>();

  table.records.forEach((record, rowIndex) => {
    const line = table.lines[rowIndex];
    const read = <T>(column: string, parse: (value: unknown) => Parsed<T>): T => {
      const value = record[column];
      if (isMissing(value)) throw new DatasetError({ file, rowIndex, line, column }, 'the cell is empty; every row needs a value here');
      return unwrap(parse(value), column);
    };
    const unwrap = <T>(parsed: Parsed<T>, column: string): T => {
      if ('problem' in parsed) throw new DatasetError({ file, rowIndex, line, column }, parsed.problem);
      return parsed.value;
    };

    let exactAnswer: string | undefined;
    if (mapping.exactAnswer !== undefined) {
      const flagColumn = mapping.validExactAnswer;
      const flag = flagColumn === undefined ? undefined : record[flagColumn];
      // Only the flag can be unreadable, so a problem always has a flag column to name.
      exactAnswer = unwrap(validExactAnswer(record[mapping.exactAnswer], flag, flagColumn !== undefined, fromCsv), flagColumn as string);
      if (exactAnswer === undefined) {
        invalidExactAnswers++;
        if (droppedRows.length < NAMED_DROPS) droppedRows.push(`row ${rowIndex} (line ${line}): ${INVALID_EXACT_ANSWER} (${shownExactAnswer(record[mapping.exactAnswer], flagColumn, flag)})`);
        return;
      }
    }
    const row: DatasetRow = {
      rowIndex,
      line,
      prompt: read(mapping.prompt, parseText),
      answer: read(mapping.answer, parseText),
      correct: read(mapping.correct, parseZeroOne),
    };
    if (exactAnswer !== undefined) row.exactAnswer = exactAnswer;
    if (mapping.split !== undefined) {
      row.split = read(mapping.split, parseSplit);
      const raw = String(record[mapping.split]);
      if (raw !== row.split) splitAliases.set(raw, [...(splitAliases.get(raw) ?? []), `row ${rowIndex} (line ${line})`]);
    }
    if (mapping.inputOutputIds !== undefined) {
      row.inputOutputIds = read(mapping.inputOutputIds, parseTokenIds);
      // generate's per-token scores belong to these ids; without the ids they could not be aligned.
      if (!isMissing(record[TOKEN_LOGITS]) && !isMissing(record[TOKEN_PROBS])) {
        const logits = read(TOKEN_LOGITS, parseScoreList);
        const probs = read(TOKEN_PROBS, parseScoreList);
        if (logits.length !== probs.length) {
          throw new DatasetError({ file, rowIndex, line, column: TOKEN_PROBS }, `has ${probs.length} entries but ${TOKEN_LOGITS} has ${logits.length}; both hold one per generated token`);
        }
        row.generationScores = { logits, probs };
      }
    }
    rows.push(row);
  });

  if (rows.length === 0) {
    throw new DatasetError(
      { file, column: mapping.exactAnswer },
      `no usable rows: all ${table.records.length} have an invalid exact answer (empty, NO ANSWER, or not flagged valid)`,
    );
  }
  const dropped = invalidExactAnswers > 0 ? [{ reason: INVALID_EXACT_ANSWER, count: invalidExactAnswers }] : [];
  // Said, not silent: the paper's files call the held-out side validation, but a typo would land here too.
  const notes = [...splitAliases].map(([raw, where]) => {
    const side = parseSplit(raw);
    const shownRows = where.length > 3 ? `${where.slice(0, 3).join(', ')} and ${where.length - 3} more` : where.join(', ');
    return `split ${JSON.stringify(raw)} read as ${'value' in side ? side.value : '?'} in ${where.length} row${where.length === 1 ? '' : 's'}: ${shownRows}`;
  });
  return { rows, dropped, droppedRows, notes };
}

/** What made an exact answer invalid, in the words of the reference's rule. */
function shownExactAnswer(exact: unknown, flagColumn: string | undefined, flag: unknown): string {
  // The flag reads as validExactAnswer reads it ("True", 1.0 and true are 1 there too).
  if (flagColumn !== undefined) {
    if (flag === undefined || flag === null || flag === '') return `${flagColumn} is empty, not 1`;
    const parsed = parseZeroOne(flag);
    if (!('value' in parsed) || parsed.value !== 1) return `${flagColumn} is ${JSON.stringify(flag)}, not 1`;
  }
  if (exact === undefined || exact === null || exact === '') return 'the cell is empty';
  if (exact === 'NO ANSWER') return 'NO ANSWER';
  return `${JSON.stringify(exact).slice(0, 40)} is not text or is missing`;
}

function checkMappedColumns(table: Table, mapping: ColumnMapping): void {
  for (const role of COLUMN_ROLES) {
    const column = mapping[role];
    if (column !== undefined && !table.columns.includes(column)) {
      throw new DatasetError(
        { file: table.file, column },
        `is mapped to ${role} but is not in the file; the columns are ${table.columns.map((c) => `"${c}"`).join(', ')}`,
      );
    }
  }
}
