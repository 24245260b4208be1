import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';

import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { buildSequence, promptTokens, SequenceError } from '../../../src/core/tokenize/sequence';
import { fixtureModel } from '../../helpers/fixtures';
import { CAPITAL_PROMPT, gpt2, llama, row } from './fixtureTokenizers';

const GPT2_CAPITAL_PROMPT_IDS = [48, 25, 1867, 318, 262, 3139, 286, 1168, 296, 2213, 35237, 544, 30, 198, 32, 25];
const LLAMA_CAPITAL_PROMPT_IDS = [1, 660, 29901, 1724, 338, 278, 7483, 310, 796, 290, 509, 13419, 423, 29973, 13, 29909, 29901];

describe('buildSequence: text rows', () => {
  it('GPT-2: prompt tokens + the answer tokens of the joint tokenization; the trailing "\\n" is the stop token', () => {
    const seq = buildSequence(gpt2, row(CAPITAL_PROMPT, ' Tamrokkrar\n'));
    assert.deepEqual(seq, {
      ids: [...GPT2_CAPITAL_PROMPT_IDS, 11552, 305, 28747, 20040, 198], // ĠTam ro kk rar Ċ
      qLength: 16,
      answerTokens: 'joint',
      stopAppended: false,
    });
  });

  it('LLaMA: BOS counted in q_length; answer tokens without the dummy-prefix space of a separate encode', () => {
    const seq = buildSequence(llama, row(CAPITAL_PROMPT, ' Tamrokkrar\n'));
    assert.equal(seq.qLength, 17);
    assert.deepEqual(seq.ids, [...LLAMA_CAPITAL_PROMPT_IDS, 16939, 307, 6859, 13678, 13]); // ▁Tam ro kk rar <0x0A>
    assert.equal(seq.stopAppended, false);
    // Tokenized alone, the answer would start with an extra '▁' (29871): "▁▁Tam…".
    assert.deepEqual(llama.encode(' Tamrokkrar\n', { addSpecialTokens: false }), [29871, 16939, 307, 6859, 13678, 13]);
  });

  it('appends the stop token once when the answer does not end with it', () => {
    const gpt2Seq = buildSequence(gpt2, row(CAPITAL_PROMPT, ' Tamrokkrar'));
    assert.deepEqual(gpt2Seq.ids.slice(16), [11552, 305, 28747, 20040, 198]);
    assert.equal(gpt2Seq.stopAppended, true);
    const llamaSeq = buildSequence(llama, row(CAPITAL_PROMPT, ' Tamrokkrar'));
    assert.deepEqual(llamaSeq.ids.slice(17), [16939, 307, 6859, 13678, 13]);
    assert.equal(llamaSeq.stopAppended, true);
    // An empty answer still gets its stop token.
    assert.deepEqual(buildSequence(llama, row(CAPITAL_PROMPT, '')).ids.slice(17), [13]);
  });

  it('instruct models stop on EOS: "</s>" kept in the answer is not doubled, a missing one is added', () => {
    const instruct = loadModelTokenizer(fixtureModel('toy-facts-llama'), { kind: 'instruct' });
    const kept = buildSequence(instruct, row(CAPITAL_PROMPT, ' Tamrokkrar</s>'));
    assert.deepEqual(kept.ids.slice(17), [16939, 307, 6859, 13678, 2]);
    assert.equal(kept.stopAppended, false);
    const added = buildSequence(instruct, row(CAPITAL_PROMPT, ' Tamrokkrar'));
    assert.deepEqual(added.ids.slice(17), [16939, 307, 6859, 13678, 2]);
    assert.equal(added.stopAppended, true);
  });

  it("falls back to the answer tokenized after a newline when the prompt's last token merges with it", () => {
    // "A: " ends in a lone space token; prompt + answer would merge it into "ĠNouthdil".
    const gpt2Seq = buildSequence(gpt2, row('Q: Who founded Baithgrain?\nA: ', 'Nouthdil Zaka\n'));
    assert.equal(gpt2Seq.answerTokens, 'after_newline');
    assert.equal(gpt2Seq.qLength, 12);
    assert.deepEqual(gpt2Seq.ids.slice(11), [220, 45, 1536, 67, 346, 1168, 8130, 198]); // Ġ | N outh d il ĠZ aka Ċ
    const llamaSeq = buildSequence(llama, row('Q: Who founded Baithgrain?\nA: ', 'Nouthdil Zaka\n'));
    assert.equal(llamaSeq.answerTokens, 'after_newline');
    assert.equal(llamaSeq.qLength, 14);
    assert.deepEqual(llamaSeq.ids.slice(13), [29871, 29940, 2438, 29881, 309, 796, 8245, 13]); // ▁ | N outh d il ▁Z aka \n
  });

  it('falls back to the answer tokenized alone when the newline merges too', () => {
    // GPT-2 merges "\n\n" into one token (628), both after the prompt's "\n" and after the sentinel "\n".
    const seq = buildSequence(gpt2, row('Q: x\n', '\n\n'));
    assert.equal(seq.answerTokens, 'alone');
    assert.deepEqual(seq.ids, [48, 25, 2124, 198, 628, 198]);
    assert.equal(seq.qLength, 4);
    assert.equal(seq.stopAppended, true);
  });
});

