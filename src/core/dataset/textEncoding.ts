// Datasets must be UTF-8 (a BOM is fine): anything else is refused naming the line and byte offset of
// the first byte that is not UTF-8, since decoding with replacement characters would silently change
// questions and answers. Hand-written because TextDecoder({ fatal: true }) says that a file is invalid,
// not where; the validator streams, so a large CSV is checked without holding it in memory.
import * as fs from 'node:fs';

import { DatasetError } from './errors';

const CONVERT = 'convert it to UTF-8 first, e.g. `iconv -f latin1 -t utf-8 in.csv > out.csv` (or `-f utf-16`), or save it as UTF-8 from your editor';

/** Streaming UTF-8 validation state: continuation bytes still expected and the allowed range of the next. */
interface Utf8State {
  needed: number;
  lower: number;
  upper: number;
  /** Offset where the current multi-byte sequence started. */
  start: number;
}

/** The offset (absolute) of the first invalid byte of `chunk`, or -1; `state` carries over chunks. */
function invalidOffset(chunk: Buffer, base: number, state: Utf8State): number {
  for (let i = 0; i < chunk.length; i++) {
    const b = chunk[i];
    if (state.needed > 0) {
      if (b < state.lower || b > state.upper) return state.start;
      state.lower = 0x80;
      state.upper = 0xbf;
      state.needed--;
      continue;
    }
    // NUL is valid UTF-8 but never text: a zero-padded (preallocated, sparse) or binary file.
    if (b === 0) return base + i;
    if (b < 0x80) continue;
    state.start = base + i;
    state.lower = 0x80;
    state.upper = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) state.needed = 1;
    else if (b >= 0xe0 && b <= 0xef) {
      state.needed = 2;
      if (b === 0xe0) state.lower = 0xa0; // no overlong forms
      if (b === 0xed) state.upper = 0x9f; // no UTF-16 surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      state.needed = 3;
      if (b === 0xf0) state.lower = 0x90;
      if (b === 0xf4) state.upper = 0x8f; // nothing above U+10FFFF
    } else return base + i;
  }
  return -1;
}

/** A byte-order mark or NUL pattern of another Unicode encoding, named; undefined for anything else. */
export function otherUnicodeEncoding(head: Buffer): string | undefined {
  if (head.length >= 4 && head.readUInt32BE(0) === 0x0000feff) return 'UTF-32 (big-endian byte-order mark)';
  if (head.length >= 4 && head.readUInt32LE(0) === 0x0000feff) return 'UTF-32 (little-endian byte-order mark)';
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return 'UTF-16 (little-endian byte-order mark)';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'UTF-16 (big-endian byte-order mark)';
  // ASCII text in UTF-16 without a BOM: every other byte is NUL.
  const sample = head.subarray(0, 1024);
  // Only NULs is no encoding at all: the NUL check names it.
  if (sample.every((b) => b === 0)) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < sample.length; i++) {
    if (sample[i] !== 0) continue;
    if (i % 2 === 0) evenNul++;
    else oddNul++;
  }
  const pairs = Math.floor(sample.length / 2);
  if (pairs >= 4 && oddNul >= 0.4 * pairs) return 'UTF-16 little-endian (no byte-order mark: every other byte is NUL)';
  if (pairs >= 4 && evenNul >= 0.4 * pairs) return 'UTF-16 big-endian (no byte-order mark: every other byte is NUL)';
  return undefined;
}

/** Throws a DatasetError naming the file, line and byte offset unless the whole file is UTF-8 text. */
export async function checkUtf8(file: string): Promise<void> {
  const state: Utf8State = { needed: 0, lower: 0x80, upper: 0xbf, start: 0 };
  let offset = 0;
  let line = 1;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (offset === 0) {
        const other = otherUnicodeEncoding(chunk);
        if (other) throw new DatasetError({ file }, `the file is ${other}, not UTF-8: ${CONVERT}`);
      }
      const bad = invalidOffset(chunk, offset, state);
      if (bad >= 0) {
        // Lines before the bad byte: those counted so far plus the newlines of this chunk before it.
        const within = Math.max(0, bad - offset);
        let at = line;
        for (let i = 0; i < within; i++) if (chunk[i] === 0x0a) at++;
        const byte = bad >= offset ? chunk[within] : undefined;
        if (byte === 0) {
          throw new DatasetError(
            { file, line: at },
            `byte offset ${bad} is a NUL byte (0x00): a text dataset holds none — the file is binary or padded with zeros (a preallocated or extended file); remove them, e.g. \`tr -d '\\000' < in.csv > out.csv\``,
          );
        }
        const shown = byte === undefined ? '' : ` (0x${byte.toString(16).padStart(2, '0')})`;
        throw new DatasetError({ file, line: at }, `byte offset ${bad}${shown} is not UTF-8 — the file looks Latin-1 / Windows-1252 or binary: ${CONVERT}`);
      }
      for (const b of chunk) if (b === 0x0a) line++;
      offset += chunk.length;
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError({ file }, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (state.needed > 0) throw new DatasetError({ file, line }, `byte offset ${state.start}: the file ends inside a UTF-8 character (it may be truncated)`);
}
