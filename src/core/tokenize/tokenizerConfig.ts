import * as fs from 'node:fs';
import * as path from 'node:path';

import { LayerProbeError } from '../../contract/errors';

/** The parts of `tokenizer_config.json` (+ `special_tokens_map.json`) that the pipeline reads. */
export interface TokenizerSettings {
  /** The merged config, special tokens flattened to strings: what @huggingface/tokenizers expects. */
  config: Record<string, unknown>;
  bosToken?: string;
  eosToken?: string;
  cleanUpTokenizationSpaces: boolean;
  /** Raw chat template text, when the folder ships one. */
  chatTemplate?: string;
}

export class TokenizerConfigError extends LayerProbeError {
  override name = 'TokenizerConfigError';
}

// transformers 4.42.3 (the reference's pin) defaults clean_up_tokenization_spaces to true, except in
// these tokenizer classes' constructors, which pass false.
const CLASSES_WITHOUT_CLEANUP = new Set(['LlamaTokenizer', 'CodeLlamaTokenizer', 'GemmaTokenizer', 'BloomTokenizer', 'CohereTokenizer', 'NougatTokenizer']);

/** Reads the tokenizer settings of a model folder the way transformers' `from_pretrained` merges them. */
export function readTokenizerSettings(dir: string): TokenizerSettings {
  const tokenizerConfig = readJsonIfPresent(path.join(dir, 'tokenizer_config.json')) ?? {};
  const specialTokensMap = readJsonIfPresent(path.join(dir, 'special_tokens_map.json')) ?? {};
  // transformers lets special_tokens_map.json override the same keys of tokenizer_config.json.
  const merged: Record<string, unknown> = { ...tokenizerConfig, ...specialTokensMap };
  for (const key of ['bos_token', 'eos_token', 'unk_token', 'pad_token', 'sep_token', 'cls_token', 'mask_token']) {
    const content = tokenContent(merged[key]);
    if (content === undefined) delete merged[key];
    else merged[key] = content;
  }
  if (Array.isArray(merged.additional_special_tokens)) {
    merged.additional_special_tokens = merged.additional_special_tokens
      .map(tokenContent)
      .filter((t): t is string => t !== undefined);
  }

  const tokenizerClass = typeof merged.tokenizer_class === 'string' ? merged.tokenizer_class.replace(/Fast$/, '') : '';
  const cleanUpTokenizationSpaces =
    typeof merged.clean_up_tokenization_spaces === 'boolean'
      ? merged.clean_up_tokenization_spaces
      : !CLASSES_WITHOUT_CLEANUP.has(tokenizerClass);
  merged.clean_up_tokenization_spaces = cleanUpTokenizationSpaces;

  return {
    config: merged,
    bosToken: merged.bos_token as string | undefined,
    eosToken: merged.eos_token as string | undefined,
    cleanUpTokenizationSpaces,
    chatTemplate: readChatTemplate(dir, tokenizerConfig.chat_template),
  };
}

/** A special token is written either as its text or as a serialized AddedToken `{ content, … }`. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object' && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

/** tokenizer_config's `chat_template` (a string, or named templates), else newer exports' chat_template.jinja. */
function readChatTemplate(dir: string, value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    const named = value as { name?: unknown; template?: unknown }[];
    const chosen = named.find((t) => t.name === 'default') ?? named[0];
    return typeof chosen?.template === 'string' ? chosen.template : undefined;
  }
  const jinjaFile = path.join(dir, 'chat_template.jinja');
  return fs.existsSync(jinjaFile) ? fs.readFileSync(jinjaFile, 'utf8') : undefined;
}

export function readJsonIfPresent(file: string): Record<string, unknown> | undefined {
  if (!fs.existsSync(file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new TokenizerConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
}
