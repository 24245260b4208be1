import { LayerProbeError } from '../../contract/errors';
import { DEFAULT_PROMPT_FORMAT, type PromptFormat } from '../../contract/runOptions';
import type { DatasetRow } from '../types';
import { renderChatPrompt } from './chatTemplate';
import type { ModelTokenizer } from './modelTokenizer';
import { describeRow } from './rowRef';

/** Where a sequence's answer tokens came from (see `buildSequence`). */
export type AnswerTokenSource = 'input_output_ids' | 'joint_space' | 'joint' | 'after_newline' | 'alone';

/** The token sequence of one row: prompt + answer (+ stop token), as the reference's `input_output_ids`. */
export interface TokenSequence {
  ids: number[];
  /** Number of prompt tokens (`q_length` in the reference). */
  qLength: number;
  answerTokens: AnswerTokenSource;
  /** True when the stop token was appended because the answer's tokens did not end with one. */
  stopAppended: boolean;
}

export class SequenceError extends LayerProbeError {
  override name = 'SequenceError';
}

/** `buildSequence`'s rule in one paragraph, recorded in every result (and in the README). */
export const SEQUENCE_RULE =
  'Prompt tokens = the tokenizer applied to the prompt with its special tokens (BOS), as the reference ' +
  'tokenizes base-model prompts; for instruct models (a chat template of their own) the template rendered ' +
  'around the prompt as one user message, encoded without special tokens (apply_chat_template); q_length ' +
  'is their count. A row with ' +
  'input_output_ids uses those ids exactly; they must start with the prompt tokens. Otherwise, for ' +
  'tokenizers whose decode drops the leading space of a sliced answer (SentencePiece: the reference\'s ' +
  'model_answer reads "Paris" for the generated "▁Paris"), the answer tokens are those of ' +
  'tokenize(prompt + " " + answer) after the prompt tokens, when the answer starts with no space and they ' +
  'decode back to the answer; else those of tokenize(prompt + answer) after the prompt tokens when that tokenization starts ' +
  'with them; if it does not (the prompt\'s last token merges with the answer), those of tokenize("\\n" + ' +
  'answer) after the newline\'s tokens; failing that, tokenize(answer) without special tokens. The stop ' +
  'token (the newline token for base models, EOS for instruct models: those with a chat template of their ' +
  'own) is appended unless the answer tokens already end with a stop token, since the reference keeps the ' +
  'stop token in its answers.';

type SequenceTokenizer = Pick<
  ModelTokenizer,
  'dir' | 'encode' | 'decode' | 'stopId' | 'stopIds' | 'vocabSize' | 'kind' | 'chatTemplate' | 'specialTokens'
>;

/**
 * Builds the sequence the reference would have probed for a row.
 *
 * Prompt tokens are `encode(prompt)` with the tokenizer's special tokens (BOS), as the reference's
 * `tokenizer(prompt)` for base models; for instruct models with `format.chatTemplate` 'auto', the chat
 * template rendered around the prompt, encoded without special tokens (`promptEncoding`); `qLength` is
 * their count. If the row has `input_output_ids`, those ids are the sequence, exactly as given:
 * they must start with the prompt tokens (else a SequenceError names the row) and nothing is appended.
 * Otherwise the answer tokens are the ones a model generates after the prompt, taken, first rule that
 * applies: (0) 'joint_space': for tokenizers whose decode drops the leading space of a sliced answer
 * (SentencePiece: the reference's `model_answer = decode(generated)` reads "Paris" for "▁Paris"), when
 * the answer starts with no whitespace, `encode(prompt + ' ' + answer)` minus the prompt tokens, provided
 * those decode back to the answer exactly; (1) 'joint': `encode(prompt + answer)` minus the prompt tokens, when it starts with them
 * (tokenizing the answer alone would be wrong: SentencePiece adds a dummy-prefix space, `▁▁Paris`);
 * (2) 'after_newline': when the prompt's last token merges with the answer (e.g. a prompt ending in a
 * space), `encode('\n' + answer)` minus `encode('\n')` (no special tokens), when it starts with them — the
 * answer tokenized as at the start of a line, so with no dummy prefix; (3) 'alone': `encode(answer)`
 * without special tokens. Then the stop token (`tok.stopId`: the newline token for base models, EOS for
 * instruct ones) is appended unless the answer tokens already end with a token in `tok.stopIds` — the
 * reference keeps the stop token in its answers (a trailing "\n" or "</s>"), so it is not doubled.
 */
