// Records → a dataset file in the formats readTable reads (JSON Lines, a JSON array, CSV), written
// through a temporary name and renamed, so a crash never leaves a half file under the final name.

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { TableFormat } from './table';

/**
 * One CSV cell as pandas' to_csv writes it (QUOTE_MINIMAL): missing → empty, booleans → True/False,
 * lists and objects → JSON text (what the probing side parses back, e.g. input_output_ids); quoted
 * when it holds a comma, a quote or a line break, quotes doubled (RFC 4180).
 */
export function csvCell(value: unknown): string {
  let text: string;
  if (value === undefined || value === null) text = '';
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = value ? 'True' : 'False';
  else if (typeof value === 'number') text = Number.isFinite(value) ? String(value) : '';
  else text = JSON.stringify(value) ?? '';
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** A header of `columns`, then one line per record ('\n' line ends; a record lacking a column gets an empty cell). */
export function formatCsv(columns: readonly string[], records: readonly Record<string, unknown>[]): string {
  const lines = [columns.map(csvCell).join(',')];
  for (const record of records) lines.push(columns.map((column) => csvCell(record[column])).join(','));
  return lines.join('\n') + '\n';
}

/** The records in `format`: one JSON object per line, a JSON array with one record per line, or CSV with `columns`. */
export function formatTable(format: TableFormat, columns: readonly string[], records: readonly Record<string, unknown>[]): string {
  if (format === 'csv') return formatCsv(columns, records);
  const ordered = records.map((record) => JSON.stringify(inColumnOrder(record, columns)));
  if (format === 'jsonl') return ordered.map((line) => line + '\n').join('');
  return ordered.length === 0 ? '[]\n' : `[\n${ordered.join(',\n')}\n]\n`;
}

/**
 * Writes `text` to `<file>.partial` and renames it to `file` (replacing it if it exists: callers decide
 * whether that is allowed).
 */
export function writeFileAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const partial = `${file}.partial`;
  try {
    fs.writeFileSync(partial, text, 'utf8');
    fs.renameSync(partial, file);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
}

/** JSON keys in the column order (keys missing from a record are left out, as JSON Lines writers do). */
function inColumnOrder(record: Record<string, unknown>, columns: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const column of columns) if (record[column] !== undefined) out[column] = record[column];
  return out;
}
