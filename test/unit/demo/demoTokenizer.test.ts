import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { Tokenizer } from '@huggingface/tokenizers';

import { buildDemoDataset } from '../../../src/demo/demoDataset';
import { DEMO_ANSWER_WORDS, DEMO_FRAME_PIECES, demoWordPieces } from '../../../src/demo/demoText';
import { bpeSplit, buildDemoTokenizer, byteToUnicode, DEMO_BOS_TOKEN, toByteLevel } from '../../../src/demo/demoTokenizer';

const files = buildDemoTokenizer();
const tokenizer = new Tokenizer(files.tokenizer, files.tokenizerConfig);
const byteLevel = (s: string): string => toByteLevel(s).join('');

describe('demo tokenizer', () => {
  it('splits every demo word into exactly its intended pieces', () => {
    for (const word of DEMO_ANSWER_WORDS) {
      assert.deepEqual(tokenizer.tokenize(' ' + word.text), word.pieces.map(byteLevel), word.text);
    }
    for (const piece of DEMO_FRAME_PIECES) assert.deepEqual(tokenizer.tokenize(piece), [byteLevel(piece)], piece);
  });

  it('agrees with its own BPE model, which orders the merges', () => {
    const merges = (files.tokenizer.model as { merges: string[] }).merges;
    const ranks = new Map(merges.map((m, i) => [m, i]));
    for (const pieces of demoWordPieces()) {
      const symbols = toByteLevel(pieces.join(''));
      assert.deepEqual(bpeSplit(symbols, ranks), tokenizer.tokenize(pieces.join('')));
    }
  });

  it('prepends BOS only with special tokens, and the newline is one token', () => {
    const newline = tokenizer.encode('\n', { add_special_tokens: false }).ids;
    assert.deepEqual(newline, [tokenizer.token_to_id(byteToUnicode()[10])]);
    const withBos = tokenizer.encode('Q: x?\nA:').ids;
    assert.equal(withBos[0], files.bosTokenId);
    assert.deepEqual(withBos.slice(1), tokenizer.encode('Q: x?\nA:', { add_special_tokens: false }).ids);
    assert.equal(tokenizer.token_to_id(DEMO_BOS_TOKEN), files.bosTokenId);
    // A stop at the newline token ends every answer; "." before it stays its own token.
    for (const row of buildDemoDataset({ numRows: 50 })) {
      const ids = tokenizer.encode(row.model_answer, { add_special_tokens: false }).ids;
      assert.equal(ids.at(-1), newline[0]);
      assert.equal(tokenizer.decode(ids.slice(-2, -1)), '.');
    }
  });

  it('round-trips every dataset prompt and answer, and any UTF-8 text, through encode/decode', () => {
    for (const row of buildDemoDataset({ numRows: 300 })) {
      const text = row.question + row.model_answer;
      const ids = tokenizer.encode(text).ids;
      assert.equal(tokenizer.decode(ids), DEMO_BOS_TOKEN + text);
      assert.equal(tokenizer.decode(ids, { skip_special_tokens: true }), text);
      assert.ok(ids.every((id) => id >= 0 && id < files.vocabSize));
    }
    const odd = 'Café – 東京 🙂\ttabs  and  spaces';
    assert.equal(tokenizer.decode(tokenizer.encode(odd, { add_special_tokens: false }).ids), odd);
  });

  it('has a vocabulary of bytes, merges and two special tokens, ids dense from 0', () => {
    const vocab = (files.tokenizer.model as { vocab: Record<string, number> }).vocab;
    const ids = Object.values(vocab).sort((a, b) => a - b);
    assert.deepEqual(ids, ids.map((_, i) => i));
    assert.equal(ids.length + 2, files.vocabSize);
    assert.deepEqual([files.bosTokenId, files.eosTokenId], [files.vocabSize - 2, files.vocabSize - 1]);
    assert.equal(files.tokenizerConfig.chat_template, undefined, 'a base model: no chat template');
  });
});
