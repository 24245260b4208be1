// Step 1 of the reference pipeline (generate_model_answers.py, compute_correctness.py and the correct-row
// half of extract_exact_answer.py): a raw benchmark file → the model's greedy answers, judged by the
// dataset kind's rule, with their exact answers, in the paper's model-output layout (§6.1) plus the
// token ids the probes read. Rows are written as they are generated and a stopped run resumes.

import * as fs from 'node:fs';

import type { DatasetKind, ModelKindChoice } from '../../contract/datasetKinds';
import { LayerProbeError, RunCancelled } from '../../contract/errors';
import type { AnswersProvenance } from '../../contract/result';
import { DEFAULT_PROMPT_FORMAT, defaultRunOptions, type PromptFormat, type ProviderChoice, type TextEncodingName } from '../../contract/runOptions';
import { acquireRunLock } from '../../storage/runLock';
import { DatasetError } from '../dataset/errors';
import { readTable } from '../dataset/readTable';
import { providerOrder, quietOnnxruntimeLogging } from '../model/executionProviders';
import { loadModelTokenizer } from '../tokenize/modelTokenizer';
import { promptTokens } from '../tokenize/sequence';
import { AnswersWriter, type GeneratedAnswerRow } from './answersFile';
import { benchmarkPrompts } from './benchmarkPrompts';
import { describeExactAnswerMode, describeExactAnswers, type ExactAnswerMode } from './exactAnswerMode';
import { applyExtraction } from './extraction/applyExtraction';
import { chooseExtractionModel } from './extraction/chooseExtractionModel';
import { ExactAnswerExtractor,EXTRACTION_MAX_NEW_TOKENS } from './extraction/exactAnswerExtractor';
import { generateGreedyWithScores, type GreedyDecoding, openGreedySession } from './greedy';
import { endTokenTexts, judgeAnswerText, type JudgedAnswer, judgedRow } from './judgeText';
import {
  benchmarkFromTable,
  type BenchmarkItem,
  CORRECTNESS_RULES,
  detectDatasetKind,
  EXACT_ANSWER_FROM_CORRECTNESS,
  maxNewTokens as kindMaxNewTokens,
  stopRule,
} from './kinds';

const DEFAULT_RUN_OPTIONS = defaultRunOptions();
// Rows generated (and written) per round: small enough that a stopped run loses little, large enough
// to fill a batch of every length group.
const ROWS_PER_ROUND = 64;

export interface GenerateAnswersOptions {
  questionsFile: string;
  /** How the question file is decoded (default utf-8); the answers are always written in UTF-8. */
  encoding?: TextEncodingName;
  /** Largest question file read (MiB); the option's default unless given. */
  maxDatasetMB?: number;
  modelDir: string;
  /** Where the answers are written (JSONL), row by row; a `.partial` file beside it until complete. */
  outFile: string;
  /** Default: detected from the file's columns. */
  datasetKind?: DatasetKind;
  /** Overrides the base/instruct decision, which picks the prompt, the stop token (newline vs EOS) and the judge's reading. */
  modelKind?: ModelKindChoice;
  /** `qa` only: `{question}` is replaced by the question (default `Q: {question}\nA:`, the toy-facts format). */
  promptTemplate?: string;
  /** Default: the kind's (the reference's 100; 200 for math). */
  maxNewTokens?: number;
  /** Only the first `limit` records of the file. */
  limit?: number;
  batchSize?: number;
  /** Chat template and add_generation_prompt: the probing run must use the same to find q_length. */
  promptFormat?: PromptFormat;
  executionProvider?: ProviderChoice;
  /**
   * The model that extracts exact answers of wrong rows (layerProbe.extractionModel): a folder, or ''
   * (default) for this model when it is an instruct model with a chat template of its own; otherwise
   * the heuristic short answer.
   */
  extractionModel?: string;
  /** Sample the extraction model as the reference does (T = 1, top_k 50, up to 5 attempts), seeded by `seed`; default greedy. */
  extractionSampling?: boolean;
  /** The run's seed (extraction sampling). Default 0. */
  seed?: number;
  onProgress?: (progress: GenerationProgress) => void;
  /** While another generation writes the same answers file: who it is (the progress message). */
  onWaiting?: (message: string) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Poll interval (ms) while another generation holds the answers file (default 1 s). */
  lockPollMs?: number;
}

