// The encoding option: Windows-1252, Latin-1 and UTF-16 datasets read as the text they hold (records,
// lines and characters as their UTF-8 twin gives), and a file that is not valid in the named encoding,
// or plainly in another one, refused naming the line, the byte offset and the encoding to use.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { readTable } from '../../../src/core/dataset/readTable';
import { pandasCsv, writeTemp } from './tempFiles';

const rejectsWith = (p: Promise<unknown>, message: string): Promise<void> =>
  assert.rejects(p, (err: Error) => {
    assert.equal(err.message, message);
    return true;
  });

// A quoted field spanning two lines, so record start lines are not line counts of records.
const ROWS = [
  ['café', 'yes', 1],
  ['naïve\nsecond line', 'no', 0],
  ['Größe', 'maybe', 1],
];
const CSV = pandasCsv(['question', 'model_answer', 'correct'], ROWS);

test('a Windows-1252 CSV read with --encoding windows-1252 gives the records of its UTF-8 twin, € and curly quotes included', async () => {
  const utf8 = await readTable(writeTemp('twin.csv', CSV + '3,“€5”,x,0\n'));
  // Node has no Windows-1252 encoder: é ï ö ß are Latin-1 bytes, € is 0x80, “ ” are 0x93 0x94.
  const bytes = Buffer.concat([Buffer.from(CSV, 'latin1'), Buffer.from([0x33, 0x2c, 0x93, 0x80, 0x35, 0x94, 0x2c, 0x78, 0x2c, 0x30, 0x0a])]);
  const cp1252 = await readTable(writeTemp('cp1252.csv', bytes), { encoding: 'windows-1252' });
  assert.deepEqual(cp1252.records, utf8.records);
  assert.deepEqual(cp1252.lines, [2, 3, 5, 6]);
  assert.deepEqual(cp1252.lines, utf8.lines);
  // Latin-1 maps 0x80 to U+0080, not €.
  const latin1 = await readTable(writeTemp('latin1.csv', bytes), { encoding: 'latin1' });
  assert.equal(latin1.records[3].question, '\u0093\u00805\u0094');
  assert.deepEqual(latin1.records.slice(0, 3), utf8.records.slice(0, 3));
});

test('UTF-16 (LE with a BOM, BE without) CSV, JSON Lines and JSON read as their UTF-8 twins, a surrogate pair across the read chunks included', async () => {
  // 𝄞 (a surrogate pair) placed so its four bytes straddle the 64 KiB boundary of the read stream (the BOM is 2 bytes).
  const header = 'question,model_answer,correct\n';
  const filler = 'x'.repeat((65536 - 2 - 2 - 2 * header.length) / 2);
  const long = `${header}${filler}𝄞,yes,1\n`;
  const bom = Buffer.from([0xff, 0xfe]);
  for (const [name, text] of [['t.csv', CSV], ['long.csv', long], ['t.jsonl', '{"question":"café 𝄞","model_answer":"a","correct":1}\n{"question":"b","model_answer":"c","correct":0}\n']]) {
    const twin = await readTable(writeTemp(name, text));
    const le = await readTable(writeTemp(name, Buffer.concat([bom, Buffer.from(text, 'utf16le')])), { encoding: 'utf-16le' });
    assert.deepEqual(le.records, twin.records, name);
    assert.deepEqual(le.lines, twin.lines, name);
    const be = await readTable(writeTemp(name, Buffer.from(text, 'utf16le').swap16()), { encoding: 'utf-16be' });
    assert.deepEqual(be.records, twin.records, name);
  }
  const json = await readTable(writeTemp('t.json', Buffer.from('[{"question":"Größe","model_answer":"a","correct":1}]', 'utf16le')), { encoding: 'utf-16le' });
  assert.equal(json.records[0].question, 'Größe');
});

test('a file that is not the named UTF-16 is refused naming the byte offset and line, or the encoding it is in', async () => {
  const head = Buffer.from('question,model_answer,correct\nq,a,1\n', 'utf16le');
  // A low surrogate alone on line 3, at byte offset head.length + 2.
  const lone = writeTemp('lone.csv', Buffer.concat([head, Buffer.from('x', 'utf16le'), Buffer.from([0x00, 0xdc]), Buffer.from(',a,1\n', 'utf16le')]));
  await rejectsWith(
    readTable(lone, { encoding: 'utf-16le' }),
    `${lone}: line 3: byte offset ${head.length + 2} is a low surrogate without its high half: the file is not UTF-16LE (or it is damaged); read it with the --encoding it was saved in, or convert it to UTF-8`,
  );
  const odd = writeTemp('odd.csv', Buffer.concat([head, Buffer.from([0x71])]));
  await rejectsWith(
    readTable(odd, { encoding: 'utf-16le' }),
    `${odd}: line 3: byte offset ${head.length}: the file ends inside a UTF-16 code unit (an odd number of bytes: it may be truncated, or not UTF-16)`,
  );
  const nul = writeTemp('nul.csv', Buffer.concat([head, Buffer.from([0, 0])]));
  await rejectsWith(readTable(nul, { encoding: 'utf-16le' }), `${nul}: line 3: byte offset ${head.length} is a NUL character (U+0000): a text dataset holds none — the file is binary, or padded with zeros`);
  const be = writeTemp('be.csv', Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(head).swap16()]));
  await rejectsWith(
    readTable(be, { encoding: 'utf-16le' }),
    `${be}: the file is UTF-16 (big-endian byte-order mark), not UTF-16LE: read it with --encoding utf-16be (the layerProbe.encoding setting in VS Code), or convert it to UTF-8 (\`iconv -f utf-16 -t utf-8\`)`,
  );
  const ascii = writeTemp('ascii.csv', CSV);
  await rejectsWith(
    readTable(ascii, { encoding: 'utf-16be' }),
    `${ascii}: the file is 8-bit text (ASCII or UTF-8: its first ${Buffer.byteLength(CSV)} bytes hold no NUL), not UTF-16BE: read it with --encoding utf-8 (the layerProbe.encoding setting in VS Code)`,
  );
});

test('latin1 / windows-1252 refuse UTF-8 text (which they would garble), UTF-16 and NUL bytes; plain ASCII reads the same in all', async () => {
  const utf8 = writeTemp('utf8.csv', CSV);
  const firstHigh = Buffer.from(CSV).indexOf(0xc3);
  await rejectsWith(
    readTable(utf8, { encoding: 'latin1' }),
    `${utf8}: line 2: the file is UTF-8 (its first non-ASCII character, at byte offset ${firstHigh}, is a UTF-8 sequence), not latin1: read as latin1, "é" would become "Ã©"; read it with --encoding utf-8 (the layerProbe.encoding setting in VS Code)`,
  );
  const u16 = writeTemp('u16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(CSV, 'utf16le')]));
  await assert.rejects(readTable(u16, { encoding: 'windows-1252' }), /u16\.csv: the file is UTF-16 \(little-endian byte-order mark\), not windows-1252: read it with --encoding utf-16le/);
  const nul = writeTemp('nul.csv', Buffer.concat([Buffer.from('question,model_answer,correct\nq,a,1\n', 'latin1'), Buffer.from([0xe9, 0])]));
  await assert.rejects(readTable(nul, { encoding: 'latin1' }), /nul\.csv: line 3: byte offset 37 is a NUL byte \(0x00\)/);
  const ascii = 'question,model_answer,correct\nq,a,1\n';
  const expected = (await readTable(writeTemp('a.csv', ascii))).records;
  for (const encoding of ['latin1', 'windows-1252'] as const) assert.deepEqual((await readTable(writeTemp('a.csv', ascii), { encoding })).records, expected);
});
