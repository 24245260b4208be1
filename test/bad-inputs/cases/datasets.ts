// Malformed dataset bytes and structure: encodings, BOMs, NULs, broken JSON/JSONL/CSV, wrong types per
// column, missing and duplicate columns, empty and header-only files, line endings, huge fields.
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { BadCase } from '../harness';
import { csv, fixtureToyFacts, goodRows, jsonl, noise, probe, put, type Row } from '../makers';

type Opts = Partial<Pick<BadCase, 'expect' | 'known' | 'timeoutS' | 'mayWrite'>> & { extra?: string[]; model?: string };

/** A case whose dataset is `file` holding `content` (or made by a function), run with probe's defaults. */
function ds(id: string, file: string, content: string | Buffer | ((dir: string) => void), says: (string | RegExp)[], opts: Opts = {}): BadCase {
  return {
    id: `dataset/${id}`,
    setup: (dir) => { if (typeof content === 'function') content(dir); else put(dir, file, content); },
    args: () => probe(file, opts.extra, opts.model),
    expect: opts.expect ?? 'refused',
    says: [file, ...says],
    known: opts.known,
    timeoutS: opts.timeoutS,
    mayWrite: opts.mayWrite,
  };
}

const B = (...parts: (string | number[] | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.isBuffer(p) ? p : Buffer.from(p))));
const rows = goodRows();
const withRows = (change: (r: Row, i: number) => Row): Row[] => rows.map((r, i) => change({ ...r }, i));
const CSV = csv(rows as unknown as Record<string, unknown>[]);
const JSONL = jsonl(rows);
const HEADER = 'question,model_answer,correct,exact_answer';
const csvLines = CSV.trimEnd().split('\n');

