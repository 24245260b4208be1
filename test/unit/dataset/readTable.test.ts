import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';

import { DatasetError } from '../../../src/core/dataset/errors';
import { contentHash, isUnnamedIndexColumn, readTable } from '../../../src/core/dataset/readTable';
import { fixtureDataset } from '../../helpers/fixtures';
import { pandasCsv, writeTemp } from './tempFiles';

/** Asserts that `promise` rejects with a DatasetError whose message is exactly `message`. */
async function rejectsWith(promise: Promise<unknown>, message: string): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof DatasetError, `expected a DatasetError, got ${String(err)}`);
    assert.equal(err.message, message);
    return true;
  });
}

test('JSONL: records, start lines, blank lines skipped, CRLF, BOM', async () => {
  const file = writeTemp('a.jsonl', '\uFEFF{"q":"a","n":1}\r\n\r\n   \r\n{"q":"b","extra":true}\r\n{"n":3}\r\n');
  const table = await readTable(file);
  assert.equal(table.format, 'jsonl');
  assert.deepEqual(table.columns, ['q', 'n', 'extra']);
  assert.deepEqual(table.records, [{ q: 'a', n: 1 }, { q: 'b', extra: true }, { n: 3 }]);
  assert.deepEqual(table.lines, [1, 4, 5]);
});

