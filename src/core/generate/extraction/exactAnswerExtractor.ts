// The reference's extraction model (extract_exact_answer.py, llmsknow-pipeline.md §5), run: for each row
// it hands over (wrong rows; every natural_questions row), its two-shot prompt rendered through the
// extraction model's chat template, decoded greedily (or sampled as the reference does: T = 1, top_k 50,
// up to 5 attempts while invalid), post-processed by the model family's rule and checked by the
// validity rule (kinds/extraction.ts). All prompts of a round go to the decoder in one call.

import * as path from 'node:path';

import { LayerProbeError } from '../../../contract/errors';
import { defaultRunOptions, type ProviderChoice } from '../../../contract/runOptions';
import { providerOrder } from '../../model/executionProviders';
import type { OriginalSession } from '../../model/ortSession';
import { renderChatPrompt } from '../../tokenize/chatTemplate';
import { loadModelTokenizer, type ModelTokenizer } from '../../tokenize/modelTokenizer';
import { promptTokens } from '../../tokenize/sequence';
import type { ExactAnswerMode } from '../exactAnswerMode';
import { generateGreedy, openGreedySession, REFERENCE_EXTRACTION_SAMPLING, rowSeed } from '../greedy';
import type { ExtractionInput } from '../judgeText';
import { extractionPrompt, type ExtractorFamily, extractorFamily, postprocessExtraction } from '../kinds/extraction';
import type { ExactAnswer } from '../kinds/types';

/** max_new_tokens of the reference's extraction `generate` call. */
export const EXTRACTION_MAX_NEW_TOKENS = 100;
/** Attempts while the extraction is invalid, when sampling (the reference's `retries < 5`); greedy needs one. */
export const EXTRACTION_ATTEMPTS = 5;

/**
 * The reference applies the chat template with add_generation_prompt left False (its `tokenize`), for
 * the extraction model as for the answering one; its Llama rule keeps the *last* line because the
 * model then writes the assistant header itself.
 */
const EXTRACTION_PROMPT_FORMAT = { chatTemplate: 'auto', addGenerationPrompt: false } as const;

export interface ExtractionSettings {
  /** Sample as the reference does (T = 1, top_k 50, up to 5 attempts); false: greedy, one attempt. */
  sampling: boolean;
  /** The run's seed: with the row index and the attempt, it seeds each row's draws. */
  seed: number;
  executionProvider?: ProviderChoice;
  /** Prompts per forward pass (the decoder's default when unset). */
  batchSize?: number;
}

export class ExtractionModelError extends LayerProbeError {
  override name = 'ExtractionModelError';
}

/** One row for the extraction model; `row` seeds its sampling, so its draws do not depend on batching. */
export interface ExtractionRequest extends ExtractionInput {
  row: number;
}

export type ExtractionOutcome =
  | { exact: ExactAnswer; attempts: number; raw: string }
  /** The prompt plus 100 new tokens would outgrow the model's position table: the row keeps its heuristic answer. */
  | { tooLong: true };

/** The answering model's session, when it is open already: the extraction model is then not loaded twice. */
export interface OpenSession {
  dir: string;
  session: OriginalSession;
}

export class ExactAnswerExtractor {
  readonly family: ExtractorFamily;
  readonly mode: ExactAnswerMode & { mode: 'extraction' };

  private constructor(
    readonly dir: string,
    readonly name: string,
    readonly tok: ModelTokenizer,
    private readonly session: OriginalSession,
    private readonly ownsSession: boolean,
    private readonly settings: ExtractionSettings,
  ) {
    this.family = extractorFamily(name);
    this.mode = {
      mode: 'extraction',
      model: name,
      ...(settings.sampling ? { sampling: { seed: settings.seed, ...REFERENCE_EXTRACTION_SAMPLING, attempts: EXTRACTION_ATTEMPTS } } : {}),
    };
  }

