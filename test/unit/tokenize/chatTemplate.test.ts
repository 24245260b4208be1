import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { buildSequence, promptEncoding } from '../../../src/core/tokenize/sequence';
import { fixtureModel } from '../../helpers/fixtures';

// Mistral-Instruct's template shape: "<s>[INST] {prompt} [/INST]".
const MISTRAL = "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endif %}{% endfor %}";
// A template whose assistant header exists only with add_generation_prompt (Llama-3 / ChatML style).
const HEADER = "{{ bos_token }}{% for message in messages %}{{ 'User: ' + message['content'] + '\\n' }}{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}";

/** toy-facts-llama's tokenizer files with a chat template of our choosing, in a temp folder. */
function instructFolder(template: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-chat-'));
  const src = fixtureModel('toy-facts-llama');
  for (const f of ['tokenizer.json', 'special_tokens_map.json', 'config.json']) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  const config = JSON.parse(fs.readFileSync(path.join(src, 'tokenizer_config.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: template }));
  fs.writeFileSync(path.join(dir, 'model.onnx'), ''); // the folder must name a graph; tokenization never reads it
  return dir;
}

const row = (prompt: string, answer: string) => ({ rowIndex: 0, line: 2, prompt, answer, correct: 1 as const });

test('instruct prompts are the rendered chat template, encoded without adding special tokens again', () => {
  const tok = loadModelTokenizer(instructFolder(MISTRAL));
  assert.equal(tok.kind, 'instruct');
  const encoding = promptEncoding(tok, 'What is the capital of Zorbia?');
  assert.deepEqual(encoding, { text: '<s>[INST] What is the capital of Zorbia? [/INST]', addSpecialTokens: false });
  const seq = buildSequence(tok, row('What is the capital of Zorbia?', ' Paris.</s>'));
  // One BOS (from the template text, not added twice), the prompt ends on "]" of [/INST], as the reference.
  assert.equal(seq.ids[0], 1);
  assert.notEqual(seq.ids[1], 1);
  assert.equal(tok.decode(seq.ids.slice(0, seq.qLength)), '<s> [INST] What is the capital of Zorbia? [/INST]');
  assert.equal(tok.decode(seq.ids.slice(seq.qLength - 1, seq.qLength)), ']');
  assert.equal(tok.decode(seq.ids.slice(seq.qLength)), 'Paris.</s>');
  assert.equal(seq.ids.at(-1), 2); // EOS kept from the answer text, not doubled
  // chatTemplate 'none' tokenizes the prompt as plain text, with BOS added by the tokenizer.
  const plain = buildSequence(tok, row('What is the capital of Zorbia?', ' Paris.</s>'), { chatTemplate: 'none', addGenerationPrompt: false });
  assert.equal(tok.decode(plain.ids.slice(0, plain.qLength)), '<s> What is the capital of Zorbia?');
});

test('add_generation_prompt moves q_length past the assistant header (the reference leaves it out)', () => {
  const tok = loadModelTokenizer(instructFolder(HEADER));
  const without = buildSequence(tok, row('Hi?', 'Assistant: Hello.</s>'));
  const withHeader = buildSequence(tok, row('Hi?', ' Hello.</s>'), { chatTemplate: 'auto', addGenerationPrompt: true });
  assert.equal(tok.decode(without.ids.slice(0, without.qLength)), '<s> User: Hi?\n');
  assert.equal(tok.decode(withHeader.ids.slice(0, withHeader.qLength)), '<s> User: Hi?\nAssistant:');
  assert.ok(withHeader.qLength > without.qLength);
});

test('a template that fails to render names the tokenizer config', () => {
  const tok = loadModelTokenizer(instructFolder("{{ raise_exception('only system messages') }}"));
  assert.throws(() => buildSequence(tok, row('Hi?', ' Hello.</s>')), /tokenizer_config\.json: the chat template failed to render \(only system messages\)/);
});
