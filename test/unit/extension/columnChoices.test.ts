import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ColumnDetection } from '../../../src/contract/columns';
import { candidateItems, choiceKey, describeChoice, rememberedChoice, withChoice } from '../../../src/extension/columnChoices';

const COLUMNS = ['prompt', 'question', 'answer', 'response', 'correct'];
const DETECTION: ColumnDetection = {
  mapping: { correct: 'correct' },
  ambiguous: [
    { role: 'prompt', candidates: ['prompt', 'question'] },
    { role: 'answer', candidates: ['answer', 'response'] },
  ],
  missing: [],
  samples: { prompt: ['"Q: Paris?\\nA:"', '"Q: Rome?\\nA:"', '"Q: Oslo?\\nA:"'], question: ['"Paris?"', '"Rome?"', '"Oslo?"'], answer: ['" yes"'], response: [] },
};

describe('remembered column choices', () => {
  it('the quick pick shows each candidate with its first values as the detail', () => {
    assert.deepEqual(candidateItems(DETECTION, 'prompt'), [
      { label: 'prompt', detail: '"Q: Paris?\\nA:"  ·  "Q: Rome?\\nA:"  ·  "Q: Oslo?\\nA:"' },
      { label: 'question', detail: '"Paris?"  ·  "Rome?"  ·  "Oslo?"' },
    ]);
    // No values (an empty file, an older worker): the label alone.
    assert.deepEqual(candidateItems(DETECTION, 'answer'), [{ label: 'answer', detail: '" yes"' }, { label: 'response' }]);
    assert.deepEqual(candidateItems({ ...DETECTION, samples: undefined }, 'prompt'), [{ label: 'prompt' }, { label: 'question' }]);
  });

  it('a choice is used again for the same file with the same columns', () => {
    const stored = withChoice(undefined, '/data/a.jsonl', COLUMNS, { prompt: 'question', answer: 'response' });
    assert.deepEqual(rememberedChoice(stored, '/data/a.jsonl', COLUMNS, DETECTION), { prompt: 'question', answer: 'response' });
    assert.equal(describeChoice({ prompt: 'question', answer: 'response' }), 'prompt = question, answer = response');
    // Only the roles asked now are answered from it.
    assert.deepEqual(rememberedChoice(stored, '/data/a.jsonl', COLUMNS, { ...DETECTION, ambiguous: DETECTION.ambiguous.slice(1) }), { answer: 'response' });
  });

  it('another file, or the same file with other columns, is asked again', () => {
    const stored = withChoice(undefined, '/data/a.jsonl', COLUMNS, { prompt: 'question', answer: 'response' });
    assert.equal(rememberedChoice(stored, '/data/b.jsonl', COLUMNS, DETECTION), undefined);
    assert.equal(rememberedChoice(stored, '/data/a.jsonl', [...COLUMNS, 'split'], DETECTION), undefined);
    assert.equal(rememberedChoice(stored, '/data/a.jsonl', ['question', 'prompt', 'answer', 'response', 'correct'], DETECTION), undefined, 'columns in another order');
    assert.equal(rememberedChoice(undefined, '/data/a.jsonl', COLUMNS, DETECTION), undefined);
    assert.notEqual(choiceKey('/data/a.jsonl', ['a,b']), choiceKey('/data/a.jsonl', ['a', 'b']));
  });

  it('a remembered choice missing a role now ambiguous, or naming a column no longer a candidate, is not used', () => {
    const partial = withChoice(undefined, '/data/a.jsonl', COLUMNS, { prompt: 'question' });
    assert.equal(rememberedChoice(partial, '/data/a.jsonl', COLUMNS, DETECTION), undefined);
    const stale = withChoice(undefined, '/data/a.jsonl', COLUMNS, { prompt: 'correct', answer: 'response' });
    assert.equal(rememberedChoice(stale, '/data/a.jsonl', COLUMNS, DETECTION), undefined);
  });

  it('a later choice adds to the file\'s entry and leaves other files alone', () => {
    let stored = withChoice(undefined, '/data/a.jsonl', COLUMNS, { prompt: 'question' });
    stored = withChoice(stored, '/data/b.jsonl', COLUMNS, { prompt: 'prompt', answer: 'answer' });
    stored = withChoice(stored, '/data/a.jsonl', COLUMNS, { answer: 'response' });
    assert.deepEqual(rememberedChoice(stored, '/data/a.jsonl', COLUMNS, DETECTION), { prompt: 'question', answer: 'response' });
    assert.deepEqual(rememberedChoice(stored, '/data/b.jsonl', COLUMNS, DETECTION), { prompt: 'prompt', answer: 'answer' });
  });
});
