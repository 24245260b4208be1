// The text the examples list shows of each held-out row (ProbeResult.test.question, goldAnswer,
// modelAnswer, exactAnswer). Display only: read straight from the table, so these columns are no
// column roles and never change the activation cache key.
import type { ColumnMapping } from '../../contract/columns';
import { type ProbeResult, TEST_TEXT_LIMIT } from '../../contract/result';
import { normaliseColumnName } from '../dataset/columns';
import type { Table } from '../dataset/table';
import type { DatasetRow } from '../types';

/** Gold-answer column names, best first (the answers file's `correct_answer`, toy-facts' `gold_answer`). */
export const GOLD_ANSWER_COLUMNS = ['gold_answer', 'correct_answer', 'gold', 'answer'] as const;
/** The reference's bare question beside its full prompt (`question`). */
export const RAW_QUESTION_COLUMN = 'raw_question';

type TestTexts = Pick<ProbeResult['test'], 'question' | 'goldAnswer' | 'modelAnswer' | 'exactAnswer'>;

/**
 * The test rows' texts, each cut to TEST_TEXT_LIMIT characters. A gold-answer column is one of
 * GOLD_ANSWER_COLUMNS that no role uses (so a file whose `answer` is the model's answer has none);
 * exactAnswer is present only when the dataset maps an exact-answer column.
 */
export function exampleTexts(table: Table, mapping: ColumnMapping, test: readonly DatasetRow[]): TestTexts {
  const used = new Set(Object.values(mapping).filter((c): c is string => c !== undefined));
  const unused = (name: string): string | undefined =>
    table.columns.find((c) => !used.has(c) && normaliseColumnName(c) === name);
  const rawQuestion = unused(RAW_QUESTION_COLUMN);
  const gold = GOLD_ANSWER_COLUMNS.map(unused).find((c) => c !== undefined);
  const cell = (row: DatasetRow, column: string): string => displayText(table.records[row.rowIndex]?.[column]);

  const texts: TestTexts = {
    question: test.map((row) => cut((rawQuestion && cell(row, rawQuestion).trim()) || row.prompt)),
    modelAnswer: test.map((row) => cut(row.answer)),
  };
  if (gold !== undefined) texts.goldAnswer = test.map((row) => cut(cell(row, gold)));
  if (mapping.exactAnswer !== undefined) texts.exactAnswer = test.map((row) => cut(row.exactAnswer ?? ''));
  return texts;
}

/** A cell as text: strings as they are, a JSON list (aliases) joined with '; ', anything else as JSON. */
export function displayText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('; ');
  return JSON.stringify(value);
}

/** At most `limit` characters, the last an ellipsis when cut; a surrogate pair is never split. */
export function cut(text: string, limit = TEST_TEXT_LIMIT): string {
  if (text.length <= limit) return text;
  let end = limit - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}
