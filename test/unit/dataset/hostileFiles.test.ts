// Dataset paths and bytes that must be refused at once, naming the file (and line and byte offset):
// not a regular file, too large, not UTF-8, another Unicode encoding, another CSV delimiter.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

import { checkDatasetFile } from '../../../src/core/dataset/datasetFile';
import { readTable } from '../../../src/core/dataset/readTable';
import { otherUnicodeEncoding } from '../../../src/core/dataset/textEncoding';
import { writeTemp } from './tempFiles';

const rejectsWith = (p: Promise<unknown>, message: string): Promise<void> => assert.rejects(p, (err: Error) => {
  assert.equal(err.message, message);
  return true;
});

test('a directory, a FIFO, a character device (through a symlink), a dangling link and a missing file are refused at once, naming the path', async () => {
  const dir = path.dirname(writeTemp('x.jsonl', '{}'));
  const folder = path.join(dir, 'folder.jsonl');
  fs.mkdirSync(folder);
  await rejectsWith(readTable(folder), `${folder}: this is a directory; a dataset must be a regular file (.jsonl, .json or .csv)`);
  const fifo = path.join(dir, 'pipe.jsonl');
  execFileSync('mkfifo', [fifo]);
  // Reading a FIFO with no writer would block forever: the check must not open it.
  await rejectsWith(readTable(fifo), `${fifo}: this is a named pipe (FIFO); a dataset must be a regular file (.jsonl, .json or .csv)`);
  const zero = path.join(dir, 'zero.jsonl');
  fs.symlinkSync('/dev/zero', zero);
  await rejectsWith(readTable(zero), `${zero}: this is a character device; a dataset must be a regular file (.jsonl, .json or .csv)`);
  const dangling = path.join(dir, 'dangling.csv');
  fs.symlinkSync(path.join(dir, 'nowhere.csv'), dangling);
  await rejectsWith(readTable(dangling), `${dangling}: the file does not exist (check the path)`);
  // A symlink to a regular file is a dataset like any other.
  const real = writeTemp('real.jsonl', '{"question":"q","model_answer":"a","correct":1}\n');
  const link = path.join(dir, 'link.jsonl');
  fs.symlinkSync(real, link);
  assert.equal((await readTable(link)).records.length, 1);
});

test('a file above the size limit is refused with its size and the limit, without being read', () => {
  const file = writeTemp('big.jsonl', '');
  fs.truncateSync(file, 3 * 1024 * 1024 + 1); // sparse: nothing is written or read
  assert.throws(() => checkDatasetFile(file, 3), {
    message: `${file}: the file is 3.0 MiB, above the limit of 3.0 MiB: raise layerProbe.maxDatasetMB / --max-dataset-mb to read it, or split it`,
  });
  assert.doesNotThrow(() => checkDatasetFile(file, 4));
});

test('JSON nested far deeper than a record, and a JSON file too long for one string, are refused in words', async () => {
  const deep = writeTemp('deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
  await rejectsWith(readTable(deep), `${deep}: line 1: JSON nested more than 512 levels deep: a dataset holds records of flat fields; this is not one`);
  // Brackets inside strings are text, not nesting.
  const text = writeTemp('brackets.json', JSON.stringify([{ question: '['.repeat(2000), model_answer: 'a', correct: 1 }]));
  assert.equal((await readTable(text)).records.length, 1);
  const huge = writeTemp('huge.jsonl', '');
  fs.truncateSync(huge, 0x1fffffe8 + 1); // sparse: nothing is read
  await rejectsWith(readTable(huge), `${huge}: the file is 512.0 MiB: JSON and JSON Lines files are read in one piece, at most 512.0 MiB; split it, or save it as CSV (read as a stream)`);
});

test('invalid UTF-8 is refused naming the line and byte offset; a UTF-8 BOM is fine', async () => {
  const latin1 = writeTemp('latin1.csv', Buffer.concat([Buffer.from('question,model_answer,correct\nq1,yes,1\ncaf'), Buffer.from([0xe9]), Buffer.from(',no,0\n')]));
  await rejectsWith(
    readTable(latin1),
    `${latin1}: line 3: byte offset 42 (0xe9) is not UTF-8 — the file looks Windows-1252 / Latin-1 (or binary): read it with --encoding windows-1252 (the layerProbe.encoding setting in VS Code) or --encoding latin1, or convert it to UTF-8 first, e.g. \`iconv -f cp1252 -t utf-8 in.csv > out.csv\``,
  );
  // Overlong encodings and surrogates are not UTF-8 either; a truncated last character is named.
  for (const bytes of [[0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80]]) {
    const file = writeTemp('bad.jsonl', Buffer.concat([Buffer.from('{"question":"'), Buffer.from(bytes), Buffer.from('"}\n')]));
    await assert.rejects(readTable(file), new RegExp(`bad\\.jsonl: line 1: byte offset 13 \\(0x${bytes[0].toString(16)}\\) is not UTF-8`));
  }
  const cut = writeTemp('cut.jsonl', Buffer.concat([Buffer.from('{"q":"x"}\n{"q":"'), Buffer.from([0xe2, 0x82])]));
  await rejectsWith(readTable(cut), `${cut}: line 2: byte offset 16: the file ends inside a UTF-8 character (it may be truncated)`);
  const bom = writeTemp('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"question":"café ✓ 𝄞","model_answer":"a","correct":1}\n')]));
  assert.equal((await readTable(bom)).records[0].question, 'café ✓ 𝄞');
});