export interface GenerationProgress {
  done: number;
  total: number;
  /** Rows found in a `.partial` file of an earlier, stopped run. */
  resumed: number;
  /** Generated tokens so far in this run, and the seconds it took. */
  tokens: number;
  seconds: number;
}

export interface GeneratedAnswers {
  rows: GeneratedAnswerRow[];
  outFile: string;
  kind: DatasetKind;
  kindReason: string;
  /** Fraction of rows with automatic_correctness 1. */
  accuracy: number;
  modelKind: ModelKindChoice;
  stopIds: readonly number[];
  stopRule: string;
  /** How exact answers were found: the kind's rule, the gold, and for wrong rows the extraction model (greedy or sampled, seed) or the heuristic. */
  exactAnswers: string;
  /** What ran for the rows the reference hands to its extraction model. */
  exactAnswerMode: ExactAnswerMode;
  /** Rows of this run (not resumed) whose exact answer the extraction model gave, and those whose prompt was too long for it. */
  extraction?: { extracted: number; tooLong: number };
  provider: string;
  resumed: number;
  /** How this run decoded (KV cache or not, and why); undefined when every row was resumed. */
  decoding?: GreedyDecoding;
  /** What the panel header and result.json record about these answers. */
  provenance: AnswersProvenance;
}

export class GenerationRefused extends LayerProbeError {
  override name = 'GenerationRefused';
}

/**
 * One generation per answers file at a time (`<out>.lock`): a second one waits, then resumes from or
 * refuses what the first wrote.
 */
export async function generateAnswers(options: GenerateAnswersOptions): Promise<GeneratedAnswers> {
  const lock = await acquireRunLock(`${options.outFile}.lock`, `the answers file ${options.outFile}`, 'generate', {
    log: options.log,
    onWaiting: options.onWaiting,
    signal: options.signal,
    pollMs: options.lockPollMs,
  });
  try {
    return await generateLocked(options, lock.waited);
  } finally {
    lock.release();
  }
}

