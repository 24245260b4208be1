// Datasets are decoded in the run's `encoding` (utf-8 by default, a BOM is fine). A file that is not
// valid in it is refused naming the line and byte offset of the first bad byte, since decoding with
// replacement characters would silently change questions and answers; a file that is plainly in
// another encoding (a UTF-16 byte-order mark, UTF-8 read as latin1) is refused naming the one to use.
// Hand-written because TextDecoder({ fatal: true }) says that a file is invalid, not where; the
// checks stream, so a large CSV is checked without holding it in memory.
import * as fs from 'node:fs';
import { Transform } from 'node:stream';

import type { TextEncodingName } from '../../contract/runOptions';
import { DatasetError } from './errors';

/** How to say which encoding option to use. */
const useEncoding = (name: TextEncodingName): string => `--encoding ${name} (the layerProbe.encoding setting in VS Code)`;

const READ_AS_LATIN =
  `read it with ${useEncoding('windows-1252')} or --encoding latin1, ` + 'or convert it to UTF-8 first, e.g. `iconv -f cp1252 -t utf-8 in.csv > out.csv`';

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

/** A NUL byte at `offset` (line `line`): valid UTF-8 and Latin-1, but never text. */
function nulByte(file: string, line: number, offset: number): DatasetError {
  return new DatasetError(
    { file, line },
    `byte offset ${offset} is a NUL byte (0x00): a text dataset holds none — the file is binary or padded with zeros (a preallocated or extended file); remove them, e.g. \`tr -d '\\000' < in.csv > out.csv\``,
  );
}

/** The option naming a detected encoding, or the general advice. */
function suggestionFor(other: string): string {
  if (other.startsWith('UTF-16')) return `read it with ${useEncoding(other.includes('big-endian') ? 'utf-16be' : 'utf-16le')}, or convert it to UTF-8 (\`iconv -f utf-16 -t utf-8\`)`;
  return 'convert it to UTF-8 first (`iconv -f utf-32 -t utf-8 in.csv > out.csv`)';
}