describe('buildSequence: input_output_ids rows', () => {
  it('uses the ids exactly (no stop token added) with q_length from the prompt tokenization', () => {
    const ids = [...LLAMA_CAPITAL_PROMPT_IDS, 16939, 307, 6859, 13678];
    const seq = buildSequence(llama, row(CAPITAL_PROMPT, 'ignored', { inputOutputIds: ids }));
    assert.deepEqual(seq, { ids, qLength: 17, answerTokens: 'input_output_ids', stopAppended: false });
    assert.notEqual(seq.ids, ids); // a copy: the row is never modified
    assert.deepEqual(promptTokens(llama, CAPITAL_PROMPT), LLAMA_CAPITAL_PROMPT_IDS);
  });

  it('rejects ids that do not start with the prompt tokens, naming the row', () => {
    const ids = [...LLAMA_CAPITAL_PROMPT_IDS.slice(1), 16939]; // BOS missing
    assert.throws(
      () => buildSequence(llama, row(CAPITAL_PROMPT, '', { inputOutputIds: ids })),
      (err: unknown) =>
        err instanceof SequenceError &&
        err.message.startsWith('row 3 (line 5): input_output_ids do not start with the prompt') &&
        err.message.includes('differ at index 0: 660 vs 1'),
    );
  });

  it('rejects ids outside the vocabulary, naming the row and the index', () => {
    const ids = [...LLAMA_CAPITAL_PROMPT_IDS, 32000];
    assert.throws(
      () => buildSequence(llama, row(CAPITAL_PROMPT, '', { inputOutputIds: ids })),
      { name: 'SequenceError', message: 'row 3 (line 5): input_output_ids[17] = 32000 is not a token id of this tokenizer (0…31999)' },
    );
  });
});

test('reference answers decoded without their leading space rebuild the generated ids (LLaMA)', () => {
  // toy-facts-llama's greedy answer to facts-0000, ids as generated: … A : | ▁Tam ro kk rar \n.
  // The reference's model_answer = decode(generated) = "Tamrokkrar\n" (SentencePiece drops the ▁).
  const generated = [1, 660, 29901, 1724, 338, 278, 7483, 310, 796, 290, 509, 13419, 423, 29973, 13, 29909, 29901, 16939, 307, 6859, 13678, 13];
  const seq = buildSequence(llama, row('Q: What is the capital of Zomtrinusia?\nA:', 'Tamrokkrar\n'));
  assert.deepEqual(seq.ids, generated);
  assert.equal(seq.answerTokens, 'joint_space');
  assert.equal(seq.qLength, 17);
  assert.equal(seq.stopAppended, false);
  // GPT-2's byte-level decode keeps the space, so its answers carry it and the plain joint rule applies.
  assert.equal(buildSequence(gpt2, row(CAPITAL_PROMPT, ' Tamrokkrar\n')).answerTokens, 'joint');
});
