import * as fs from 'node:fs';
import * as path from 'node:path';

import { Tokenizer } from '@huggingface/tokenizers';

import { LayerProbeError } from '../../contract/errors';
import { resolveModelFolder } from '../model/modelFolder';
import { incrementalPieces } from './pieces';
import { useRustByteFallback } from './rustByteFallback';
import { readTokenizerSettings } from './tokenizerConfig';

/**
 * 'base': the reference stops generation on the newline token; 'instruct': on the model's EOS.
 * (The reference decides by `'instruct' in model_name`; a local folder has no reliable name, see `decideKind`.)
 */
export type ModelKind = 'base' | 'instruct';

/** A model's tokenizer with the reference's encode/decode defaults and the token that ends an answer. */
export interface ModelTokenizer {
  readonly dir: string;
  readonly kind: ModelKind;
  /** Why `kind` was chosen, for logs and the UI. */
  readonly kindReason: string;
  /** Id of the tokenizer's `bos_token`, if it has one (GPT-2 has one that encoding never adds). */
  readonly bosId?: number;
  /** EOS ids: the model config's (generation truth) first, then the tokenizer's `eos_token`. */
  readonly eosIds: readonly number[];
  /** The token appended to an answer that lacks one: `encode('\n')[-1]` for base models, `eosIds[0]` for instruct. */
  readonly stopId: number;
  /** Every token that would have ended generation: [stopId] for base models, stopId and eosIds for instruct. */
  readonly stopIds: readonly number[];
  /** Chat template of an instruct model (rendered around prompts; see `promptEncoding`). */
  readonly chatTemplate?: string;
  /** The special-token strings a chat template may refer to (`bos_token`, `eos_token`, …). */
  readonly specialTokens: Readonly<Record<string, string>>;
  /** Number of token ids (highest id + 1, added tokens included). */
  readonly vocabSize: number;
  /**
   * Characters (UTF-16 units) of the longest vocabulary or added token: no token covers more text than
   * its own string, so a text of n characters needs at least n / this many tokens (a bound checked
   * before tokenising, which is slow on megabyte fields).
   */
  readonly longestTokenChars: number;
  /** As tokenizer_config.json says, else transformers 4.42's default for the tokenizer class. */
  readonly cleanUpTokenizationSpaces: boolean;
  encode(text: string, options: { addSpecialTokens: boolean }): number[];
  /** HF `tokenizer.decode(ids)` defaults: special tokens kept, clean-up as configured; [] → ''. */
  decode(ids: readonly number[]): string;
  /** Display text of each token; the pieces concatenate to `decode(ids)`. */
  pieces(ids: readonly number[]): string[];
}

export class TokenizerLoadError extends LayerProbeError {
  override name = 'TokenizerLoadError';
}

export interface LoadTokenizerOptions {
  /** Overrides the chat-template heuristic (a setting for models whose folder says the wrong thing). */
  kind?: ModelKind;
}