async function generateLocked(options: GenerateAnswersOptions, waited: boolean): Promise<GeneratedAnswers> {
  const log = options.log ?? (() => undefined);
  const table = await readTable(options.questionsFile, { maxMB: options.maxDatasetMB, encoding: options.encoding });
  const detected = options.datasetKind ? { kind: options.datasetKind, reason: 'given' } : detectDatasetKind(table.columns, table.records);
  if (!detected) {
    throw new DatasetError(
      { file: options.questionsFile },
      `which benchmark this is cannot be told from its columns (${table.columns.join(', ')}); name its kind (--dataset-kind / layerProbe.datasetKind)`,
    );
  }
  const kind = detected.kind;
  const benchmark = benchmarkFromTable(table, kind, { limit: options.limit });
  const items = benchmark.items;
  if (items.length === 0) throw new DatasetError({ file: options.questionsFile }, 'has no questions');
  const tok = loadModelTokenizer(options.modelDir, { kind: options.modelKind });
  const modelKind = tok.kind;
  const modelName = options.modelDir.split(/[\\/]/).filter((p) => p !== '').pop() ?? '';
  const prompts = benchmarkPrompts(kind, items, modelKind, modelName, options.promptTemplate);
  const promptFormat = options.promptFormat ?? DEFAULT_PROMPT_FORMAT;
  // The probing side's own prompt tokenization, so that q_length there is the prompt length here.
  const promptIds = prompts.map((prompt) => promptTokens(tok, prompt, promptFormat));
  const maxNewTokens = options.maxNewTokens ?? kindMaxNewTokens(kind);
  log(`${benchmark.file}: ${items.length} ${kind} questions (${detected.reason}); ${modelKind} model, at most ${maxNewTokens} new tokens`);

  const writer = openWriter(options, waited);
  const rows = writer.resumedRows(items.length, (i, row) => row.raw_question === items[i].rawQuestion);
  const resumed = rows.length;
  if (resumed > 0) log(`resuming ${options.outFile}: ${resumed} of ${items.length} rows were generated by an earlier run`);

  quietOnnxruntimeLogging();
  // One session: on a graph with a KV cache its logits are cut to the last position (greedy.ts).
  const original = await openGreedySession(options.modelDir, providerOrder(options.executionProvider ?? DEFAULT_RUN_OPTIONS.executionProvider));
  const started = performance.now();
  let tokens = 0;
  let decoding: GreedyDecoding | undefined;
  const endTokens = endTokenTexts(tok);
  const extractionCounts = { extracted: 0, tooLong: 0 };
  let extractor: ExactAnswerExtractor | undefined;
  try {
    if (EXACT_ANSWER_FROM_CORRECTNESS.has(kind)) {
      log(`exact answers: from ${kind}'s correctness rule${options.extractionModel ? '; the extraction model is not used (the reference runs none on this kind)' : ''}`);
    } else {
      const choice = chooseExtractionModel(options.extractionModel ?? '', { dir: options.modelDir, tok });
      if (choice.dir !== undefined) {
        const settings = {
          sampling: options.extractionSampling ?? false,
          seed: options.seed ?? DEFAULT_RUN_OPTIONS.seed,
          executionProvider: options.executionProvider,
          batchSize: options.batchSize,
        };
        extractor = await ExactAnswerExtractor.open(choice.dir, settings, { dir: options.modelDir, session: original });
        log(`exact answers of wrong rows: ${describeExactAnswerMode(extractor.mode)} (${choice.reason}; ${extractor.family} post-processing)`);
      } else log(`exact answers of wrong rows: ${describeExactAnswerMode({ mode: 'heuristic' })} (${choice.reason})`);
    }
    // A resumed partial file keeps the exact answers its own run found, with whatever that run had.
    const otherSource = extractor ? 'heuristic' : 'extraction';
    const mixed = rows.filter((row) => row.exact_answer_source === otherSource).length;
    if (mixed > 0) log(`note: ${mixed} resumed rows kept their ${otherSource} exact answers from the earlier run`);
    options.onProgress?.({ done: resumed, total: items.length, resumed, tokens: 0, seconds: 0 });
    for (let start = resumed; start < items.length; start += ROWS_PER_ROUND) {
      if (options.signal?.aborted) throw new RunCancelled('cancelled during generation');
      const end = Math.min(items.length, start + ROWS_PER_ROUND);
      const generated = await generateGreedyWithScores(original, promptIds.slice(start, end), {
        maxNewTokens,
        stopIds: tok.stopIds,
        batchSize: options.batchSize,
      });
      if (decoding === undefined) {
        decoding = generated.decoding;
        log(`decoding: ${describeDecoding(decoding)}`);
      }
      const answers = generated.ids.map((ids) => tok.decode(ids));
      const indices = answers.map((_, k) => start + k);
      const first = answers.map((answer, k) => judgeAnswerText(kind, items[start + k], answer, modelKind, { modelName, endTokens }));
      // Every extraction prompt of the round in one decoder call, before the round is written.
      const extracted = await applyExtraction(extractor, indices, first);
      extractionCounts.extracted += extracted.extracted;
      extractionCounts.tooLong += extracted.tooLong;
      const round: GeneratedAnswerRow[] = generated.ids.map((ids, k) => ({
        ...judgedGeneratedRow(kind, items[start + k], prompts[start + k], answers[k], extracted.judged[k], promptIds[start + k], ids),
        token_logits: generated.logits[k],
        token_logprobs: generated.logprobs[k],
        token_probs: generated.probs[k],
      }));
      writer.append(round);
      rows.push(...round);
      tokens += generated.ids.reduce((s, ids) => s + ids.length, 0);
      options.onProgress?.({ done: end, total: items.length, resumed, tokens, seconds: (performance.now() - started) / 1000 });
    }
  } finally {
    await extractor?.release();
    await original.session.release();
  }
  writer.complete();
  if (extractionCounts.tooLong > 0) {
    log(`${extractionCounts.tooLong} rows' extraction prompts do not fit the extraction model's position table with ${EXTRACTION_MAX_NEW_TOKENS} new tokens: they kept the heuristic exact answer`);
  }
  const exactAnswerMode: ExactAnswerMode = extractor?.mode ?? { mode: 'heuristic' };
  const correct = rows.filter((row) => row.automatic_correctness === 1).length;
  const exactAnswers = describeExactAnswers(kind, exactAnswerMode);
  const provenance: AnswersProvenance = {
    benchmarkFile: options.questionsFile,
    kind,
    kindReason: detected.reason,
    modelKind,
    promptFormat: describePromptFormat(kind, modelKind, promptFormat, tok.chatTemplate !== undefined),
    correctnessRule: CORRECTNESS_RULES[kind],
    stopRule: stopRule(modelKind).description,
    exactAnswers,
    decoding: decoding ? describeDecoding(decoding) : 'resumed: every row was generated by an earlier run',
    accuracy: correct / rows.length,
  };
  return {
    rows,
    outFile: options.outFile,
    kind,
    kindReason: detected.reason,
    accuracy: correct / rows.length,
    modelKind,
    stopIds: tok.stopIds,
    stopRule: stopRule(modelKind).description,
    exactAnswers,
    exactAnswerMode,
    ...(extractor ? { extraction: extractionCounts } : {}),
    provider: original.provider,
    resumed,
    decoding,
    provenance,
  };
}