test('UTF-16 and UTF-32 files are recognised and named, with or without a byte-order mark', async () => {
  const text = 'question,model_answer,correct\nq,a,1\n';
  const le = writeTemp('u16le.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
  await rejectsWith(
    readTable(le),
    `${le}: the file is UTF-16 (little-endian byte-order mark), not UTF-8: read it with --encoding utf-16le (the layerProbe.encoding setting in VS Code), or convert it to UTF-8 (\`iconv -f utf-16 -t utf-8\`)`,
  );
  const bare = writeTemp('u16.csv', Buffer.from(text, 'utf16le'));
  await assert.rejects(readTable(bare), /u16\.csv: the file is UTF-16 little-endian \(no byte-order mark: every other byte is NUL\), not UTF-8: read it with --encoding utf-16le/);
  const be = writeTemp('u16be.csv', Buffer.from(text, 'utf16le').swap16());
  await assert.rejects(readTable(be), /u16be\.csv: the file is UTF-16 big-endian \(no byte-order mark: every other byte is NUL\), not UTF-8: read it with --encoding utf-16be/);
  assert.equal(otherUnicodeEncoding(Buffer.from([0xff, 0xfe, 0, 0, 0x71, 0, 0, 0])), 'UTF-32 (little-endian byte-order mark)');
  assert.equal(otherUnicodeEncoding(Buffer.from([0, 0, 0xfe, 0xff])), 'UTF-32 (big-endian byte-order mark)');
  assert.equal(otherUnicodeEncoding(Buffer.from(text)), undefined);
});

test('a .csv whose first MiB holds no line break is refused before parsing (it has no header line)', async () => {
  const long = writeTemp('long.csv', 'a'.repeat(1024 * 1024 + 1));
  await rejectsWith(readTable(long), `${long}: line 1: the first line is longer than 1 MiB without a line break: a CSV file starts with one line of column names; this is not one`);
  // Exactly 1 MiB, or a break anywhere in the first MiB, is parsed as usual.
  assert.equal((await readTable(writeTemp('ok.csv', `${'h'.repeat(1024 * 1024 - 8)}\nx\n`))).records.length, 1);
});

test('a semicolon- or tab-separated .csv says so instead of reading one column', async () => {
  const semi = writeTemp('semi.csv', 'question;model_answer;correct\nq;a;1\n');
  await rejectsWith(readTable(semi), `${semi}: line 1: the header splits into 3 fields on semicolons but 1 on commas: this looks like a semicolon-separated file; save it comma-separated (or as .jsonl)`);
  const tab = writeTemp('tab.csv', 'question\tmodel_answer\tcorrect\nq\ta\t1\n');
  await rejectsWith(readTable(tab), `${tab}: line 1: the header splits into 3 fields on tabs but 1 on commas: this looks like a tab-separated file; save it comma-separated (or as .jsonl)`);
  // A comma file whose header has no other delimiter reads as before.
  const comma = writeTemp('comma.csv', 'question,model_answer,correct\n"q; with; semicolons",a,1\n');
  assert.equal((await readTable(comma)).records[0].question, 'q; with; semicolons');
});
