import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { TOKEN_POSITIONS, type TokenPositionName } from '../../../src/contract/types';
import { ExactAnswerNotFoundError } from '../../../src/core/tokenize/exactSpan';
import { PositionError, prepareSequence, tokenPositions } from '../../../src/core/tokenize/positions';
import { FOUNDER_PROMPT, gpt2, llama, row } from './fixtureTokenizers';

const named = (positions: number[]): Record<TokenPositionName, number> =>
  Object.fromEntries(TOKEN_POSITIONS.map((name, i) => [name, positions[i]])) as Record<TokenPositionName, number>;

describe('prepareSequence: a planted answer, each of the 15 positions on its token', () => {
  // <s> ▁Q : ▁Who ▁founded ▁Ba ith gra in ? \n A : | ▁It ▁was [▁N outh d il ▁Z aka] \n
  //  0  1  2   3     4       5   6   7  8  9 10 11 12 | 13  14   15  16  17 18 19  20  21
  const prepared = prepareSequence(llama, row(FOUNDER_PROMPT, ' It was Nouthdil Zaka\n', { exactAnswer: 'Nouthdil Zaka' }));
  const pieces = llama.pieces(prepared.ids);
  const at = named(prepared.positions);

  it('builds the sequence and finds the span', () => {
    assert.equal(prepared.rowIndex, 3);
    assert.equal(prepared.qLength, 13);
    assert.equal(prepared.ids.length, 22);
    assert.deepEqual(prepared.exactSpan, [15, 20]);
    assert.deepEqual(prepared.positions, [12, 13, 14, 14, 15, 20, 21, 14, 15, 16, 17, 18, 19, 20, 21]);
  });

  it('lands on the expected tokens', () => {
    const expected: Record<TokenPositionName, [id: number, piece: string]> = {
      last_q: [29901, ':'],
      first_answer: [739, ' It'],
      second_answer: [471, ' was'],
      exact_answer_before_first: [471, ' was'],
      exact_answer_first: [405, ' N'],
      exact_answer_last: [8245, 'aka'],
      exact_answer_after_last: [13, '\n'],
      '-8': [471, ' was'],
      '-7': [405, ' N'],
      '-6': [2438, 'outh'],
      '-5': [29881, 'd'],
      '-4': [309, 'il'],
      '-3': [796, ' Z'],
      '-2': [8245, 'aka'],
      '-1': [13, '\n'],
    };
    for (const name of TOKEN_POSITIONS) {
      assert.deepEqual([prepared.ids[at[name]], pieces[at[name]]], expected[name], name);
    }
  });

  it('is the same arithmetic on GPT-2 tokens', () => {
    // Q : ▁Who ▁founded ▁B aith grain ? \n A : | ▁It ▁was [▁N outh d il ▁Z aka] \n
    const gpt2Prepared = prepareSequence(gpt2, row(FOUNDER_PROMPT, ' It was Nouthdil Zaka\n', { exactAnswer: 'Nouthdil Zaka' }));
    assert.equal(gpt2Prepared.qLength, 11);
    assert.deepEqual(gpt2Prepared.positions, [10, 11, 12, 12, 13, 18, 19, 12, 13, 14, 15, 16, 17, 18, 19]);
    assert.deepEqual(
      gpt2Prepared.positions.map((p) => gpt2Prepared.ids[p]),
      [25, 632, 373, 373, 399, 8130, 198, 373, 399, 1536, 67, 346, 1168, 8130, 198],
    );
  });
});