/** Loads `tokenizer.json` + `tokenizer_config.json` (+ `special_tokens_map.json`) of a model folder. */
export function loadModelTokenizer(modelDir: string, options: LoadTokenizerOptions = {}): ModelTokenizer {
  const tokenizerFile = path.join(modelDir, 'tokenizer.json');
  if (!fs.existsSync(tokenizerFile)) {
    throw new TokenizerLoadError(
      `${modelDir}: no tokenizer.json. A Hugging Face tokenizer.json is required to tokenize prompts and answers, ` +
        `find exact answers and show tokens: copy it (with tokenizer_config.json) from the original model.`,
    );
  }
  const folder = resolveModelFolder(modelDir);
  const settings = readTokenizerSettings(modelDir);
  let tokenizer: Tokenizer;
  try {
    tokenizer = new Tokenizer(JSON.parse(fs.readFileSync(tokenizerFile, 'utf8')), settings.config);
  } catch (err) {
    throw new TokenizerLoadError(`${tokenizerFile}: cannot be loaded (${(err as Error).message})`);
  }
  useRustByteFallback(tokenizer);

  const idOf = (token: string | undefined): number | undefined =>
    token === undefined ? undefined : tokenizer.token_to_id(token);
  const encode = (text: string, opts: { addSpecialTokens: boolean }): number[] =>
    tokenizer.encode(text, { add_special_tokens: opts.addSpecialTokens }).ids;
  // The library throws on an empty list where Python returns ''; empty slices are routine in decode-and-shrink.
  const decode = (ids: readonly number[]): string =>
    ids.length === 0 ? '' : tokenizer.decode([...ids], { skip_special_tokens: false });

  const eosIds = [...folder.eosTokenIds];
  const tokenizerEos = idOf(settings.eosToken);
  if (tokenizerEos !== undefined && !eosIds.includes(tokenizerEos)) eosIds.push(tokenizerEos);

  const { kind, reason } = decideKind(settings.chatTemplate, options.kind);
  let stopId: number | undefined;
  if (kind === 'base') {
    stopId = encode('\n', { addSpecialTokens: false }).at(-1);
    if (stopId === undefined) throw new TokenizerLoadError(`${tokenizerFile}: '\\n' encodes to no token`);
  } else {
    stopId = eosIds[0];
    if (stopId === undefined) {
      throw new TokenizerLoadError(`${modelDir}: instruct model without an EOS token (config eos_token_id or tokenizer eos_token)`);
    }
  }
  const stopIds = kind === 'base' ? [stopId] : [stopId, ...eosIds.filter((id) => id !== stopId)];

  let vocabSize = 0;
  let longestTokenChars = 1;
  for (const [token, id] of tokenizer.get_vocab(true)) {
    vocabSize = Math.max(vocabSize, id + 1);
    longestTokenChars = Math.max(longestTokenChars, token.length);
  }

  return {
    dir: modelDir,
    kind,
    kindReason: reason,
    bosId: idOf(settings.bosToken) ?? folder.bosTokenId,
    eosIds,
    stopId,
    stopIds,
    // The unfilled LLaMA default is not the model's own format: an instruct override keeps plain prompts.
    chatTemplate: kind === 'instruct' && !isUnfilledDefaultTemplate(settings.chatTemplate) ? settings.chatTemplate : undefined,
    specialTokens: Object.fromEntries(
      Object.entries({ bos_token: settings.bosToken, eos_token: settings.eosToken }).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    ),
    vocabSize,
    longestTokenChars,
    cleanUpTokenizationSpaces: settings.cleanUpTokenizationSpaces,
    encode,
    decode,
    pieces: (ids) => incrementalPieces(decode, ids),
  };
}

/**
 * Instruct iff the folder ships a chat template, except the one transformers' old LlamaTokenizer wrote
 * into every tokenizer_config it saved (recognisable by its never-substituted placeholders
 * USE_DEFAULT_PROMPT / DEFAULT_SYSTEM_MESSAGE): base LLaMA-style checkpoints carry it too, so it says
 * nothing about how the model was tuned.
 */
function decideKind(chatTemplate: string | undefined, override: ModelKind | undefined): { kind: ModelKind; reason: string } {
  if (override !== undefined) return { kind: override, reason: `set to ${override} explicitly` };
  if (chatTemplate === undefined) return { kind: 'base', reason: 'no chat template in the tokenizer config' };
  if (isUnfilledDefaultTemplate(chatTemplate)) {
    return { kind: 'base', reason: "the chat template is transformers' unfilled LLaMA default, not the model's own" };
  }
  return { kind: 'instruct', reason: 'the tokenizer config has a chat template' };
}

function isUnfilledDefaultTemplate(chatTemplate: string | undefined): boolean {
  return chatTemplate !== undefined && (chatTemplate.includes('USE_DEFAULT_PROMPT') || chatTemplate.includes('DEFAULT_SYSTEM_MESSAGE'));
}
