import * as fs from 'node:fs';
import * as path from 'node:path';

import { RUN_OPTIONS, type TextEncodingName } from '../../contract/runOptions';
import { checkDatasetFile, formatBytes } from './datasetFile';
import { DatasetError } from './errors';
import { readFileBytes } from './fileContent';
import { parseCsv } from './readCsv';
import { parseJson } from './readJson';
import { parseJsonl } from './readJsonl';
import type { Table, TableFormat } from './table';
import { checkText, decodeText } from './textEncoding';

export { contentHash } from './fileContent';
export { isUnnamedIndexColumn, type Table, type TableFormat } from './table';

/** V8's longest string (0x1fffffe8 UTF-16 units); a UTF-8 file of at most that many bytes always fits. */
const MAX_STRING_BYTES = 0x1fffffe8;

const FORMAT_BY_EXTENSION: Record<string, TableFormat> = {
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.json': 'json',
  '.csv': 'csv',
};

/** The format a file's extension names, or undefined when readTable would refuse it. */
export function tableFormatOf(file: string): TableFormat | undefined {
  return FORMAT_BY_EXTENSION[path.extname(file).toLowerCase()];
}

export interface ReadTableOptions {
  /** Largest file read (MiB); the option's default unless given. */
  maxMB?: number;
  /** How the bytes are decoded; the option's default unless given. */
  encoding?: TextEncodingName;
  /** Bytes done of the file's `size`, in each pass over it (the encoding check, then parsing). */
  onBytes?: (pass: ReadingPass, bytes: number, size: number) => void;
}

export type ReadingPass = 'checking' | 'parsing';

/**
 * Reads a dataset file into records, remembering the line where each record starts. The path must be a
 * regular file of at most `maxMB` MiB holding text in `encoding`.
 */
export async function readTable(file: string, options: ReadTableOptions = {}): Promise<Table> {
  const format = tableFormatOf(file);
  if (!format) {
    throw new DatasetError({ file }, `unsupported file type; expected ${Object.keys(FORMAT_BY_EXTENSION).join(', ')}`);
  }
  const encoding = options.encoding ?? RUN_OPTIONS.encoding.default;
  checkDatasetFile(file, options.maxMB);
  // JSON and JSON Lines are decoded as one string, which V8 caps (~512 MiB); CSV streams.
  const bytes = fs.statSync(file).size;
  if (format !== 'csv' && bytes > MAX_STRING_BYTES) {
    throw new DatasetError({ file }, `the file is ${formatBytes(bytes)}: JSON and JSON Lines files are read in one piece, at most ${formatBytes(MAX_STRING_BYTES)}; split it, or save it as CSV (read as a stream)`);
  }
  const report = options.onBytes;
  await checkText(file, encoding, report && ((done) => report('checking', done, bytes)));
  const table =
    format === 'csv'
      ? await parseCsv(file, encoding, report && ((done) => report('parsing', done, bytes)))
      : parseJsonText(file, format, decodeText(await readFileBytes(file), encoding));
  report?.('parsing', bytes, bytes);
  if (table.records.length === 0) {
    throw new DatasetError({ file }, table.columns.length > 0 ? 'the file has a header but no records' : 'the file has no records');
  }
  return table;
}

function parseJsonText(file: string, format: 'json' | 'jsonl', text: string): Table {
  if (text.trim() === '') throw new DatasetError({ file }, 'the file is empty');
  if (format === 'jsonl') return parseJsonl(file, text);
  // JSON Lines saved as .json is common enough to read rather than refuse.
  return parseJson(file, text) ?? parseJsonl(file, text);
}
