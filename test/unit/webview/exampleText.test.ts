import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { answerParts, exampleSegments, visiblePiece } from '../../../webview/exampleText';

const pieces = ['<s>', 'Q', '?', ' Paris', '.', '</s>'];

describe('exampleSegments', () => {
  it('splits prompt and answer at qLength and isolates the probed token', () => {
    assert.deepEqual(exampleSegments({ pieces, qLength: 3, probedIndex: 3 }), [
      { kind: 'text', part: 'prompt', text: '<s>Q?', probed: false },
      { kind: 'boundary' },
      { kind: 'text', part: 'answer', text: ' Paris', probed: true },
      { kind: 'text', part: 'answer', text: '.</s>', probed: false },
    ]);
  });

  it('highlights a probed token inside the prompt', () => {
    assert.deepEqual(exampleSegments({ pieces, qLength: 3, probedIndex: 2 }), [
      { kind: 'text', part: 'prompt', text: '<s>Q', probed: false },
      { kind: 'text', part: 'prompt', text: '?', probed: true },
      { kind: 'boundary' },
      { kind: 'text', part: 'answer', text: ' Paris.</s>', probed: false },
    ]);
  });

  it('concatenates back to the full text', () => {
    const text = exampleSegments({ pieces, qLength: 3, probedIndex: 5 })
      .map((s) => (s.kind === 'text' ? s.text : ''))
      .join('');
    assert.equal(text, pieces.join(''));
  });

  it('elides the start of a long prompt but keeps the tail and the probed token', () => {
    const long = Array.from({ length: 100 }, (_, i) => `p${i} `).concat(['A', 'B']);
    const tail = exampleSegments({ pieces: long, qLength: 100, probedIndex: 101 }, { promptTail: 10 });
    assert.deepEqual(tail[0], { kind: 'elision', hiddenPieces: 90 });
    assert.ok(tail[1]?.kind === 'text' && tail[1].text.startsWith('p90 '));

    const early = exampleSegments({ pieces: long, qLength: 100, probedIndex: 40 }, { promptTail: 10, probedContext: 4 });
    assert.deepEqual(early[0], { kind: 'elision', hiddenPieces: 36 });
    assert.ok(early.some((s) => s.kind === 'text' && s.probed && s.text === 'p40 '));
  });

  it('marks nothing when the probed index lies outside the sequence', () => {
    const segments = exampleSegments({ pieces, qLength: 3, probedIndex: 6 });
    assert.ok(segments.every((s) => s.kind !== 'text' || !s.probed));
  });
});

describe('visiblePiece', () => {
  it('makes whitespace-only and empty pieces visible and leaves others alone', () => {
    assert.equal(visiblePiece(' Paris'), ' Paris');
    assert.equal(visiblePiece('\n'), '↵\n');
    assert.equal(visiblePiece('  '), '··');
    assert.equal(visiblePiece(''), '∅');
  });
});

describe('answerParts', () => {
  it('finds the exact answer in the model answer case-insensitively, keeping the answer\'s own case', () => {
    assert.deepEqual(answerParts('The capital is PARIS, France.', ' paris '), { found: true, before: 'The capital is ', exact: 'PARIS', after: ', France.' });
  });

  it('takes the first occurrence and treats the exact answer as text, not a pattern', () => {
    assert.deepEqual(answerParts('a+b? then a+b?', 'a+b?'), { found: true, before: '', exact: 'a+b?', after: ' then a+b?' });
    assert.deepEqual(answerParts('x (1/2) [y]', '(1/2) [y]'), { found: true, before: 'x ', exact: '(1/2) [y]', after: '' });
  });

  it('keeps indices right for letters whose lower case is longer', () => {
    assert.deepEqual(answerParts('İstanbul or Ankara', 'ankara'), { found: true, before: 'İstanbul or ', exact: 'Ankara', after: '' });
  });

  it('marks nothing when the exact answer is absent, blank or not in the answer', () => {
    assert.deepEqual(answerParts('Rome.', undefined), { found: false, text: 'Rome.' });
    assert.deepEqual(answerParts('Rome.', '  '), { found: false, text: 'Rome.' });
    assert.deepEqual(answerParts('Rome.', 'Paris'), { found: false, text: 'Rome.' });
  });
});