export const datasetCases: BadCase[] = [
  // --- encodings, BOMs, NULs
  ds('latin1-csv', 'latin1.csv', B(`${csvLines.slice(0, 3).join('\n')}\ncaf`, [0xe9], ',no,0,no\n', csvLines.slice(4).join('\n')), [/line 4: byte offset \d+ \(0xe9\)/, /Latin-1/, /--encoding windows-1252/]),
  ds('latin1-jsonl', 'latin1.jsonl', B(JSONL, '{"question":"caf', [0xe9], '","model_answer":"a","correct":1}\n'), [/line 41: byte offset/]),
  ds('cp1252-quotes', 'smart.csv', B(`${HEADER}\n`, [0x93], 'hi', [0x94], ',yes,1,yes\n'), [/line 2: byte offset 43 \(0x93\)/]),
  ds('overlong-utf8', 'overlong.jsonl', B('{"question":"', [0xc0, 0xaf], '"}\n'), [/line 1: byte offset 13 \(0xc0\)/]),
  ds('surrogate-utf8', 'surrogate.jsonl', B(JSONL, '{"question":"', [0xed, 0xa0, 0x80], '"}\n'), [/line 41: byte offset/]),
  ds('beyond-unicode', 'beyond.jsonl', B('{"question":"', [0xf4, 0x90, 0x80, 0x80], '"}\n'), [/line 1: byte offset 13/]),
  ds('lone-continuation', 'lone.csv', B(`${HEADER}\nq`, [0x80], ',a,1,a\n'), [/line 2: byte offset/]),
  ds('five-byte-utf8', 'five.csv', B(`${HEADER}\nq`, [0xf8, 0x88, 0x80, 0x80, 0x80], ',a,1,a\n'), [/line 2: byte offset/]),
  ds('truncated-utf8', 'cut.jsonl', B(JSONL, '{"question":"', [0xe2, 0x82]), [/line 41: byte offset \d+: the file ends inside a UTF-8 character/]),
  ds('utf16le-bom-csv', 'u16le.csv', B([0xff, 0xfe], Buffer.from(CSV, 'utf16le')), [/UTF-16/]),
  ds('utf16be-bom-csv', 'u16be.csv', B([0xfe, 0xff], Buffer.from(CSV, 'utf16le').swap16()), [/UTF-16/]),
  ds('utf16le-nobom-jsonl', 'u16.jsonl', Buffer.from(JSONL, 'utf16le'), [/UTF-16/]),
  ds('utf16be-nobom-json', 'u16be.json', Buffer.from(JSON.stringify(rows), 'utf16le').swap16(), [/UTF-16/]),
  ds('utf32le-bom', 'u32le.jsonl', B([0xff, 0xfe, 0, 0], utf32(JSONL, true)), [/UTF-32/]),
  ds('utf32be-bom', 'u32be.csv', B([0, 0, 0xfe, 0xff], utf32(CSV, false)), [/UTF-32/]),
  // --- the encoding option: the right one reads, a wrong one is refused naming the right one
  ds('latin1-csv-encoding-latin1', 'latin1ok.csv', B(CSV, 'caf', [0xe9], ',no,0,no\n'), [], { expect: 'accepted', extra: ['--encoding', 'latin1'] }),
  ds('cp1252-quotes-encoding-cp1252', 'smartok.csv', B(CSV, [0x93], 'hi', [0x94], ',yes,1,yes\n'), [], { expect: 'accepted', extra: ['--encoding', 'windows-1252'] }),
  ds('utf16le-bom-encoding-utf16le', 'u16ok.csv', B([0xff, 0xfe], Buffer.from(CSV, 'utf16le')), [], { expect: 'accepted', extra: ['--encoding', 'utf-16le'] }),
  ds('utf16be-nobom-encoding-utf16be', 'u16beok.json', Buffer.from(JSON.stringify(rows), 'utf16le').swap16(), [], { expect: 'accepted', extra: ['--encoding', 'utf-16be'] }),
  ds('utf16le-read-as-utf16be', 'u16wrong.csv', B([0xff, 0xfe], Buffer.from(CSV, 'utf16le')), [/not UTF-16BE: read it with --encoding utf-16le/], { extra: ['--encoding', 'utf-16be'] }),
  ds('utf16le-lone-surrogate', 'u16lone.jsonl', B(Buffer.from(JSONL, 'utf16le'), Buffer.from('{"question":"', 'utf16le'), [0x00, 0xdc], Buffer.from('"}\n', 'utf16le')), [/line 41: byte offset \d+ is a low surrogate without its high half/], { extra: ['--encoding', 'utf-16le'] }),
  ds('utf16le-odd-length', 'u16odd.csv', B(Buffer.from(CSV, 'utf16le'), [0x71]), [/ends inside a UTF-16 code unit/], { extra: ['--encoding', 'utf-16le'] }),
  ds('utf8-read-as-latin1', 'utf8aslatin.csv', `${CSV}café,yes,1,yes\n`, [/the file is UTF-8 .*not latin1: read as latin1, "é" would become "Ã©"; read it with --encoding utf-8/], { extra: ['--encoding', 'latin1'] }),
  ds('ascii-read-as-utf16', 'asciiasu16.csv', CSV, [/the file is 8-bit text .* not UTF-16LE: read it with --encoding utf-8/], { extra: ['--encoding', 'utf-16le'] }),
  ds('utf8-bom-jsonl', 'bom.jsonl', B([0xef, 0xbb, 0xbf], JSONL), [], { expect: 'accepted' }),
  ds('utf8-bom-csv', 'bom.csv', B([0xef, 0xbb, 0xbf], CSV), [], { expect: 'accepted' }),
  ds('utf8-bom-json', 'bom.json', B([0xef, 0xbb, 0xbf], JSON.stringify(rows)), [], { expect: 'accepted' }),
  ds('double-bom-csv', 'bom2.csv', B([0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], CSV), [], { expect: 'accepted' }),
  ds('bom-mid-file-jsonl', 'bommid.jsonl', B(JSONL, [0xef, 0xbb, 0xbf], JSONL), [/line 41/]),
  ds('nul-in-jsonl-string', 'nul.jsonl', B(JSONL, '{"question":"a', [0], 'b","model_answer":"a","correct":1}\n'), [/line 41/]),
  ds('nul-in-csv-field', 'nul.csv', B(`${CSV}q`, [0], 'x,a,1,a\n'), [/line 122/, /NUL/]),
  ds('nul-only-file', 'zeros.csv', Buffer.alloc(4096), []),
  ds('random-bytes-csv', 'random.csv', noise(20_000, 7), []),
  ds('random-bytes-jsonl', 'random.jsonl', noise(20_000, 8), []),
  ds('random-bytes-json', 'random.json', noise(20_000, 9), []),
  ds('gzip-as-jsonl', 'data.jsonl', B([0x1f, 0x8b, 0x08, 0x00], noise(500, 3)), []),
  ds('zip-as-csv', 'data.csv', B('PK', [3, 4, 20, 0, 0, 0, 8, 0], noise(500, 4)), []),
  ds('ascii-control-chars-csv', 'ctrl.csv', B(`${HEADER}\nq`, [1, 2, 3, 0x1b], ',a,1,a\n'), []),

  // --- empty and structure-only files
  ds('empty-jsonl', 'empty.jsonl', '', [/empty|no rows|no records/i]),
  ds('empty-csv', 'empty.csv', '', [/empty|no rows|no records|header/i]),
  ds('empty-json', 'empty.json', '', [/empty|no rows|no records/i]),
  ds('whitespace-jsonl', 'blank.jsonl', '\n\n   \n\t\n', [/empty|no rows|no records/i]),
  ds('newlines-csv', 'blank.csv', '\n\n\n', [/empty|no rows|no records|header/i]),
  ds('header-only-csv', 'header.csv', `${HEADER}\n`, [/no rows|no records|header/i]),
  ds('header-only-no-newline-csv', 'header2.csv', HEADER, [/no rows|no records|header/i]),
  ds('header-and-blank-lines-csv', 'header3.csv', `${HEADER}\n\n\n`, [/no rows|no records|header/i]),
  ds('json-empty-array', 'arr.json', '[]', [/no rows|no records|empty/i]),
  ds('json-object-not-array', 'obj.json', JSON.stringify({ rows }), [], { expect: 'accepted' }),
  ds('json-null', 'null.json', 'null', [/array|list|records/i]),
  ds('json-number', 'num.json', '42', [/array|list|records/i]),
  ds('json-string', 'str.json', '"hello"', [/array|list|records/i]),
  ds('json-array-of-numbers', 'nums.json', '[1,2,3]', [/record|object|row 1|item/i]),
  ds('json-array-of-arrays', 'arrs.json', JSON.stringify(rows.map((r) => Object.values(r))), [/record|object|row 1|item/i]),
  ds('jsonl-line-is-array', 'linearr.jsonl', `${JSONL}[1,2]\n`, [/line 41/]),
  ds('jsonl-line-is-number', 'linenum.jsonl', `${JSONL}7\n`, [/line 41/]),
  ds('jsonl-line-is-null', 'linenull.jsonl', `${JSONL}null\n`, [/line 41/]),
  ds('jsonl-line-is-string', 'linestr.jsonl', `${JSONL}"text"\n`, [/line 41/]),

  // --- broken JSON / JSONL
  ds('json-truncated', 'cut.json', JSON.stringify(rows).slice(0, 700), [/line 1|position|column|end/i]),
  ds('json-truncated-multiline', 'cut2.json', JSON.stringify(rows, null, 2).slice(0, 1500), [/line \d+/]),
  ds('jsonl-truncated-last-line', 'cut.jsonl', JSONL.slice(0, JSONL.length - 20), [/line 40/]),
  ds('jsonl-trailing-comma', 'comma.jsonl', JSONL.replace('"correct":1,', '"correct":1,,'), [/line 2/]),
  ds('jsonl-single-quotes', 'py.jsonl', `${JSONL}{'question': 'q', 'model_answer': 'a', 'correct': 1}\n`, [/line 41/]),
  ds('jsonl-nan-literal', 'nan.jsonl', `${JSONL}{"question":"q","model_answer":"a","correct":NaN}\n`, [/line 41/]),
  ds('jsonl-infinity-literal', 'inf.jsonl', `${JSONL}{"question":"q","model_answer":"a","correct":Infinity}\n`, [/line 41/]),
  ds('jsonl-comment-line', 'comment.jsonl', `// rows\n${JSONL}`, [/line 1/]),
  ds('json-with-comments', 'comments.json', `[\n// first\n${JSON.stringify(rows).slice(1)}`, [/line 2/]),
  ds('json-trailing-garbage', 'tail.json', `${JSON.stringify(rows)}\n}}`, [/line 2/]),
  ds('jsonl-two-objects-one-line', 'two.jsonl', JSONL.replace('}\n{', '}{'), [/line 1/]),
  ds('jsonl-unterminated-string', 'unterminated.jsonl', `${JSONL}{"question":"q\n`, [/line 41/]),
  ds('json-deep-nesting', 'deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`, [/line 1/, /nested/]),
  // Without an exact answer the row is dropped first (the reference's order) and named; with one, the array is refused.
  ds('jsonl-deep-nesting-in-field', 'deepfield.jsonl', `${JSONL}{"question":${'['.repeat(600)}${']'.repeat(600)},"model_answer":"a","correct":1}\n`, [/row 40 \(line 41\): invalid exact answer/], { expect: 'accepted' }),
  ds('jsonl-deep-nesting-in-question', 'deepq.jsonl', `${JSONL}{"question":${'['.repeat(600)}${']'.repeat(600)},"model_answer":"a","correct":1,"exact_answer":"a"}\n`, [/line 41/, /question/, /expected text/]),
  ds('jsonl-array-on-one-line', 'array.jsonl', JSON.stringify(rows), [/line 1/]),
  ds('jsonl-holds-csv', 'csvinside.jsonl', CSV, [/line 1/]),
  ds('csv-holds-jsonl', 'jsonlinside.csv', JSONL, [/column|question|header/i]),
  ds('json-duplicate-keys', 'dupkeys.jsonl', jsonl(rows).replace(/"correct":(\d)/g, '"correct":$1,"correct":$1'), [], { expect: 'accepted' }),

  // --- wrong types per column
  ...typeCases(),

  // --- missing, duplicate, odd columns (CSV)
  ds('missing-prompt-column', 'noprompt.csv', csv(rows.map(({ question: _q, ...r }) => r)), [/question|prompt/i]),
  ds('missing-answer-column', 'noanswer.csv', csv(rows.map(({ model_answer: _a, ...r }) => r)), [/answer/i]),
  ds('missing-correct-column', 'nocorrect.csv', csv(rows.map(({ correct: _c, ...r }) => r)), [/correct/i]),
  ds('no-known-columns', 'other.csv', csv(rows.map((r) => ({ a: r.question, b: r.model_answer, c: r.correct }))), [/column/i]),
  ds('duplicate-column-csv', 'dup.csv', `${HEADER},question\n${csvLines.slice(1).map((l) => `${l},other`).join('\n')}\n`, [/question/, /twice|duplicate|more than once/i]),
  ds('duplicate-column-case-csv', 'dupcase.csv', `${HEADER},Question\n${csvLines.slice(1).map((l) => `${l},other`).join('\n')}\n`, [], { expect: 'accepted' }),
  ds('empty-column-name-csv', 'emptyname.csv', `${HEADER},\n${csvLines.slice(1).map((l) => `${l},x`).join('\n')}\n`, [], { expect: 'accepted' }),
  ds('row-more-fields-csv', 'more.csv', `${CSV}q,a,1,a,extra,extra2\n`, [/row 40 \(line 122\)/]),
  ds('row-fewer-fields-csv', 'fewer.csv', `${CSV}q,a\n`, [/row 40 \(line 122\)/, /2 fields, the header has 4/]),
  ds('unclosed-quote-csv', 'quote.csv', `${CSV}"open,a,1,a\n`, [/line 122/, /quote/i]),
  ds('quote-inside-field-csv', 'midquote.csv', `${CSV}ab"c,a,1,a\n`, [], { expect: 'accepted' }),
  ds('semicolon-csv', 'semi.csv', CSV.replace(/,/g, ';'), [/;|semicolon/]),
  ds('tab-csv', 'tab.csv', CSV.replace(/,/g, '\t'), [/tab/i]),
  ds('pipe-csv', 'pipe.csv', CSV.replace(/,/g, '|'), [/line 121/]),
  ds('header-spaces-csv', 'spaces.csv', CSV.replace(HEADER, 'question , model_answer , correct , exact_answer'), [], { expect: 'accepted' }),

  // --- line endings
  ds('crlf-csv', 'crlf.csv', csv(rows as unknown as Record<string, unknown>[], '\r\n'), [], { expect: 'accepted' }),
  ds('crlf-jsonl', 'crlf.jsonl', JSONL.replace(/\n/g, '\r\n'), [], { expect: 'accepted' }),
  ds('cr-only-csv', 'cr.csv', CSV.replace(/\n/g, '\r'), [], { expect: 'accepted' }),
  ds('mixed-eol-csv', 'mixed.csv', csvLines.map((l, i) => l + ['\n', '\r\n', '\r'][i % 3]).join(''), [], { expect: 'accepted' }),
  ds('mixed-eol-jsonl', 'mixed.jsonl', rows.map((r, i) => JSON.stringify(r) + ['\n', '\r\n'][i % 2]).join(''), [], { expect: 'accepted' }),
  ds('no-final-newline-jsonl', 'nofinal.jsonl', JSONL.trimEnd(), [], { expect: 'accepted' }),
  ds('embedded-newlines-csv', 'embedded.csv', csv(withRows((r) => ({ ...r, question: `${String(r.question)}\r\nmore` })) as unknown as Record<string, unknown>[]), [], { expect: 'accepted' }),

  // --- too few rows, classes, splits
  ds('one-row', 'one.jsonl', jsonl(rows.slice(0, 1)), [/row/i]),
  ds('three-rows', 'three.jsonl', jsonl(rows.slice(0, 3)), [/row/i]),
  ds('single-class-correct', 'allone.jsonl', jsonl(withRows((r) => ({ ...r, correct: 1 }))), [/class|both|correct/i]),
  ds('single-class-wrong', 'allzero.jsonl', jsonl(withRows((r) => ({ ...r, correct: 0 }))), [/class|both|correct/i]),
  ds('split-only-train', 'train.jsonl', jsonl(withRows((r) => ({ ...r, split: 'train' }))), [/split|test/i]),
  ds('split-bad-value', 'splitbad.jsonl', jsonl(withRows((r, i) => ({ ...r, split: i === 5 ? 'validation' : i % 5 ? 'train' : 'test' }))), [/split "validation" read as test in 1 row: row 5 \(line 6\)/], { expect: 'accepted' }),

  // --- sizes
  ds('huge-prompt-10mb', 'huge.jsonl', jsonl([...rows, { question: 'x '.repeat(5_000_000), model_answer: ' yes\n', correct: 1, exact_answer: 'yes' }]), [/row 40/], { expect: 'accepted' }),
  ds('huge-answer-field-csv', 'hugeanswer.csv', `${CSV}q,"${'word '.repeat(2_000_000)}",1,word\n`, [/row 40/], { expect: 'accepted' }),
  ds('very-long-header-line', 'longline.csv', 'a'.repeat(20_000_000), [/line 1: the first line is longer than 1 MiB without a line break/]),
  ds('very-long-jsonl-line-no-newline', 'longline.jsonl', `{"question":"${'y'.repeat(20_000_000)}`, [/line 1/]),
  ds('sparse-1gb-csv', 'sparse.csv', (dir) => { fs.writeFileSync(path.join(dir, 'sparse.csv'), ''); fs.truncateSync(path.join(dir, 'sparse.csv'), 1024 ** 3); }, [], { timeoutS: 60 }),
  ds('sparse-1gb-after-header', 'sparsehdr.csv', (dir) => { const f = path.join(dir, 'sparsehdr.csv'); fs.writeFileSync(f, CSV); fs.truncateSync(f, 1024 ** 3); }, [/line 122/, /NUL/]),
  ds('sparse-3gb-over-limit', 'big.jsonl', (dir) => { fs.writeFileSync(path.join(dir, 'big.jsonl'), ''); fs.truncateSync(path.join(dir, 'big.jsonl'), 3 * 1024 ** 3); }, [/3\.0 GiB|3,?072\.0 MiB|limit/]),
  ds('sparse-over-small-limit', 'limit.csv', (dir) => { const f = path.join(dir, 'limit.csv'); fs.writeFileSync(f, CSV); fs.truncateSync(f, 3 * 1024 * 1024); }, [/limit of 2\.0 MiB/], { extra: ['--max-dataset-mb', '2'] }),
  ds('sparse-600mb-json', 'big.json', (dir) => { fs.writeFileSync(path.join(dir, 'big.json'), ''); fs.truncateSync(path.join(dir, 'big.json'), 600 * 1024 ** 2); }, [/512\.0 MiB/]),
  ds('many-empty-objects', 'manyempty.jsonl', '{}\n'.repeat(300_000), [/column/i]),
  ds('all-rows-too-long', 'long.jsonl', jsonl(withRows((r) => ({ ...r, question: `${'word '.repeat(200)}${String(r.question)}` }))), [/too long|position/i], { model: fixtureToyFacts }),
  ds('some-rows-too-long', 'somelong.jsonl', jsonl(withRows((r, i) => ({ ...r, question: i < 3 ? `${'word '.repeat(200)}${String(r.question)}` : r.question }))), [/row 0\b/, /row 2\b/], { model: fixtureToyFacts, expect: 'accepted' }),
];

function utf32(text: string, little: boolean): Buffer {
  const cps = [...text].map((c) => c.codePointAt(0) ?? 0);
  const b = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (little ? b.writeUInt32LE(cp, i * 4) : b.writeUInt32BE(cp, i * 4)));
  return b;
}