/** Throws a DatasetError naming the file, line and byte offset unless the whole file is UTF-8 text. */
async function checkUtf8(file: string, onBytes?: (bytes: number) => void): Promise<void> {
  const state: Utf8State = { needed: 0, lower: 0x80, upper: 0xbf, start: 0 };
  let offset = 0;
  let line = 1;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (offset === 0) {
        const other = otherUnicodeEncoding(chunk);
        if (other) throw new DatasetError({ file }, `the file is ${other}, not UTF-8: ${suggestionFor(other)}`);
      }
      const bad = invalidOffset(chunk, offset, state);
      if (bad >= 0) {
        // Lines before the bad byte: those counted so far plus the newlines of this chunk before it.
        const within = Math.max(0, bad - offset);
        let at = line;
        for (let i = 0; i < within; i++) if (chunk[i] === 0x0a) at++;
        const byte = bad >= offset ? chunk[within] : undefined;
        if (byte === 0) {
          throw nulByte(file, at, bad);
        }
        const shown = byte === undefined ? '' : ` (0x${byte.toString(16).padStart(2, '0')})`;
        throw new DatasetError({ file, line: at }, `byte offset ${bad}${shown} is not UTF-8 — the file looks Windows-1252 / Latin-1 (or binary): ${READ_AS_LATIN}`);
      }
      for (const b of chunk) if (b === 0x0a) line++;
      offset += chunk.length;
      onBytes?.(offset);
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw new DatasetError({ file }, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (state.needed > 0) throw new DatasetError({ file, line }, `byte offset ${state.start}: the file ends inside a UTF-8 character (it may be truncated)`);
}

/** Throws a DatasetError naming the file, line and byte offset unless the whole file is text in `encoding`. */
export async function checkText(file: string, encoding: TextEncodingName, onBytes?: (bytes: number) => void): Promise<void> {
  if (encoding === 'utf-8') return checkUtf8(file, onBytes);
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return checkUtf16(file, encoding, onBytes);
  return checkSingleByte(file, encoding, onBytes);
}

const readError = (file: string, err: unknown): DatasetError => new DatasetError({ file }, `cannot read the file (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);

/** UTF-16: whole code units, surrogates paired, no NUL; a byte-order mark that contradicts `encoding` is named. */
async function checkUtf16(file: string, encoding: 'utf-16le' | 'utf-16be', onBytes?: (bytes: number) => void): Promise<void> {
  const little = encoding === 'utf-16le';
  let offset = 0;
  let line = 1;
  let carry: number | undefined; // the first byte of a code unit split across chunks
  let highAt = -1; // offset of a high surrogate still waiting for its low half
  let head = true;
  const fail = (at: number, what: string): never => {
    throw new DatasetError({ file, line }, `byte offset ${at} ${what}: the file is not ${encoding.toUpperCase()} (or it is damaged); read it with the --encoding it was saved in, or convert it to UTF-8`);
  };
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (head) {
        head = false;
        checkUtf16Head(file, chunk, encoding);
      }
      let i = 0;
      while (i < chunk.length) {
        let unit: number;
        const at = offset + i - (carry === undefined ? 0 : 1);
        if (carry !== undefined) {
          unit = little ? carry | (chunk[i] << 8) : (carry << 8) | chunk[i];
          carry = undefined;
          i += 1;
        } else if (i + 1 < chunk.length) {
          unit = little ? chunk[i] | (chunk[i + 1] << 8) : (chunk[i] << 8) | chunk[i + 1];
          i += 2;
        } else {
          carry = chunk[i];
          i += 1;
          continue;
        }
        if (highAt >= 0) {
          if (unit < 0xdc00 || unit > 0xdfff) fail(highAt, 'is a high surrogate without its low half');
          highAt = -1;
          continue;
        }
        if (unit >= 0xd800 && unit <= 0xdbff) highAt = at;
        else if (unit >= 0xdc00 && unit <= 0xdfff) fail(at, 'is a low surrogate without its high half');
        else if (unit === 0) {
          throw new DatasetError({ file, line }, `byte offset ${at} is a NUL character (U+0000): a text dataset holds none — the file is binary, or padded with zeros`);
        } else if (unit === 0x0a) line++;
      }
      offset += chunk.length;
      onBytes?.(offset);
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw readError(file, err);
  }
  if (carry !== undefined) throw new DatasetError({ file, line }, `byte offset ${offset - 1}: the file ends inside a UTF-16 code unit (an odd number of bytes: it may be truncated, or not UTF-16)`);
  if (highAt >= 0) throw new DatasetError({ file, line }, `byte offset ${highAt}: the file ends inside a UTF-16 surrogate pair (it may be truncated)`);
}

/** A file read as UTF-16 whose first bytes say it is something else. */
function checkUtf16Head(file: string, head: Buffer, encoding: 'utf-16le' | 'utf-16be'): void {
  const other = otherUnicodeEncoding(head);
  const wanted = encoding === 'utf-16le' ? 'little-endian' : 'big-endian';
  if (other && (!other.startsWith('UTF-16') || !other.includes(wanted))) {
    throw new DatasetError({ file }, `the file is ${other}, not ${encoding.toUpperCase()}: ${suggestionFor(other)}`);
  }
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
    throw new DatasetError({ file }, `the file starts with a UTF-8 byte-order mark, not ${encoding.toUpperCase()}: read it with ${useEncoding('utf-8')}`);
  }
  // UTF-16 text has NUL bytes unless nearly every character lies outside Latin-1 (a newline is 0A 00); a start
  // without any that is also valid UTF-8 is 8-bit text.
  const sample = head.subarray(0, 1024);
  const utf8: Utf8State = { needed: 0, lower: 0x80, upper: 0xbf, start: 0 };
  if (!other && sample.length >= 64 && !sample.includes(0) && invalidOffset(sample, 0, utf8) < 0) {
    throw new DatasetError({ file }, `the file is 8-bit text (ASCII or UTF-8: its first ${sample.length} bytes hold no NUL), not ${encoding.toUpperCase()}: read it with ${useEncoding('utf-8')}`);
  }
}

/** latin1 / windows-1252 decode every byte; what is refused: NUL bytes, UTF-16/32, and UTF-8 (which they would garble). */
async function checkSingleByte(file: string, encoding: 'latin1' | 'windows-1252', onBytes?: (bytes: number) => void): Promise<void> {
  const utf8: Utf8State = { needed: 0, lower: 0x80, upper: 0xbf, start: 0 };
  let validUtf8 = true;
  let firstHigh: { offset: number; line: number } | undefined;
  let offset = 0;
  let line = 1;
  try {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
      if (offset === 0) {
        const other = otherUnicodeEncoding(chunk);
        if (other) throw new DatasetError({ file }, `the file is ${other}, not ${encoding}: ${suggestionFor(other)}`);
      }
      for (let i = 0; i < chunk.length; i++) {
        const b = chunk[i];
        if (b === 0) {
          throw nulByte(file, line, offset + i);
        }
        if (b === 0x0a) line++;
        else if (b >= 0x80 && !firstHigh) firstHigh = { offset: offset + i, line };
      }
      if (validUtf8 && invalidOffset(chunk, offset, utf8) >= 0) validUtf8 = false;
      offset += chunk.length;
      onBytes?.(offset);
    }
  } catch (err) {
    if (err instanceof DatasetError) throw err;
    throw readError(file, err);
  }
  // Latin-1 text almost never forms valid multi-byte UTF-8 by chance: such a file is UTF-8, and read as latin1 "é" would become "Ã©".
  if (validUtf8 && utf8.needed === 0 && firstHigh) {
    throw new DatasetError(
      { file, line: firstHigh.line },
      `the file is UTF-8 (its first non-ASCII character, at byte offset ${firstHigh.offset}, is a UTF-8 sequence), not ${encoding}: read as ${encoding}, "é" would become "Ã©"; read it with ${useEncoding('utf-8')}`,
    );
  }
}

/** The text of a whole file's bytes (already checked) in `encoding`, without a byte-order mark. */
export function decodeText(bytes: Buffer, encoding: TextEncodingName): string {
  if (encoding === 'latin1') return bytes.toString('latin1');
  // TextDecoder drops a leading byte-order mark (ignoreBOM: false).
  return new TextDecoder(encoding).decode(bytes);
}

/** The file's bytes transcoded from `encoding` to UTF-8 (as they are for utf-8), as a stream. */
export function utf8Stream(file: string, encoding: TextEncodingName, onBytes?: (bytes: number) => void): NodeJS.ReadableStream {
  const source = fs.createReadStream(file);
  if (onBytes) {
    let read = 0;
    source.on('data', (chunk) => onBytes((read += chunk.length)));
  }
  if (encoding === 'utf-8') return source;
  // Node's own decoders: TextDecoder keeps a code unit or surrogate pair split across chunks (stream: true).
  const decoder = encoding === 'latin1' ? undefined : new TextDecoder(encoding);
  const decode = new Transform({
    transform(chunk: Buffer, _enc, done) {
      done(null, Buffer.from(decoder ? decoder.decode(chunk, { stream: true }) : chunk.toString('latin1'), 'utf8'));
    },
    flush(done) {
      done(null, decoder ? Buffer.from(decoder.decode(), 'utf8') : undefined);
    },
  });
  source.on('error', (err) => decode.destroy(err));
  return source.pipe(decode);
}
