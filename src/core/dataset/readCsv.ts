import * as fs from 'node:fs';

import { CsvError, type Options, parse } from 'csv-parse';

import type { TextEncodingName } from '../../contract/runOptions';
import { DatasetError } from './errors';
import { countLeadingLineBreaks, countLineBreaks } from './lineBreaks';
import type { Table } from './table';
import { utf8Stream } from './textEncoding';

/** What csv-parse hands `on_record` with `raw: true`. */
interface RawRecord {
  record: string[];
  raw: string;
}

interface LinedRecord {
  fields: string[];
  line: number;
}

/**
 * RFC 4180 CSV with a header row, as pandas writes it (BOM, CRLF, quoted multi-line fields, an
 * unnamed index column), streamed from disk. Cells stay strings; a row with fewer fields than the
 * header lacks the trailing cells (pandas reads them as NaN), a row with more is an error.
 */
export async function parseCsv(file: string, encoding: TextEncodingName, onBytes?: (bytes: number) => void): Promise<Table> {
  await checkHeaderLength(file);
  // csv-parse's info.lines counts a CRLF inside a quoted field twice, so start lines come from each
  // record's raw text instead, which begins with the empty lines skipped before the record. This runs
  // in on_record, synchronously, so it is also up to date when csv-parse throws.
  let linesBefore = 0;
  let recordsSeen = 0;
  const addLine = ({ record, raw }: RawRecord): LinedRecord => {
    const line = linesBefore + countLeadingLineBreaks(raw) + 1;
    linesBefore += countLineBreaks(raw);
    recordsSeen++;
    return { fields: record, line };
  };
  const parser = parse({
    bom: true,
    raw: true,
    skip_empty_lines: true,
    // pandas fills a short record with NaN; a record short of fields is a lost separator or a cut line, so it is refused (below).
    // pandas reads a quote inside an unquoted field literally; csv-parse would refuse it.
    relax_quotes: true,
    // csv-parse's types assume on_record gets and returns string[]; with raw: true it gets a RawRecord.
    on_record: addLine as unknown as Options['on_record'],
  });
  const source = utf8Stream(file, encoding, onBytes);
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);

  let header: string[] | undefined;
  const records: Record<string, unknown>[] = [];
  const lines: number[] = [];
  try {
    for await (const { fields, line } of parser as AsyncIterable<LinedRecord>) {
      if (header === undefined) {
        header = checkHeader(file, fields, line);
        continue;
      }
      const columns = header;
      records.push(Object.fromEntries(columns.map((name, i) => [name, fields[i]])));
      lines.push(line);
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    if (!(err instanceof CsvError)) throw new DatasetError({ file }, `cannot read the file (${(err as Error).message})`);
    const raw = typeof err.raw === 'string' ? err.raw : '';
    const line = linesBefore + countLeadingLineBreaks(raw) + 1;
    // Our line replaces csv-parse's, which is off after CRLF multi-line fields.
    const reason = err.message.replace(/\s+(?:on|at) line \d+/g, '');
    // The failing record comes after `recordsSeen` records, the first of which is the header.
    const where = recordsSeen === 0 ? { file, line } : { file, rowIndex: recordsSeen - 1, line };
    if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
      throw new DatasetError(where, `a quote opened in this record (line ${line}) is never closed: the rest of the file would become one field; close or remove the quote`);
    }
    if (err.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && header !== undefined && Array.isArray(err.record)) {
      const got = (err.record as unknown[]).length;
      throw new DatasetError(
        where,
        `this record has ${got} field${got === 1 ? '' : 's'}, the header has ${header.length}: a separator or quote is missing or extra (or the line was cut); fix the record or remove it`,
      );
    }
    throw new DatasetError(where, `not valid CSV (${reason})`);
  }
  if (header === undefined) throw new DatasetError({ file }, 'the file is empty');
  return { file, format: 'csv', columns: header, records, lines };
}

/** A header that splits into more fields on ';' or a tab than on ',' is that kind of file, not one column. */
function checkDelimiter(file: string, names: string[], line: number): void {
  const joined = names.join(',');
  for (const [delimiter, label] of [[';', 'semicolon'], ['\t', 'tab']] as const) {
    const fields = joined.split(delimiter).length;
    if (fields > names.length && fields >= 2) {
      throw new DatasetError(
        { file, line },
        `the header splits into ${fields} fields on ${label}s but ${names.length} on commas: this looks like a ${label}-separated file; save it comma-separated (or as .jsonl)`,
      );
    }
  }
}

function checkHeader(file: string, names: string[], line: number): string[] {
  checkDelimiter(file, names, line);
  const firstIndex = new Map<string, number>();
  names.forEach((name, i) => {
    const earlier = firstIndex.get(name);
    if (earlier !== undefined) {
      throw new DatasetError(
        { file, line, column: name },
        `the header names this column twice (fields ${earlier + 1} and ${i + 1}); column names must be unique`,
      );
    }
    firstIndex.set(name, i);
  });
  return names;
}

/** Longest header line read (bytes): column names, not data; csv-parse takes ~1 s per MB of one field. */
const MAX_HEADER_BYTES = 1024 * 1024;

/** A file whose first MAX_HEADER_BYTES hold no line break has no CSV header: refused before parsing it. */
async function checkHeaderLength(file: string): Promise<void> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
    const head = Buffer.alloc(MAX_HEADER_BYTES + 1);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead <= MAX_HEADER_BYTES || head.includes(0x0a) || head.includes(0x0d)) return;
  } catch (err) {
    throw new DatasetError({ file }, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  } finally {
    await handle?.close();
  }
  throw new DatasetError({ file, line: 1 }, `the first line is longer than ${MAX_HEADER_BYTES / (1024 * 1024)} MiB without a line break: a CSV file starts with one line of column names; this is not one`);
}
