// The prompt of every benchmark row (the reference's `question` column), as `generate` builds it and
// `judge` rebuilds it for answers that came with a raw benchmark file.

import type { DatasetKind, ModelKindChoice } from '../../contract/datasetKinds';
import { buildPrompt } from './kinds/prompts';
import type { BenchmarkItem } from './kinds/types';
import { checkPromptTemplate, DEFAULT_PROMPT_TEMPLATE, renderPrompt } from './promptTemplate';

/**
 * `qa` is the generic kind: its template (the toy-facts format by default); the reference's kinds have
 * their own prompts, where the first row is winogrande's and IMDB's one-shot example.
 */
export function benchmarkPrompts(
  kind: DatasetKind,
  items: readonly BenchmarkItem[],
  modelKind: ModelKindChoice,
  modelName: string,
  template: string = DEFAULT_PROMPT_TEMPLATE,
): string[] {
  if (kind === 'qa') checkPromptTemplate(template);
  return items.map((item) =>
    kind === 'qa' ? renderPrompt(template, item.rawQuestion) : buildPrompt(kind, item, modelKind, { firstItem: items[0], modelName }),
  );
}
