// `judge`: a file of answers generated elsewhere (vLLM, the paper's scripts) → the same labels and exact
// answers `generate` gives, in the paper's model-output layout (§6.1) with the input's other columns
// kept. No model runs unless an extraction model is asked for (or the answers' instruct model is named
// with --model); the answers' model kind decides how their text is read (base answers are cut to their
// first line before the exact-answer search).

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { DatasetKind, ModelKindChoice } from '../../../contract/datasetKinds';
import { LayerProbeError } from '../../../contract/errors';
import type { ProviderChoice, TextEncodingName } from '../../../contract/runOptions';
import { parseZeroOne } from '../../dataset/cellValues';
import { DatasetError } from '../../dataset/errors';
import { readTable, tableFormatOf } from '../../dataset/readTable';
import { isUnnamedIndexColumn, type Table } from '../../dataset/table';
import { formatTable, writeFileAtomically } from '../../dataset/writeTable';
import { quietOnnxruntimeLogging } from '../../model/executionProviders';
import { loadModelTokenizer, type ModelTokenizer } from '../../tokenize/modelTokenizer';
import { AnswersFileError } from '../answersFile';
import { benchmarkPrompts } from '../benchmarkPrompts';
import { describeExactAnswerMode, describeExactAnswers, type ExactAnswerMode } from '../exactAnswerMode';
import { applyExtraction } from '../extraction/applyExtraction';
import { chooseExtractionModel } from '../extraction/chooseExtractionModel';
import { ExactAnswerExtractor } from '../extraction/exactAnswerExtractor';
import { COMMON_END_TOKENS, endTokenTexts, type ExactAnswerSource, judgeAnswerText, type JudgedAnswer, judgedRow } from '../judgeText';
import { answerColumns } from '../kinds/answerRow';
import { EXACT_ANSWER_FROM_CORRECTNESS } from '../kinds/exactAnswer';
import { pyFloatStr } from '../kinds/pythonText';
import { benchmarkFromTable } from '../kinds/readBenchmark';
import type { BenchmarkItem } from '../kinds/types';
import { type AnswersLayout, detectAnswersKind, detectAnswersLayout, fileNameHint } from './answersLayout';
import { modelOutputItems } from './modelOutputItems';

export interface JudgeAnswersOptions {
  answersFile: string;
  /** How the answers file is decoded (default utf-8); the judged file is written in UTF-8. */
  encoding?: TextEncodingName;
  /** Largest answers file read (MiB); the option's default unless given. */
  maxDatasetMB?: number;
  /** Default: `<input name>-judged.<ext>` beside the input, in the input's format; else the format its extension names. */
  outFile?: string;
  /** Replace an existing output file (never the input). */
  force?: boolean;
  /** Default: told from the file's columns (and the paper's file name). */
  datasetKind?: DatasetKind;
  /** The answers' model kind; default: --model's tokenizer, else the paper's file name ('instruct' in the model's name). */
  modelKind?: ModelKindChoice;
  /** The model that wrote the answers: its folder name is the reference's model_name, its tokenizer gives base/instruct and end tokens. */
  modelDir?: string;
  /** qa rows of a raw benchmark file: the prompt template generate used (default its own). */
  promptTemplate?: string;
  /** The extraction model for wrong rows (layerProbe.extractionModel): a folder, or '' (default) for --model when it is an instruct model with a chat template; else the heuristic. */
  extractionModel?: string;
  /** Sample the extraction model as the reference does, seeded by `seed`; default greedy. */
  extractionSampling?: boolean;
  seed?: number;
  executionProvider?: ProviderChoice;
  /** Extraction prompts per forward pass. */
  batchSize?: number;
  log?: (line: string) => void;
}

export interface JudgedAnswers {
  outFile: string;
  layout: AnswersLayout;
  layoutReason: string;
  kind: DatasetKind;
  kindReason: string;
  modelKind: ModelKindChoice;
  modelKindReason: string;
  columns: string[];
  rows: Record<string, unknown>[];
  accuracy: number;
  /** How exact answers were found, in words (which mode, for the summary). */
  exactAnswers: string;
  exactAnswerMode: ExactAnswerMode;
  /** Rows per exact-answer source. */
  sources: Record<ExactAnswerSource, number>;
  /** With an extraction model: rows whose prompt outgrew its position table (they keep the heuristic). */
  extractionTooLong?: number;
  /** When the input had automatic_correctness: how many of its labels the rules give differently. */
  labelsChanged?: number;
}

// Extraction prompts per decoder call: as generate's rounds.
const ROWS_PER_ROUND = 64;

export class JudgeRefused extends LayerProbeError {
  override name = 'JudgeRefused';
}

