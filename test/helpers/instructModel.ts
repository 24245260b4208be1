import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { fixtureModel } from './fixtures';

/** Mistral-7B-Instruct-v0.2's chat template, as its tokenizer_config.json ships it. */
export const MISTRAL_CHAT_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}" +
  "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}" +
  "{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}" +
  "{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}";

/**
 * A tiny random model as an instruct model with a chat template of its own, in a fresh folder named
 * `name` (the extraction family is read from the name): tiny-random-llama-gqa-fp32 (2,048 positions, a
 * KV cache, LLaMA tokenizer), its files copied (onnxruntime refuses external data reached through a
 * symlink), its tokenizer config given `template`. The fixtures ship no instruct model with a template
 * of its own: theirs is transformers' unfilled LLaMA default, which says base.
 */
export function instructFixture(name: string, template = MISTRAL_CHAT_TEMPLATE): string {
  const src = fixtureModel('tiny-random-llama-gqa-fp32');
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-instruct-')), name);
  fs.mkdirSync(dir);
  for (const file of ['model.onnx', 'model.onnx.data', 'genai_config.json', 'tokenizer.json', 'special_tokens_map.json']) {
    fs.copyFileSync(path.join(src, file), path.join(dir, file));
  }
  const config = JSON.parse(fs.readFileSync(path.join(src, 'tokenizer_config.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: template }));
  return dir;
}
