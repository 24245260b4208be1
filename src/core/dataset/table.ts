/** A dataset file read into records, each with the line where it starts in the file. */
export interface Table {
  file: string;
  format: TableFormat;
  /** Column names in file order (CSV header; for JSON, keys in order of first appearance). */
  columns: string[];
  /** CSV cells are strings (undefined when a short row lacks them); JSON values keep their types. */
  records: Record<string, unknown>[];
  /** 1-based line where each record starts, parallel to `records`. */
  lines: number[];
}

export type TableFormat = 'jsonl' | 'json' | 'csv';

/** pandas writes its index as a column named "" and, after a re-read and re-save, "Unnamed: 0". */
export function isUnnamedIndexColumn(name: string): boolean {
  return name === '' || /^Unnamed: \d+$/.test(name);
}

/** Union of the records' keys, in order of first appearance. */
export function columnsOf(records: Record<string, unknown>[]): string[] {
  const columns = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) columns.add(key);
  return [...columns];
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