describe('prepareSequence: clamping', () => {
  it('an answer ending the sequence (input_output_ids without a stop token): after_last == last == L-1', () => {
    const ids = [...llama.encode(FOUNDER_PROMPT, { addSpecialTokens: true }), 739, 471, 405, 2438, 29881, 309, 796, 8245];
    const prepared = prepareSequence(llama, row(FOUNDER_PROMPT, '', { inputOutputIds: ids, exactAnswer: 'Nouthdil Zaka' }));
    assert.deepEqual(prepared.exactSpan, [15, 20]);
    const at = named(prepared.positions);
    assert.equal(at.exact_answer_last, 20);
    assert.equal(at.exact_answer_after_last, 20);
    assert.equal(at['-1'], 20);
    assert.equal(prepared.ids.length, 21);
  });

  it('an answer right after the prompt: before_first == last_q', () => {
    const prepared = prepareSequence(llama, row(FOUNDER_PROMPT, ' It was Nouthdil Zaka\n', { exactAnswer: 'it' }));
    const at = named(prepared.positions);
    assert.deepEqual(prepared.exactSpan, [13, 13]);
    assert.equal(at.exact_answer_before_first, 12);
    assert.equal(at.exact_answer_before_first, at.last_q);
    assert.equal(at.exact_answer_first, at.first_answer);
  });

  it('no exact answer: every exact_* position falls back to last_q', () => {
    const prepared = prepareSequence(llama, row(FOUNDER_PROMPT, ' It was Nouthdil Zaka\n'));
    assert.equal(prepared.exactSpan, undefined);
    assert.deepEqual(prepared.positions.slice(0, 7), [12, 13, 14, 12, 12, 12, 12]);
  });

  it('a one-token answer (no stop token) has no second_answer: PositionError naming the row', () => {
    const ids = [...llama.encode(FOUNDER_PROMPT, { addSpecialTokens: true }), 739];
    assert.throws(
      () => prepareSequence(llama, row(FOUNDER_PROMPT, '', { inputOutputIds: ids })),
      (err: unknown) =>
        err instanceof PositionError &&
        err.position === 'second_answer' &&
        err.message === 'row 3 (line 5): position second_answer = 14 is outside the 14-token sequence (13 prompt + 1 answer tokens)',
    );
  });

  it('an exact answer missing from the answer is an ExactAnswerNotFoundError', () => {
    assert.throws(
      () => prepareSequence(llama, row(FOUNDER_PROMPT, ' It was Nouthdil Zaka\n', { exactAnswer: 'Baithgrain' })),
      ExactAnswerNotFoundError,
    );
  });
});

describe('tokenPositions arithmetic', () => {
  it('follows the reference formulas', () => {
    // L = 20, q = 10, span [12, 14]
    assert.deepEqual(tokenPositions(20, 10, [12, 14]), [9, 10, 11, 11, 12, 14, 15, 12, 13, 14, 15, 16, 17, 18, 19]);
  });

  it('clamps exact_answer_last and after_last to L-1 only', () => {
    assert.deepEqual(named(tokenPositions(20, 10, [18, 19])), {
      ...named(tokenPositions(20, 10, undefined)),
      exact_answer_before_first: 17,
      exact_answer_first: 18,
      exact_answer_last: 19,
      exact_answer_after_last: 19,
    });
  });

  it('negative positions reach back into the prompt on short answers', () => {
    const at = named(tokenPositions(12, 10, [10, 10]));
    assert.equal(at['-8'], 4);
    assert.equal(at['-1'], 11);
  });

  it('throws PositionError where the reference would raise IndexError', () => {
    const fails = (seqLen: number, qLength: number, position: TokenPositionName): void =>
      assert.throws(() => tokenPositions(seqLen, qLength, undefined), (err: unknown) => err instanceof PositionError && err.position === position);
    fails(11, 10, 'second_answer'); // second_answer = 11 = L
    fails(10, 10, 'first_answer'); // no answer token at all
    fails(7, 3, '-8'); // L < 8
    fails(10, 0, 'last_q'); // empty prompt: -1 would silently wrap to the last token
    assert.deepEqual(tokenPositions(8, 3, undefined).slice(7), [0, 1, 2, 3, 4, 5, 6, 7]); // L = 8 is enough
  });

  it('rejects a span outside the answer', () => {
    assert.throws(() => tokenPositions(20, 10, [9, 12]), RangeError);
    assert.throws(() => tokenPositions(20, 10, [12, 20]), RangeError);
    assert.throws(() => tokenPositions(20, 10, [13, 12]), RangeError);
  });
});
