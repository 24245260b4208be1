import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { firstLine, goldInAnswer, isCorrect, judgeAnswer, NO_ANSWER, shortAnswerOf } from '../../../src/core/generate/correctness';

const BASE = { firstLineOnly: true, endTokens: ['</s>'] };

describe('isCorrect: the reference QA rule (lowercase substring)', () => {
  it('matches any alias, case-insensitively, anywhere in the answer', () => {
    assert.equal(isCorrect('The capital is PARIS.\n', ['Paris']), true);
    assert.equal(isCorrect('Lutetia\n', ['Paris', 'lutetia']), true);
    assert.equal(isCorrect('Lyon\n', ['Paris', 'Lutetia']), false);
  });

  it('is as loose as the reference: a gold inside a longer word counts', () => {
    assert.equal(isCorrect('19\n', ['9']), true);
    assert.equal(isCorrect('Parisville\n', ['Paris']), true);
  });

  it('trims stray spaces around a gold (the movies rule)', () => {
    assert.equal(isCorrect('Tom Hanks\n', [' Tom Hanks ']), true);
  });
});

describe('goldInAnswer: exact answer of a correct row', () => {
  it("cuts the answer's own text at the gold's position, keeping the answer's casing", () => {
    assert.equal(goldInAnswer('It is tamrokkrar, I think', ['Tamrokkrar']), 'tamrokkrar');
  });

  it('takes the alias found earliest; on a tie, the first listed', () => {
    assert.equal(goldInAnswer('Paris, France', ['France', 'Paris']), 'Paris');
    assert.equal(goldInAnswer('Paris, France', ['Paris', 'Paris, France']), 'Paris');
    assert.equal(goldInAnswer('Paris, France', ['Paris, France', 'Paris']), 'Paris, France');
  });

  it('is undefined when no alias occurs', () => {
    assert.equal(goldInAnswer('Lyon', ['Paris']), undefined);
  });
});

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

describe('judgeAnswer', () => {
  it('correct row: label 1, exact answer from the gold, valid', () => {
    assert.deepEqual(judgeAnswer('Tamrokkrar\n', ['Tamrokkrar'], BASE), {
      correct: 1,
      exactAnswer: 'Tamrokkrar',
      validExactAnswer: 1,
    });
  });

  it('incorrect row: label 0, the first-line short answer, valid', () => {
    assert.deepEqual(judgeAnswer('Koukstoum\n', ['Nouthdil Zaka'], BASE), {
      correct: 0,
      exactAnswer: 'Koukstoum',
      validExactAnswer: 1,
    });
  });

  it('an empty answer has no exact answer: NO ANSWER, invalid (dropped before probing)', () => {
    assert.deepEqual(judgeAnswer('\n', ['Paris'], BASE), { correct: 0, exactAnswer: NO_ANSWER, validExactAnswer: 0 });
  });

  it('a gold found only after the first line: correct, exact answer taken from the whole answer', () => {
    const answer = 'I am not sure\nmaybe Paris\n';
    assert.deepEqual(judgeAnswer(answer, ['Paris'], BASE), { correct: 1, exactAnswer: 'Paris', validExactAnswer: 1 });
  });

  it('instruct models search the whole answer for the gold', () => {
    const judged = judgeAnswer('Let me think.\nThe answer is Paris.</s>', ['paris'], { firstLineOnly: false, endTokens: ['</s>'] });
    assert.deepEqual(judged, { correct: 1, exactAnswer: 'Paris', validExactAnswer: 1 });
  });

  it('firstLine stops at the first newline', () => {
    assert.equal(firstLine('a\nb\n'), 'a');
    assert.equal(firstLine('no newline'), 'no newline');
  });
});