  /**
   * Opens `dir` as the extraction model: an instruct model whose tokenizer config has a chat template
   * of its own (the reference renders the prompt through it). `reuse` is the answering model's open
   * session, taken when it is the same folder.
   */
  static async open(dir: string, settings: ExtractionSettings, reuse?: OpenSession): Promise<ExactAnswerExtractor> {
    const tok = loadModelTokenizer(dir);
    if (tok.kind !== 'instruct' || tok.chatTemplate === undefined) {
      throw new ExtractionModelError(
        `${dir}: not usable as the extraction model: ${tok.kindReason}. The reference's extraction model is an instruct model whose ` +
          `prompt goes through its chat template; choose an instruct model folder (layerProbe.extractionModel / --extraction-model), ` +
          `or leave it empty for the heuristic`,
      );
    }
    const same = reuse !== undefined && path.resolve(reuse.dir) === path.resolve(dir);
    const session = same ? reuse.session : await openGreedySession(dir, providerOrder(settings.executionProvider ?? defaultRunOptions().executionProvider));
    return new ExactAnswerExtractor(dir, folderName(dir), tok, session, !same, settings);
  }

  /** The text the model reads for a row: the reference's two-shot prompt as one user message of the chat template. */
  renderPrompt(input: ExtractionInput): string {
    return renderChatPrompt(this.tok, extractionPrompt(input.question, input.answer), EXTRACTION_PROMPT_FORMAT.addGenerationPrompt);
  }

  /** Its token ids (the template's text carries BOS, so it is encoded without special tokens, as apply_chat_template does). */
  promptIds(input: ExtractionInput): number[] {
    return promptTokens(this.tok, extractionPrompt(input.question, input.answer), EXTRACTION_PROMPT_FORMAT);
  }

  /** The exact answer of each request, in order (one decoder call per attempt for all pending rows). */
  async extract(requests: readonly ExtractionRequest[]): Promise<ExtractionOutcome[]> {
    const outcomes: (ExtractionOutcome | undefined)[] = requests.map(() => undefined);
    const ids = requests.map((request) => this.promptIds(request));
    const limit = this.session.folder.maxPositions;
    let pending: number[] = [];
    requests.forEach((_, i) => {
      if (limit !== undefined && ids[i].length + EXTRACTION_MAX_NEW_TOKENS > limit) outcomes[i] = { tooLong: true };
      else pending.push(i);
    });
    const attempts = this.settings.sampling ? EXTRACTION_ATTEMPTS : 1;
    for (let attempt = 0; attempt < attempts && pending.length > 0; attempt++) {
      const generated = await generateGreedy(
        this.session,
        pending.map((i) => ids[i]),
        {
          maxNewTokens: EXTRACTION_MAX_NEW_TOKENS,
          stopIds: this.tok.stopIds,
          batchSize: this.settings.batchSize,
          sampling: this.settings.sampling
            ? { ...REFERENCE_EXTRACTION_SAMPLING, seeds: pending.map((i) => rowSeed(this.settings.seed, requests[i].row, attempt)) }
            : undefined,
        },
      );
      const retry: number[] = [];
      pending.forEach((i, k) => {
        const raw = this.decodeExtraction(generated[k]);
        const exact = postprocessExtraction(raw, this.family, requests[i].answer);
        outcomes[i] = { exact, attempts: attempt + 1, raw };
        // The reference keeps the last attempt's output even when it is invalid.
        if (exact.valid === 0) retry.push(i);
      });
      pending = retry;
    }
    return outcomes.map((outcome) => outcome!);
  }

  async release(): Promise<void> {
    if (this.ownsSession) await this.session.session.release();
  }

  /**
   * The reference's decode (special tokens kept), which its Mistral and Llama rules then clean. A model of
   * another family has no rule for its end token, so a trailing stop token is left out of the decode
   * instead (deliberate extension: the reference stops on such models).
   */
  private decodeExtraction(generated: readonly number[]): string {
    if (this.family !== 'other') return this.tok.decode(generated);
    let end = generated.length;
    while (end > 0 && this.tok.stopIds.includes(generated[end - 1])) end--;
    return this.tok.decode(generated.slice(0, end));
  }
}

function folderName(dir: string): string {
  return path.basename(path.resolve(dir));
}
