// The text a question becomes before tokenization (the reference's `question` column).

import { LayerProbeError } from '../../contract/errors';

export const QUESTION_PLACEHOLDER = '{question}';

/** The toy-facts format. The reference's base-model QA prompt has 8 spaces before `A:` (a Python indent). */
export const DEFAULT_PROMPT_TEMPLATE = 'Q: {question}\nA:';

export class PromptTemplateError extends LayerProbeError {
  override name = 'PromptTemplateError';
}

/** Checks a template once, before any model work: without the placeholder every prompt would be the same. */
export function checkPromptTemplate(template: string): void {
  if (!template.includes(QUESTION_PLACEHOLDER)) {
    throw new PromptTemplateError(`the prompt template must contain ${QUESTION_PLACEHOLDER}, got ${JSON.stringify(template)}`);
  }
}

/** Every `{question}` replaced by the question; the question text itself is not scanned for placeholders. */
export function renderPrompt(template: string, question: string): string {
  return template.split(QUESTION_PLACEHOLDER).join(question);
}
