import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Tokenizer } from '@huggingface/tokenizers';

import { buildDemoDataset, DEFAULT_DEMO_DATASET_ROWS, demoDatasetToJsonl } from '../../../src/demo/demoDataset';
import { DEMO_ANSWER_WORDS } from '../../../src/demo/demoText';
import { buildDemoTokenizer } from '../../../src/demo/demoTokenizer';

const files = buildDemoTokenizer();
const tokenizer = new Tokenizer(files.tokenizer, files.tokenizerConfig);
const rows = buildDemoDataset();
const wordOf = (text: string) => DEMO_ANSWER_WORDS.find((w) => w.text === text)!;

/** The reference's decode-and-shrink span search (get_indices_of_exact_answer), on the answer tokens. */
function exactAnswerSpan(ids: number[], qLength: number, exactAnswer: string): [number, number] {
  // Python decodes an empty slice to ''; @huggingface/tokenizers throws on an empty array.
  const decode = (from: number, to: number): string => (to < from ? '' : tokenizer.decode(ids.slice(from, to + 1)));
  const text = decode(qLength, ids.length - 1);
  const idx = text.toLowerCase().indexOf(exactAnswer.toLowerCase().trim());
  assert.ok(idx >= 0, `"${exactAnswer}" not in "${text}"`);
  const trueAnswer = text.slice(idx, idx + exactAnswer.length);
  let lower = qLength;
  let higher = ids.length - 1;
  while (decode(lower, higher).includes(trueAnswer)) higher--;
  higher++;
  while (decode(lower, higher).includes(trueAnswer)) lower++;
  lower--;
  return [lower, higher];
}

describe('demo dataset', () => {
  it('has the reference answer-file columns and exactly balanced classes', () => {
    assert.equal(rows.length, DEFAULT_DEMO_DATASET_ROWS);
    assert.equal(rows.filter((r) => r.correct === 1).length, rows.length / 2);
    for (const r of rows) {
      assert.deepEqual(Object.keys(r), ['question', 'model_answer', 'correct', 'exact_answer']);
      assert.match(r.question, /^Q: (What colour is the \w+ #\d+\?|Which colour does the \w+ #\d+ have\?)\nA:$/);
      assert.equal(r.model_answer, ` The answer is ${r.exact_answer}.\n`);
    }
  });

  it('decides correctness by the answer word alone, with 1- and 2-token words in both classes', () => {
    const seen = new Set<string>();
    for (const r of rows) {
      const word = wordOf(r.exact_answer);
      assert.equal(r.correct, word.correct);
      seen.add(`${word.correct}:${word.pieces.length}`);
    }
    assert.deepEqual([...seen].sort(), ['0:1', '0:2', '1:1', '1:2']);
    // The question varies but carries no label: each object and template appears in both classes.
    for (const obj of ['item', 'kite']) {
      for (const label of [0, 1]) assert.ok(rows.some((r) => r.correct === label && r.question.includes(` ${obj} #`)));
    }
  });

  it('puts the exact answer, found as the reference finds it, on the answer word tokens after "The answer is"', () => {
    for (const r of rows.slice(0, 200)) {
      const prompt = tokenizer.encode(r.question).ids;
      const ids = [...prompt, ...tokenizer.encode(r.model_answer, { add_special_tokens: false }).ids];
      const q = prompt.length;
      const pieces = wordOf(r.exact_answer).pieces.length;
      assert.deepEqual(exactAnswerSpan(ids, q, r.exact_answer), [q + 3, q + 2 + pieces], r.exact_answer);
      assert.equal(tokenizer.decode(ids.slice(q, q + 3)), ' The answer is'); // first/second answer precede it
      assert.equal(ids.length, q + 3 + pieces + 2); // then "." and the newline
    }
  });

  it('is deterministic in its seed and writes one JSON object per line', () => {
    assert.equal(demoDatasetToJsonl(buildDemoDataset()), demoDatasetToJsonl(rows));
    assert.notDeepEqual(buildDemoDataset({ seed: 8, numRows: 50 }), buildDemoDataset({ numRows: 50 }));
    const lines = demoDatasetToJsonl(rows.slice(0, 3)).split('\n');
    assert.equal(lines.length, 4);
    assert.equal(lines[3], '');
    assert.deepEqual(JSON.parse(lines[0]), rows[0]);
  });
});
