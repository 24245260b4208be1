// Generation settings per kind (generate_model_answers.py load_data / main; llmsknow-pipeline.md §4.1).

import type { DatasetKind, ModelKindChoice } from '../../../contract/datasetKinds';

/** Greedy generation's `max_new_tokens`: 100, and 200 for math's worked answers. */
export function maxNewTokens(kind: DatasetKind): number {
  return kind === 'math' ? 200 : 100;
}

export interface StopRule {
  /** `eos`: the model's own end-of-sequence token(s); `newline`: only the newline token. */
  stopOn: 'eos' | 'newline';
  description: string;
}

/**
 * Instruct models stop on their generation_config EOS (`eos_token_id=None` is passed). Base models get
 * `eos_token_id = tokenizer.encode('\n', add_special_tokens=False)[-1]`, which replaces the usual EOS,
 * so only that newline token stops them (Llama-3's "\n\n" is another token and does not).
 */
export function stopRule(modelKind: ModelKindChoice): StopRule {
  return modelKind === 'instruct'
    ? { stopOn: 'eos', description: "greedy; stops on the model's end-of-sequence token (generation_config eos_token_id)" }
    : {
        stopOn: 'newline',
        description:
          "greedy; stops only on the newline token, the last id of tokenizer.encode('\\n', add_special_tokens=False), which replaces EOS",
      };
}

/** Each kind's correctness rule in a sentence (llmsknow-pipeline.md §4.3), for the panel and summaries. */
export const CORRECTNESS_RULES: Readonly<Record<DatasetKind, string>> = {
  qa: 'an alias (lowercased) is a substring of the lowercased answer',
  triviaqa: 'an alias .lower() in answer.lower()',
  movies: 'label.lower().strip() in answer.lower().strip()',
  hotpotqa: 'label.lower() in answer.lower()',
  hotpotqa_with_context: 'label.lower() in answer.lower()',
  math: 'str(label) or str(int(label)) in the answer (loose: 9 matches 19)',
  winobias: 'whichever entity appears first decides',
  winogrande: 'the correct option present and before the wrong one',
  mnli: 'the earliest class word decides',
  imdb: "the answer's first token, else the earlier of negative/positive",
  natural_questions_with_context: "a gold alias in the answer (the reference's LLM judge is not run)",
};