export function buildSequence(tok: SequenceTokenizer, row: DatasetRow, format: PromptFormat = DEFAULT_PROMPT_FORMAT): TokenSequence {
  const encoding = promptEncoding(tok, row.prompt, format);
  const prompt = tok.encode(encoding.text, { addSpecialTokens: encoding.addSpecialTokens });
  if (row.inputOutputIds !== undefined) return givenSequence(tok, row, row.inputOutputIds, prompt);

  const { ids: answer, source } = answerTokens(tok, encoding, row.answer, prompt);
  const stopAppended = answer.length === 0 || !tok.stopIds.includes(answer[answer.length - 1]);
  const ids = [...prompt, ...answer];
  if (stopAppended) ids.push(tok.stopId);
  return { ids, qLength: prompt.length, answerTokens: source, stopAppended };
}

/**
 * The reference's `tokenize(prompt)`, as text plus how to encode it: instruct models get their chat
 * template rendered (its text carries BOS and the like, so it is encoded without special tokens, as
 * transformers' apply_chat_template does); base models get the prompt with special tokens (BOS).
 */
export function promptEncoding(
  tok: Pick<ModelTokenizer, 'dir' | 'kind' | 'chatTemplate' | 'specialTokens'>,
  prompt: string,
  format: PromptFormat = DEFAULT_PROMPT_FORMAT,
): { text: string; addSpecialTokens: boolean } {
  if (format.chatTemplate === 'auto' && tok.kind === 'instruct' && tok.chatTemplate !== undefined) {
    return { text: renderChatPrompt(tok, prompt, format.addGenerationPrompt), addSpecialTokens: false };
  }
  return { text: prompt, addSpecialTokens: true };
}

/** The prompt's token ids (`q_length` = their count): the one place prompts become tokens. */
export function promptTokens(
  tok: Pick<ModelTokenizer, 'dir' | 'encode' | 'kind' | 'chatTemplate' | 'specialTokens'>,
  prompt: string,
  format: PromptFormat = DEFAULT_PROMPT_FORMAT,
): number[] {
  const encoding = promptEncoding(tok, prompt, format);
  return tok.encode(encoding.text, { addSpecialTokens: encoding.addSpecialTokens });
}

function answerTokens(
  tok: SequenceTokenizer,
  encoding: { text: string; addSpecialTokens: boolean },
  answerText: string,
  prompt: readonly number[],
): { ids: number[]; source: AnswerTokenSource } {
  const promptText = encoding.text;
  const special = { addSpecialTokens: encoding.addSpecialTokens };
  if (/^\S/.test(answerText) && !/\s$/.test(promptText) && decodeDropsLeadingSpace(tok)) {
    const spaced = tok.encode(`${promptText} ${answerText}`, special);
    const answerIds = spaced.slice(prompt.length);
    if (startsWith(spaced, prompt) && tok.decode(answerIds) === answerText) return { ids: answerIds, source: 'joint_space' };
  }
  const joint = tok.encode(promptText + answerText, special);
  if (startsWith(joint, prompt)) return { ids: joint.slice(prompt.length), source: 'joint' };

  const newline = tok.encode('\n', { addSpecialTokens: false });
  const afterNewline = tok.encode('\n' + answerText, { addSpecialTokens: false });
  if (startsWith(afterNewline, newline)) return { ids: afterNewline.slice(newline.length), source: 'after_newline' };

  return { ids: tok.encode(answerText, { addSpecialTokens: false }), source: 'alone' };
}

const dropsLeadingSpace = new WeakMap<object, boolean>();

/** Whether decoding a slice that starts at a word loses the word's space ("▁b" → "b"), as SentencePiece does. */
function decodeDropsLeadingSpace(tok: SequenceTokenizer): boolean {
  let drops = dropsLeadingSpace.get(tok);
  if (drops === undefined) {
    const ids = tok.encode('a b', { addSpecialTokens: false });
    drops = ids.length === 2 && tok.decode(ids.slice(1)) === 'b';
    dropsLeadingSpace.set(tok, drops);
  }
  return drops;
}

function givenSequence(
  tok: SequenceTokenizer,
  row: DatasetRow,
  ids: readonly number[],
  prompt: readonly number[],
): TokenSequence {
  const bad = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= tok.vocabSize);
  if (bad >= 0) {
    throw new SequenceError(
      `${describeRow(row)}: input_output_ids[${bad}] = ${ids[bad]} is not a token id of this tokenizer (0…${tok.vocabSize - 1})`,
    );
  }
  if (!startsWith(ids, prompt)) {
    const at = firstDifference(ids, prompt);
    throw new SequenceError(
      `${describeRow(row)}: input_output_ids do not start with the prompt's tokens ` +
        `(they differ at index ${at}: ${ids[at] ?? 'end of ids'} vs ${prompt[at]}; prompt tokens: [${prompt.join(', ')}]). ` +
        `Were they made with another tokenizer or prompt?`,
    );
  }
  return { ids: [...ids], qLength: prompt.length, answerTokens: 'input_output_ids', stopAppended: false };
}

function startsWith(ids: readonly number[], prefix: readonly number[]): boolean {
  return ids.length >= prefix.length && prefix.every((id, i) => ids[i] === id);
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}