function openWriter(options: GenerateAnswersOptions, waited: boolean): AnswersWriter {
  try {
    return AnswersWriter.open(options.outFile, options.questionsFile);
  } catch (err) {
    // The run waited for finished answers the file now holds: say so rather than only "already exists".
    if (waited && fs.existsSync(options.outFile)) {
      throw new GenerationRefused(`${options.outFile} was completed by the other Layer Probe run this one waited for: probe it, or delete it to generate again`, { cause: err });
    }
    throw err;
  }
}

function describePromptFormat(kind: DatasetKind, modelKind: ModelKindChoice, format: PromptFormat, hasTemplate: boolean): string {
  const prompt = `the reference's ${modelKind} prompt for ${kind}`;
  if (format.chatTemplate === 'none' || !hasTemplate) return `${prompt}, plain text`;
  return `${prompt} in the model's chat template${format.addGenerationPrompt ? ', with the generation prompt' : ', without the generation prompt (as the reference)'}`;
}

export function describeDecoding(d: GreedyDecoding): string {
  if (d.path === 'no-cache') return `greedy without a KV cache${d.note ? ` (${d.note})` : ''}`;
  const slice = d.logitsSlice === 'none' || d.logitsSlice === undefined ? 'logits of every position read' : `logits cut to the last position (${d.logitsSlice})`;
  return `greedy with the graph's KV cache (${d.cacheKind}), ${slice}${d.note ? `; ${d.note}` : ''}`;
}

/**
 * One generated answer's answers-file row: its judgement (judgeAnswerText, the same code `judge` runs on
 * answers from elsewhere, with the extraction model's exact answer where one ran) and the ids the probes read.
 */
function judgedGeneratedRow(
  kind: DatasetKind,
  item: BenchmarkItem,
  prompt: string,
  answer: string,
  judged: JudgedAnswer,
  promptIds: readonly number[],
  generated: readonly number[],
): GeneratedAnswerRow {
  return {
    ...(item.id === undefined ? {} : { id: item.id }),
    ...judgedRow(kind, item, prompt, answer, judged),
    input_output_ids: [...promptIds, ...generated],
  };
}
