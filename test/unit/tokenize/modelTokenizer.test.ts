import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { loadModelTokenizer, TokenizerLoadError } from '../../../src/core/tokenize/modelTokenizer';
import { fixtureModel } from '../../helpers/fixtures';
import { CAPITAL_PROMPT, gpt2, llama } from './fixtureTokenizers';

describe('loadModelTokenizer on GPT-2 (byte-level BPE)', () => {
  it('reads ids, special tokens and the base-model stop token', () => {
    assert.equal(gpt2.kind, 'base');
    assert.equal(gpt2.stopId, 198); // 'Ċ' = encode('\n')[-1]
    assert.deepEqual(gpt2.stopIds, [198]);
    assert.deepEqual(gpt2.eosIds, [98, 50256]); // genai_config's eos first, then the tokenizer's <|endoftext|>
    assert.equal(gpt2.bosId, 50256);
    assert.equal(gpt2.vocabSize, 50295); // 50257 + 38 added whitespace tokens
    assert.equal(gpt2.chatTemplate, undefined);
    assert.equal(gpt2.cleanUpTokenizationSpaces, true);
  });

  it('adds no BOS (its post-processor adds none) and decodes with the configured clean-up', () => {
    const ids = gpt2.encode(CAPITAL_PROMPT, { addSpecialTokens: true });
    assert.deepEqual(ids, [48, 25, 1867, 318, 262, 3139, 286, 1168, 296, 2213, 35237, 544, 30, 198, 32, 25]);
    // clean_up_tokenization_spaces: true → " ." becomes "." as in HF Python.
    assert.equal(gpt2.decode(gpt2.encode(' Paris is . great', { addSpecialTokens: false })), ' Paris is. great');
    assert.equal(gpt2.decode([15496, 50256]), 'Hello<|endoftext|>'); // special tokens kept
    assert.equal(gpt2.decode([]), '');
  });

  it('gives display pieces that concatenate to the decode, clean-up included', () => {
    const ids = gpt2.encode("héllo 🙂 wörld . isn't", { addSpecialTokens: false });
    assert.deepEqual(ids, [71, 2634, 18798, 32485, 266, 30570, 335, 764, 2125, 470]);
    const pieces = gpt2.pieces(ids);
    assert.deepEqual(pieces, ['h', 'é', 'llo', ' 🙂', ' w', 'ör', 'ld', '.', ' isn', "'t"]);
    assert.equal(pieces.join(''), gpt2.decode(ids));
  });
});

describe('loadModelTokenizer on LLaMA (SentencePiece BPE)', () => {
  it('treats the unfilled LLaMA default chat template as a base model: stop on newline id 13', () => {
    assert.equal(llama.kind, 'base');
    assert.match(llama.kindReason, /unfilled LLaMA default/);
    assert.equal(llama.stopId, 13); // encode('\n') = ['▁', '<0x0A>'] = [29871, 13]
    assert.deepEqual(llama.eosIds, [2]);
    assert.equal(llama.bosId, 1);
    assert.equal(llama.vocabSize, 32000);
    assert.equal(llama.cleanUpTokenizationSpaces, false);
  });

  it('prepends BOS and keeps special tokens and spaces when decoding', () => {
    const ids = llama.encode(CAPITAL_PROMPT, { addSpecialTokens: true });
    assert.deepEqual(ids, [1, 660, 29901, 1724, 338, 278, 7483, 310, 796, 290, 509, 13419, 423, 29973, 13, 29909, 29901]);
    assert.equal(llama.decode(ids), '<s> Q: What is the capital of Zomtrinusia?\nA:');
    assert.equal(llama.decode([3681, 13, 2]), 'Paris\n</s>'); // leading '▁' stripped, </s> kept
    assert.equal(llama.decode(llama.encode('a . b', { addSpecialTokens: false })), 'a . b'); // no clean-up
  });

  it('decodes byte-fallback tokens as the Rust library does: one U+FFFD per byte of an invalid run', () => {
    // 🙂 = F0 9F 99 82 = byte tokens 243 162 156 133 (<0xNN> is id NN + 3).
    assert.equal(llama.decode([243, 162, 156, 133]), '🙂');
    assert.equal(llama.decode([243, 162, 156, 133, 243, 162, 156]), '\uFFFD'.repeat(7));
  });

  it('gives a multi-byte character to the byte token that completes it', () => {
    const ids = llama.encode('héllo 🙂', { addSpecialTokens: true });
    assert.deepEqual(ids, [1, 298, 3610, 417, 29871, 243, 162, 156, 133]);
    assert.deepEqual(llama.pieces(ids), ['<s>', ' h', 'él', 'lo', ' ', '', '', '', '🙂']);
  });

  it('switches to EOS as the stop token when told the model is an instruct model', () => {
    const instruct = loadModelTokenizer(fixtureModel('toy-facts-llama'), { kind: 'instruct' });
    assert.equal(instruct.kind, 'instruct');
    assert.equal(instruct.stopId, 2);
    assert.deepEqual(instruct.stopIds, [2]);
  });
});

describe('loadModelTokenizer on a folder with its own chat template', () => {
  it('is an instruct model stopping on the config EOS; clean-up defaults follow the tokenizer class', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-tok-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const source = fixtureModel('toy-facts-llama');
    fs.copyFileSync(path.join(source, 'tokenizer.json'), path.join(dir, 'tokenizer.json'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), '');
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ eos_token_id: 2, bos_token_id: 1 }));
    fs.writeFileSync(
      path.join(dir, 'tokenizer_config.json'),
      JSON.stringify({
        tokenizer_class: 'LlamaTokenizerFast',
        bos_token: { content: '<s>', special: true },
        chat_template: "{{ bos_token }}{% for m in messages %}[INST] {{ m['content'] }} [/INST]{% endfor %}",
      }),
    );
    // special_tokens_map.json overrides tokenizer_config.json, as in transformers.
    fs.writeFileSync(path.join(dir, 'special_tokens_map.json'), JSON.stringify({ eos_token: { content: '</s>' } }));

    const tok = loadModelTokenizer(dir);
    assert.equal(tok.kind, 'instruct');
    assert.equal(tok.stopId, 2);
    assert.equal(tok.bosId, 1);
    assert.match(tok.chatTemplate ?? '', /\[INST\]/);
    assert.equal(tok.cleanUpTokenizationSpaces, false); // LlamaTokenizerFast passes false in transformers 4.42

    fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ tokenizer_class: 'GPT2Tokenizer' }));
    const plain = loadModelTokenizer(dir);
    assert.equal(plain.kind, 'base');
    assert.equal(plain.cleanUpTokenizationSpaces, true); // transformers 4.42's general default
    assert.equal(plain.decode(plain.encode('a . b', { addSpecialTokens: false })), 'a. b');
  });
});

describe('loadModelTokenizer without tokenizer.json', () => {
  it('names the folder and says a tokenizer.json is required', () => {
    const dir = fixtureModel('tiny-qwen-gqa-fp16-notokenizer');
    assert.throws(
      () => loadModelTokenizer(dir),
      (err: unknown) =>
        err instanceof TokenizerLoadError &&
        err.message.startsWith(`${dir}: no tokenizer.json.`) &&
        err.message.includes('tokenizer.json is required'),
    );
  });
});
