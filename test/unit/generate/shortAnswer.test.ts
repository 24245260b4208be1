import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { shortAnswerOf } from '../../../src/core/generate/shortAnswer';

describe('shortAnswerOf: exact answer of an incorrect row (first-line rule, no LLM extractor)', () => {
  it('keeps the first line, less trailing end tokens and full stops', () => {
    assert.equal(shortAnswerOf('Koukstoum\n', ['</s>']), 'Koukstoum');
    assert.equal(shortAnswerOf(' Paris.</s>', ['</s>']), 'Paris');
    assert.equal(shortAnswerOf('Lyon.\nQ: next question', ['</s>']), 'Lyon');
    assert.equal(shortAnswerOf('Lyon</s>.</s>', ['</s>']), 'Lyon');
  });

  it('keeps inner full stops (initials, abbreviations)', () => {
    assert.equal(shortAnswerOf('J. R. R. Tolkien\n', []), 'J. R. R. Tolkien');
  });

  it('is empty for an answer that is only a stop token', () => {
    assert.equal(shortAnswerOf('\n', []), '');
    assert.equal(shortAnswerOf('</s>', ['</s>']), '');
  });
});