export async function judgeAnswersFile(options: JudgeAnswersOptions): Promise<JudgedAnswers> {
  const log = options.log ?? (() => undefined);
  const input = path.resolve(options.answersFile);
  const outFile = path.resolve(options.outFile ?? defaultJudgedFile(input));
  checkOutFile(outFile, input, options.force === true);
  const outFormat = tableFormatOf(outFile);
  if (outFormat === undefined) throw new JudgeRefused(`${outFile}: the judged file must end in .jsonl, .json or .csv (it is written in that format)`);
  const table = await readTable(input, { maxMB: options.maxDatasetMB, encoding: options.encoding });

  const layout = detectAnswersLayout(table);
  const detected = options.datasetKind ? { kind: options.datasetKind, reason: 'given' } : detectAnswersKind(table, layout.layout);
  if (!detected) {
    throw new DatasetError(
      { file: input },
      `which benchmark these answers are for cannot be told from the columns (${table.columns.join(', ')}); name it with --dataset-kind`,
    );
  }
  const kind = detected.kind;
  const tok = options.modelDir === undefined ? undefined : loadModelTokenizer(options.modelDir, { kind: options.modelKind });
  const { modelKind, reason: modelKindReason } = answersModelKind(options, tok, input);
  const modelName = options.modelDir !== undefined ? folderName(options.modelDir) : (fileNameHint(input)?.model ?? '');
  log(`${input}: ${table.records.length} answers, ${layout.layout} layout (${layout.reason}); ${kind} (${detected.reason}); ${modelKind} model (${modelKindReason})`);

  const { items, prompts } = itemsAndPrompts(table, layout.layout, kind, modelKind, modelName, options.promptTemplate);
  const answers = table.records.map((record, rowIndex) => answerCell(table, record, rowIndex));
  const endTokens = tok ? endTokenTexts(tok) : COMMON_END_TOKENS;
  const first: JudgedAnswer[] = items.map((item, i) => judgeAnswerText(kind, item, answers[i], modelKind, { modelName, endTokens }));
  const { judged, mode, tooLong } = await extractWhereAsked(options, kind, tok, first, log);

  const outputColumns = ['id', ...answerColumns(kind), 'exact_answer_source'];
  const kept = table.columns.filter((column) => !isUnnamedIndexColumn(column) && !outputColumns.includes(column));
  const hasId = items.some((item) => item.id !== undefined);
  const columns = [...(hasId ? ['id'] : []), ...answerColumns(kind), 'exact_answer_source', ...kept];
  const rows = items.map((item, i) => {
    const row: Record<string, unknown> = {
      ...(item.id === undefined ? {} : { id: item.id }),
      ...judgedRow(kind, item, prompts[i], answers[i], judged[i]),
    };
    for (const column of kept) row[column] = table.records[i][column];
    // pandas writes math's float gold as its repr (9.0), which a CSV must spell out.
    if (outFormat === 'csv' && typeof row.correct_answer === 'number') row.correct_answer = pyFloatStr(row.correct_answer);
    return row;
  });
  writeFileAtomically(outFile, formatTable(outFormat, columns, rows));

  const sources: Record<ExactAnswerSource, number> = { gold: 0, correctness: 0, extraction: 0, heuristic: 0 };
  for (const j of judged) sources[j.source]++;
  const correct = judged.filter((j) => j.judgement.automaticCorrectness === 1).length;
  return {
    outFile,
    layout: layout.layout,
    layoutReason: layout.reason,
    kind,
    kindReason: detected.reason,
    modelKind,
    modelKindReason,
    columns,
    rows,
    accuracy: correct / rows.length,
    exactAnswers: describeExactAnswers(kind, mode),
    exactAnswerMode: mode,
    sources,
    ...(mode.mode === 'extraction' ? { extractionTooLong: tooLong } : {}),
    labelsChanged: labelsChanged(table, judged),
  };
}

/**
 * The extraction model's exact answers for the rows that ask for one, ROWS_PER_ROUND prompts per
 * decoder call; without an extraction model the heuristic's stay.
 */