test('JSONL: a malformed line is reported with its line number', async () => {
  const file = writeTemp('bad.jsonl', '{"q":"a"}\n\n{"q":"b",}\n');
  await assert.rejects(readTable(file), (err: unknown) => {
    assert.ok(err instanceof DatasetError);
    assert.equal(err.location.line, 3);
    assert.match(err.message, /^.*bad\.jsonl: line 3: not valid JSON \(/);
    return true;
  });
});

test('JSONL: a line that is not an object is refused', async () => {
  const file = writeTemp('arr.jsonl', '{"q":"a"}\n[1,2]\n');
  await rejectsWith(readTable(file), `${file}: line 2: expected a JSON object (one record per line), found an array`);
});

test('JSON: a pretty-printed array gives each element its start line', async () => {
  const records = [{ q: 'a', c: 1 }, { q: 'multi\nline', c: 0 }, { q: 'c', c: true }];
  const file = writeTemp('a.json', JSON.stringify(records, null, 2));
  const table = await readTable(file);
  assert.equal(table.format, 'json');
  assert.deepEqual(table.records, records);
  // Line 1 is "[", each object takes 4 lines ("{", two properties, "}").
  assert.deepEqual(table.lines, [2, 6, 10]);
  assert.deepEqual(table.columns, ['q', 'c']);
});

test('JSON: an object holding exactly one array of records, with a BOM and CRLF', async () => {
  const text = '\uFEFF{\r\n  "name": "demo",\r\n  "data": [\r\n    {"q": "a"},\r\n\r\n    {"q": "b"}\r\n  ]\r\n}\r\n';
  const table = await readTable(writeTemp('wrapped.json', text));
  assert.deepEqual(table.records, [{ q: 'a' }, { q: 'b' }]);
  assert.deepEqual(table.lines, [4, 6]);
});

test('JSON: two arrays of records, or none, are refused', async () => {
  const two = writeTemp('two.json', '{"train": [{"q": 1}], "test": [{"q": 2}]}');
  await rejectsWith(readTable(two), `${two}: expected an object holding exactly one array of records; it holds 2 ("train", "test")`);
  const none = writeTemp('none.json', '{"q": 1}');
  await rejectsWith(
    readTable(none),
    `${none}: expected an array of records, or an object holding one; the top-level object holds no array of objects`,
  );
});

test('JSON: a syntax error names its line; a non-object element names its row and line', async () => {
  const broken = writeTemp('broken.json', '[\n  {"q": "a"},\n  {"q": }\n]');
  await rejectsWith(readTable(broken), `${broken}: line 3: not valid JSON (ValueExpected)`);
  const mixed = writeTemp('mixed.json', '[\n  {"q": "a"},\n  "b"\n]');
  await rejectsWith(readTable(mixed), `${mixed}: row 1 (line 3): expected an object per record, found a string`);
});

test('JSON Lines saved as .json are read as JSON Lines', async () => {
  const table = await readTable(writeTemp('lines.json', '{"q":"a"}\n{"q":"b"}\n'));
  assert.equal(table.format, 'jsonl');
  assert.deepEqual(table.lines, [1, 2]);
});

/** CSV text whose records start at known lines: quoted multi-line fields and blank lines between. */
function csvWithKnownLines(newline: string): { text: string; lines: number[]; records: Record<string, string>[] } {
  const records = [
    { id: '0', text: `first${newline}second${newline}third`, n: '1' },
    { id: '1', text: 'plain', n: '2' },
    { id: '2', text: `say "hi"${newline}then, go`, n: '3' },
    { id: '3', text: '', n: '4' },
    { id: '4', text: newline, n: '5' },
  ];
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const parts = ['id,text,n'];
  const lines: number[] = [];
  let line = 2;
  records.forEach((record, i) => {
    if (i === 2) {
      parts.push(''); // a blank line between records
      line++;
    }
    lines.push(line);
    parts.push([record.id, record.text, record.n].map(quote).join(','));
    line += record.text.split(newline).length;
  });
  return { text: parts.join(newline) + newline, lines, records };
}

for (const [label, newline] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']] as const) {
  test(`CSV (${label}, BOM): start lines stay right after quoted multi-line fields`, async () => {
    const { text, lines, records } = csvWithKnownLines(newline);
    const table = await readTable(writeTemp('multi.csv', '\uFEFF' + text));
    assert.equal(table.format, 'csv');
    assert.deepEqual(table.columns, ['id', 'text', 'n']);
    assert.deepEqual(table.records, records);
    assert.deepEqual(table.lines, lines);
  });
}

test("CSV: the reference's model-output layout (pandas index column, multi-line model_answer)", async () => {
  const columns = ['raw_question', 'question', 'model_answer', 'correct_answer', 'automatic_correctness', 'exact_answer', 'valid_exact_answer'];
  const text = pandasCsv(columns, [
    ['Who?', 'Q: Who?\nA:', ' Jamie Bamber.\n\nHe played Stephen.</s>', 'Jamie Bamber', 1, 'Jamie Bamber', 1],
    ['Where?', 'Q: Where?\nA:', ' Paris, "France"</s>', "['Lyon', 'Lyons']", 0, 'Paris', 1],
  ]);
  const table = await readTable(writeTemp('mistral-7b-instruct-answers-movies.csv', text));
  assert.deepEqual(table.columns, ['', ...columns]);
  assert.deepEqual(table.lines, [2, 6]);
  assert.equal(table.records[0].model_answer, ' Jamie Bamber.\n\nHe played Stephen.</s>');
  assert.equal(table.records[1][''], '1');
  assert.equal(table.records[1].model_answer, ' Paris, "France"</s>');
  assert.equal(table.records[1].automatic_correctness, '0');
  assert.ok(isUnnamedIndexColumn(table.columns[0]));
  assert.ok(isUnnamedIndexColumn('Unnamed: 0'));
  assert.ok(!isUnnamedIndexColumn('question'));
});

test('CSV: a short or a long row is an error at its line, with both field counts', async () => {
  const short = writeTemp('short.csv', 'a,b,c\n1,2,3\n1,2\n');
  await assert.rejects(readTable(short), (err: unknown) => {
    assert.ok(err instanceof DatasetError);
    assert.deepEqual(err.location, { file: short, rowIndex: 1, line: 3 });
    assert.match(err.message, /: row 1 \(line 3\): this record has 2 fields, the header has 3: /);
    return true;
  });
  const long = writeTemp('long.csv', 'a,b\n"x\ny",1\n1,2,3\n');
  await assert.rejects(readTable(long), (err: unknown) => {
    assert.ok(err instanceof DatasetError);
    assert.deepEqual(err.location, { file: long, rowIndex: 1, line: 4 });
    assert.match(err.message, /: row 1 \(line 4\): this record has 3 fields, the header has 2: /);
    return true;
  });
});

test('CSV: an unclosed quote and a repeated column name are refused', async () => {
  const open = writeTemp('open.csv', 'a,b\n1,"never closed\n');
  await rejectsWith(readTable(open), `${open}: row 0 (line 2): a quote opened in this record (line 2) is never closed: the rest of the file would become one field; close or remove the quote`);
  const twice = writeTemp('twice.csv', 'q,a,q\n1,2,3\n');
  await rejectsWith(
    readTable(twice),
    `${twice}: line 1, column "q": the header names this column twice (fields 1 and 3); column names must be unique`,
  );
});

test('empty files and files without records are refused', async () => {
  for (const name of ['empty.csv', 'empty.jsonl', 'empty.json']) {
    const file = writeTemp(name, '');
    await rejectsWith(readTable(file), `${file}: the file is empty`);
  }
  const header = writeTemp('header.csv', 'question,answer\r\n');
  await rejectsWith(readTable(header), `${header}: the file has a header but no records`);
  const blank = writeTemp('blank.jsonl', '\n\n');
  await rejectsWith(readTable(blank), `${blank}: the file is empty`);
  const array = writeTemp('array.json', '[]');
  await rejectsWith(readTable(array), `${array}: the file has no records`);
});

test('unsupported extensions and unreadable files are refused', async () => {
  const txt = writeTemp('data.txt', 'x');
  await rejectsWith(readTable(txt), `${txt}: unsupported file type; expected .jsonl, .ndjson, .json, .csv`);
  await rejectsWith(readTable(txt + '.csv'), `${txt}.csv: the file does not exist (check the path)`);
});

test('the reference data files parse with the row counts a CSV reader gives', async () => {
  const expected: [string, number, string[]][] = [
    ['movie_qa_test.csv', 7856, ['Question', 'Answer']],
    ['AnswerableMath_test.csv', 650, ['id', 'question', 'answer', 'answerable', 'category', 'relevant_ids', 'source']],
    ['winobias_dev.csv', 1584, ['type', 'stereotype', 'pronoun', 'sentence', 'answer', 'incorrect_answer', 'q', 'q_instruct']],
  ];
  for (const [name, rows, columns] of expected) {
    const table = await readTable(fixtureDataset('llmsknow', name));
    assert.equal(table.records.length, rows, name);
    assert.deepEqual(table.columns, columns, name);
    // These files have no multi-line fields: record i starts on line i + 2.
    assert.ok(table.lines.every((line, i) => line === i + 2), name);
  }
});

test('contentHash is the sha256 of the bytes', async () => {
  const bytes = Buffer.from('\uFEFFquestion,answer\r\n"a\r\nb",c\r\n');
  const file = writeTemp('hash.csv', bytes);
  assert.equal(await contentHash(file), createHash('sha256').update(bytes).digest('hex'));
  assert.equal(
    await contentHash(writeTemp('empty.csv', '')),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  );
});
