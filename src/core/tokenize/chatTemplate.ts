import { Template } from '@huggingface/jinja';

import { LayerProbeError } from '../../contract/errors';
import type { ModelTokenizer } from './modelTokenizer';

export class ChatTemplateError extends LayerProbeError {
  override name = 'ChatTemplateError';
}

const compiled = new Map<string, Template>();

/**
 * The reference's `apply_chat_template([{"role": "user", "content": prompt}])` as text, rendered with
 * @huggingface/jinja (which provides `raise_exception`) and the tokenizer's special-token strings, as
 * transformers passes them.
 */
export function renderChatPrompt(tok: Pick<ModelTokenizer, 'dir' | 'chatTemplate' | 'specialTokens'>, prompt: string, addGenerationPrompt: boolean): string {
  if (tok.chatTemplate === undefined) throw new ChatTemplateError(`${tok.dir}: the tokenizer has no chat template`);
  let template = compiled.get(tok.chatTemplate);
  try {
    if (!template) {
      template = new Template(tok.chatTemplate);
      compiled.set(tok.chatTemplate, template);
    }
    return template.render({
      messages: [{ role: 'user', content: prompt }],
      add_generation_prompt: addGenerationPrompt,
      ...tok.specialTokens,
    });
  } catch (err) {
    throw new ChatTemplateError(`${tok.dir}/tokenizer_config.json: the chat template failed to render (${(err as Error).message})`);
  }
}