/** A wrong value in one row (row 6, line 6 of the JSONL file; line 7 of the CSV) for each column. */
function typeCases(): BadCase[] {
  const at6 = (key: keyof Row, value: unknown): Row[] => withRows((r, i) => (i === 5 ? { ...r, [key]: value } : r));
  const where = /row 5 \(line 6\)/;
  // Each CSV record spans three lines (quoted multi-line prompts and answers): row 5 starts at line 17.
  const whereCsv = /row 5 \(line 17\)/;
  const out: BadCase[] = [];
  const bad: [string, keyof Row, unknown][] = [
    ['correct-yes-string', 'correct', 'yes'], ['correct-two', 'correct', 2], ['correct-null', 'correct', null], ['correct-minus-one', 'correct', -1],
    ['correct-half', 'correct', 0.5], ['correct-object', 'correct', { v: 1 }], ['correct-array', 'correct', [1]], ['correct-nan-string', 'correct', 'NaN'],
    ['question-number', 'question', 42], ['question-null', 'question', null], ['question-object', 'question', { text: 'q' }], ['question-empty', 'question', ''],
    ['answer-null', 'model_answer', null], ['answer-array', 'model_answer', ['a']], ['exact-answer-number', 'exact_answer', 7],
  ];
  // A number where text is expected is read as its text, as a CSV cell would be (README table).
  const asText = new Set(['question-number', 'exact-answer-number']);
  for (const [name, key, value] of bad) out.push(ds(`jsonl-${name}`, `${name}.jsonl`, jsonl(at6(key, value)), asText.has(name) ? [] : [where], asText.has(name) ? { expect: 'accepted' } : {}));
  const badCsv: [string, keyof Row, string][] = [['correct-yes', 'correct', 'yes'], ['correct-two', 'correct', '2'], ['correct-empty', 'correct', ''], ['correct-nan', 'correct', 'NaN'], ['question-empty', 'question', '']];
  for (const [name, key, value] of badCsv) out.push(ds(`csv-${name}`, `${name}.csv`, csv(at6(key, value) as unknown as Record<string, unknown>[]), [whereCsv]));
  // Spellings of a boolean that are not ambiguous are read as such (README table).
  out.push(ds('jsonl-correct-booleans', 'bool.jsonl', jsonl(withRows((r, i) => ({ ...r, correct: i % 2 === 1 }))), [], { expect: 'accepted' }));
  out.push(ds('csv-correct-true-false', 'bool.csv', csv(withRows((r, i) => ({ ...r, correct: i % 2 ? 'True' : 'False' })) as unknown as Record<string, unknown>[]), [], { expect: 'accepted' }));
  out.push(ds('jsonl-exact-answer-not-in-answer', 'notin.jsonl', jsonl(at6('exact_answer', 'elsewhere')), [where], { expect: 'accepted' }));
  return out;
}
