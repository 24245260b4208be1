import { DatasetError } from './errors';
import { splitLines } from './lineBreaks';
import { columnsOf, describeJsonType, isPlainObject, type Table } from './table';

/** JSON Lines: one object per line; blank lines are skipped. */
export function parseJsonl(file: string, text: string): Table {
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  splitLines(text).forEach((source, index) => {
    const line = index + 1;
    if (source.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (err) {
      throw new DatasetError({ file, line }, `not valid JSON (${(err as Error).message})`);
    }
    if (!isPlainObject(value)) {
      throw new DatasetError({ file, line }, `expected a JSON object (one record per line), found ${describeJsonType(value)}`);
    }
    records.push(value);
    lines.push(line);
  });
  return { file, format: 'jsonl', columns: columnsOf(records), records, lines };
}
