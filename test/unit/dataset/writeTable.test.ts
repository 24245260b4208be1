import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { readTable } from '../../../src/core/dataset/readTable';
import { csvCell, formatCsv, formatTable, writeFileAtomically } from '../../../src/core/dataset/writeTable';
import { writeTemp } from './tempFiles';

describe('writing tables', () => {
  it("CSV cells as pandas' to_csv writes them: quoted only when needed, quotes doubled", () => {
    assert.equal(csvCell('Paris'), 'Paris');
    assert.equal(csvCell('Paris, France'), '"Paris, France"');
    assert.equal(csvCell('He said "no"'), '"He said ""no"""');
    assert.equal(csvCell('line 1\nline 2'), '"line 1\nline 2"');
    assert.equal(csvCell(' padded '), ' padded ');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
    assert.equal(csvCell(1), '1');
    assert.equal(csvCell(true), 'True');
    assert.equal(csvCell([1, 2, 3]), '"[1,2,3]"');
  });

  it('a CSV reads back cell for cell, multi-line and quoted fields included', async () => {
    const records = [
      { question: 'Q: a, b?\nA:', model_answer: ' "x"\n', n: 1, ids: [1, 2] },
      { question: 'plain', model_answer: '', n: null },
    ];
    const file = writeTemp('t.csv', formatCsv(['question', 'model_answer', 'n', 'ids'], records));
    const table = await readTable(file);
    assert.deepEqual(table.columns, ['question', 'model_answer', 'n', 'ids']);
    assert.deepEqual(table.records, [
      { question: 'Q: a, b?\nA:', model_answer: ' "x"\n', n: '1', ids: '[1,2]' },
      { question: 'plain', model_answer: '', n: '', ids: '' },
    ]);
    assert.deepEqual(table.lines, [2, 5]);
  });

  it('JSON Lines and JSON keep the column order and the values’ types', async () => {
    const records = [{ b: 2, a: 'x', c: [1] }, { a: 'y', b: null }];
    assert.equal(formatTable('jsonl', ['a', 'b', 'c'], records), '{"a":"x","b":2,"c":[1]}\n{"a":"y","b":null}\n');
    const json = formatTable('json', ['a', 'b', 'c'], records);
    assert.equal(json, '[\n{"a":"x","b":2,"c":[1]},\n{"a":"y","b":null}\n]\n');
    assert.deepEqual((await readTable(writeTemp('t.json', json))).records, [{ a: 'x', b: 2, c: [1] }, { a: 'y', b: null }]);
  });

  it('writes through a .partial file and leaves none behind', () => {
    const file = path.join(path.dirname(writeTemp('x.txt', '')), 'sub', 'out.csv');
    writeFileAtomically(file, 'a\n1\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'a\n1\n');
    writeFileAtomically(file, 'a\n2\n');
    assert.equal(fs.readFileSync(file, 'utf8'), 'a\n2\n');
    assert.deepEqual(fs.readdirSync(path.dirname(file)), ['out.csv']);
    // A target that cannot be written (a folder in its place): the error surfaces, no partial file stays.
    const blocked = path.join(path.dirname(file), 'blocked');
    fs.mkdirSync(blocked);
    assert.throws(() => writeFileAtomically(blocked, 'x'));
    assert.deepEqual(fs.readdirSync(path.dirname(file)).sort(), ['blocked', 'out.csv']);
  });
});