async function extractWhereAsked(
  options: JudgeAnswersOptions,
  kind: DatasetKind,
  tok: ModelTokenizer | undefined,
  judged: JudgedAnswer[],
  log: (line: string) => void,
): Promise<{ judged: JudgedAnswer[]; mode: ExactAnswerMode; tooLong: number }> {
  const heuristic: ExactAnswerMode = { mode: 'heuristic' };
  if (EXACT_ANSWER_FROM_CORRECTNESS.has(kind)) {
    if (options.extractionModel) log(`exact answers: from ${kind}'s correctness rule; the extraction model is not used (the reference runs none on this kind)`);
    return { judged, mode: heuristic, tooLong: 0 };
  }
  const answering = options.modelDir === undefined ? undefined : { dir: options.modelDir, tok };
  const choice = chooseExtractionModel(options.extractionModel ?? '', answering);
  if (choice.dir === undefined) {
    log(`exact answers of wrong rows: ${describeExactAnswerMode(heuristic)} (${choice.reason})`);
    return { judged, mode: heuristic, tooLong: 0 };
  }
  quietOnnxruntimeLogging();
  const extractor = await ExactAnswerExtractor.open(choice.dir, {
    sampling: options.extractionSampling ?? false,
    seed: options.seed ?? 0,
    executionProvider: options.executionProvider,
    batchSize: options.batchSize,
  });
  log(`exact answers of wrong rows: ${describeExactAnswerMode(extractor.mode)} (${choice.reason}; ${extractor.family} post-processing)`);
  const out = [...judged];
  let tooLong = 0;
  try {
    const asking = judged.flatMap((j, i) => (j.extraction ? [i] : []));
    for (let start = 0; start < asking.length; start += ROWS_PER_ROUND) {
      const rows = asking.slice(start, start + ROWS_PER_ROUND);
      const round = await applyExtraction(extractor, rows, rows.map((i) => judged[i]));
      rows.forEach((i, k) => (out[i] = round.judged[k]));
      tooLong += round.tooLong;
      log(`extraction: ${Math.min(start + ROWS_PER_ROUND, asking.length)}/${asking.length} rows`);
    }
  } finally {
    await extractor.release();
  }
  if (tooLong > 0) log(`${tooLong} rows' extraction prompts do not fit ${extractor.name}'s position table: they kept the heuristic exact answer`);
  return { judged: out, mode: extractor.mode, tooLong };
}

/** `<name>-judged.<ext>` beside the input, in its format (.ndjson and .jsonl stay what they were). */
export function defaultJudgedFile(input: string): string {
  const { dir, name, ext } = path.parse(input);
  return path.join(dir, `${name}-judged${ext.toLowerCase()}`);
}

/** Never the input; an existing file only with --force. */
function checkOutFile(outFile: string, input: string, force: boolean): void {
  if (sameFile(outFile, input)) {
    throw new AnswersFileError(`${outFile}: the judged file would overwrite the answers file it is made from; choose another --out`);
  }
  if (fs.existsSync(outFile) && !force) {
    throw new AnswersFileError(`${outFile} already exists: delete it, choose another --out, or pass --force to replace it`);
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return path.resolve(a) === path.resolve(b);
  }
}

function answersModelKind(options: JudgeAnswersOptions, tok: ModelTokenizer | undefined, input: string): { modelKind: ModelKindChoice; reason: string } {
  if (options.modelKind !== undefined) return { modelKind: options.modelKind, reason: 'given' };
  if (tok !== undefined) return { modelKind: tok.kind, reason: tok.kindReason };
  const hint = fileNameHint(input);
  if (hint !== undefined) {
    // The reference's own rule: `'instruct' in model_name.lower()`.
    const instruct = hint.model.toLowerCase().includes('instruct');
    return { modelKind: instruct ? 'instruct' : 'base', reason: `the paper's file name names the model ${hint.model}` };
  }
  throw new JudgeRefused(
    `${input}: cannot tell whether a base or an instruct model wrote these answers; name it with --model-kind base|instruct ` +
      '(or --model <dir>): base-model answers are cut to their first line before the exact-answer search, and raw benchmark rows get that kind of prompt',
  );
}

function itemsAndPrompts(
  table: Table,
  layout: AnswersLayout,
  kind: DatasetKind,
  modelKind: ModelKindChoice,
  modelName: string,
  template: string | undefined,
): { items: BenchmarkItem[]; prompts: string[] } {
  if (layout === 'model-output') {
    const read = modelOutputItems(table, kind);
    return { items: read.map((r) => r.item), prompts: read.map((r) => r.prompt) };
  }
  const { items } = benchmarkFromTable(table, kind);
  return { items, prompts: benchmarkPrompts(kind, items, modelKind, modelName, template) };
}

/** A model_answer cell: text as written (an empty answer is an answer); a missing cell is an error naming the row. */
function answerCell(table: Table, record: Record<string, unknown>, rowIndex: number): string {
  const value = record.model_answer;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  const found = value === undefined ? 'nothing' : JSON.stringify(value);
  throw new DatasetError(
    { file: table.file, rowIndex, line: table.lines[rowIndex], column: 'model_answer' },
    `expected the model's answer as text, found ${found}`,
  );
}

function labelsChanged(table: Table, judged: readonly JudgedAnswer[]): number | undefined {
  if (!table.columns.includes('automatic_correctness')) return undefined;
  let changed = 0;
  table.records.forEach((record, i) => {
    const parsed = parseZeroOne(record.automatic_correctness);
    if ('value' in parsed && parsed.value !== judged[i].judgement.automaticCorrectness) changed++;
  });
  return changed;
}

function folderName(dir: string): string {
  return dir.split(/[\\/]/).filter((part) => part !== '').pop() ?? '';
}
