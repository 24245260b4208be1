import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { ExactAnswerNotFoundError, type ExactSpan, findExactAnswerSpan } from '../../../src/core/tokenize/exactSpan';
import { loadModelTokenizer, type ModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { buildSequence } from '../../../src/core/tokenize/sequence';
import { fixtureModel } from '../../helpers/fixtures';
import { CAPITAL_PROMPT, FOUNDER_PROMPT, gpt2, llama, row } from './fixtureTokenizers';

/** Span of `exact` in the sequence built for (prompt, answer), plus the tokens' display pieces. */
function spanOf(tok: ModelTokenizer, prompt: string, answer: string, exact: string): { span: ExactSpan; pieces: string[] } {
  const seq = buildSequence(tok, row(prompt, answer));
  return { span: findExactAnswerSpan(tok, seq.ids, seq.qLength, exact), pieces: tok.pieces(seq.ids) };
}

// Expected spans were derived from the tokens (shown in comments) and cross-checked against the
// reference algorithm run with the Rust `tokenizers` library.
describe('findExactAnswerSpan on GPT-2', () => {
  it('multi-token answer: first to last of its tokens (the stop token excluded)', () => {
    const { span, pieces } = spanOf(gpt2, CAPITAL_PROMPT, ' Tamrokkrar\n', 'Tamrokkrar');
    assert.deepEqual(span, [16, 19]);
    assert.deepEqual(pieces.slice(16), [' Tam', 'ro', 'kk', 'rar', '\n']);
  });

  it('case-insensitive match, span over the text as the model wrote it', () => {
    const { span, pieces } = spanOf(gpt2, CAPITAL_PROMPT, ' TAMROKKRAR\n', 'tamrokkrar');
    assert.deepEqual(span, [16, 20]);
    assert.deepEqual(pieces.slice(16, 21), [' TAM', 'R', 'OK', 'KR', 'AR']);
  });

  it('mid-word answer: only the tokens that hold it', () => {
    const { span, pieces } = spanOf(gpt2, CAPITAL_PROMPT, ' It is Tamrokkrarville.\n', 'krar');
    assert.deepEqual(span, [20, 21]);
    assert.deepEqual(pieces.slice(20, 22), ['kk', 'rar']);
  });

  it('first occurrence when the answer repeats', () => {
    const { span, pieces } = spanOf(gpt2, FOUNDER_PROMPT, ' Paris, or maybe Paris.\n', 'paris');
    assert.deepEqual(span, [11, 11]);
    assert.equal(pieces[15], ' Paris'); // the second occurrence, not chosen
  });

  it('answer at the very end, right before the appended stop token', () => {
    const { span, pieces } = spanOf(gpt2, FOUNDER_PROMPT, ' It was Nouthdil Zaka', 'Nouthdil Zaka');
    assert.deepEqual(span, [13, 18]);
    assert.deepEqual(pieces.slice(13), [' N', 'outh', 'd', 'il', ' Z', 'aka', '\n']);
  });

  it("reference quirk: true_ans takes the unstripped answer's length, so a leading space pulls in the newline", () => {
    // text = "Nouthdil Zaka\n"; find("nouthdil zaka") = 0; true_ans = text[0:14] = "Nouthdil Zaka\n".
    const { span, pieces } = spanOf(gpt2, 'Q: Who founded Baithgrain?\nA: ', 'Nouthdil Zaka\n', ' Nouthdil Zaka');
    assert.deepEqual(span, [12, 18]);
    assert.equal(pieces[18], '\n');
  });

  it('an exact answer that includes a special token matches the kept special token', () => {
    const { span } = spanOf(gpt2, 'Q: Where?\nA:', ' x<|endoftext|>', 'x<|endoftext|>');
    assert.deepEqual(span, [7, 8]);
  });
});

describe('findExactAnswerSpan on LLaMA', () => {
  it('multi-token answer', () => {
    const { span, pieces } = spanOf(llama, CAPITAL_PROMPT, ' Tamrokkrar\n', 'Tamrokkrar');
    assert.deepEqual(span, [17, 20]);
    assert.deepEqual(pieces.slice(17), [' Tam', 'ro', 'kk', 'rar', '\n']);
  });

  it('case-insensitive match', () => {
    const { span, pieces } = spanOf(llama, CAPITAL_PROMPT, ' TAMROKKRAR\n', 'tamrokkrar');
    assert.deepEqual(span, [17, 23]);
    assert.deepEqual(pieces.slice(17, 24), [' T', 'AM', 'RO', 'K', 'K', 'R', 'AR']);
  });

  it('mid-word answer', () => {
    const { span, pieces } = spanOf(llama, CAPITAL_PROMPT, ' It is Tamrokkrarville.\n', 'krar');
    assert.deepEqual(span, [21, 22]);
    assert.deepEqual(pieces.slice(21, 23), ['kk', 'rar']);
  });

  it('first occurrence', () => {
    const { span, pieces } = spanOf(llama, FOUNDER_PROMPT, ' Paris, or maybe Paris.\n', 'paris');
    assert.deepEqual(span, [13, 13]);
    assert.equal(pieces[17], ' Paris');
  });

  it('answer at the very end before the appended stop token', () => {
    const { span, pieces } = spanOf(llama, FOUNDER_PROMPT, ' It was Nouthdil Zaka', 'Nouthdil Zaka');
    assert.deepEqual(span, [15, 20]);
    assert.equal(pieces[21], '\n');
  });

  it("digits are single tokens; the lone '▁' before them is not part of the span", () => {
    const { span, pieces } = spanOf(llama, 'Q: In what year was Therrukchon founded?\nA:', ' 1267\n', '1267');
    assert.deepEqual(span, [18, 21]);
    assert.deepEqual(pieces.slice(17, 22), [' ', '1', '2', '6', '7']);
  });

  it('answer followed by a kept </s> (instruct stop): the EOS is part of the span only when the answer names it', () => {
    const instruct = loadModelTokenizer(fixtureModel('toy-facts-llama'), { kind: 'instruct' });
    assert.deepEqual(spanOf(instruct, CAPITAL_PROMPT, ' Tamrokkrar</s>', 'Tamrokkrar').span, [17, 20]);
    assert.deepEqual(spanOf(instruct, CAPITAL_PROMPT, ' Tamrokkrar</s>', 'Tamrokkrar</s>').span, [17, 21]);
  });

  it('byte-fallback characters: slices cut inside a character decode to U+FFFD per byte (Rust), not leniently', () => {
    // " 🙂🙂\n" = ▁ + 2 × (F0 9F 99 82) + \n. With the Rust decode, no slice ending inside the second
    // emoji contains "🙂", so the reference's span covers both emoji (a lenient decode would stop at 12).
    const { span, pieces } = spanOf(llama, 'Q: Where?\nA:', ' 🙂🙂\n', '🙂');
    assert.deepEqual(span, [9, 16]);
    assert.deepEqual(pieces.slice(8), [' ', '', '', '', '🙂', '', '', '', '🙂', '\n']);
  });
});

describe('findExactAnswerSpan errors', () => {
  it('not found: names the row and shows the answer and the decoded text', () => {
    const seq = buildSequence(llama, row(CAPITAL_PROMPT, ' Tamrokkrar\n'));
    assert.throws(
      () => findExactAnswerSpan(llama, seq.ids, seq.qLength, 'Zankrelro', { rowIndex: 3, line: 5 }),
      (err: unknown) =>
        err instanceof ExactAnswerNotFoundError &&
        err.message === 'row 3 (line 5): exact answer "Zankrelro" not found (case-insensitive) in the decoded answer tokens "Tamrokkrar\\n"',
    );
  });

  it('only the answer is searched, not the prompt', () => {
    const seq = buildSequence(llama, row(CAPITAL_PROMPT, ' Tamrokkrar\n'));
    assert.throws(() => findExactAnswerSpan(llama, seq.ids, seq.qLength, 'Zomtrinusia'), ExactAnswerNotFoundError);
  });
});
