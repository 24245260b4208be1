// The whole probing pipeline for one request: dataset → sequences → activations → probes → ProbeResult.
// Runs in the worker process and the CLI; its input is the contract's RunRequest.
import * as path from 'node:path';

import type { ColumnDetection, ColumnMapping } from '../../contract/columns';
import type { BaselineResults, ProbeResult } from '../../contract/result';
import { promptFormatOf } from '../../contract/runOptions';
import { TOKEN_POSITIONS } from '../../contract/types';
import type { ProbedCell, RunRequest, RunStage } from '../../contract/workerProtocol';
import { acquireRunLock, CACHE_LOCK_FILE } from '../../storage/runLock';
import { BaselineCache } from '../baselines/baselineCache';
import { assembleBaselines, scoreBaselineRows } from '../baselines/runBaselines';
import { modelIdentity } from '../cache/cacheKey';
import { columnSamples, detectColumns, promptFromValues, resolveColumnMapping } from '../dataset/columns';
import { contentHash, readTable } from '../dataset/readTable';
import { toRows } from '../dataset/rows';
import type { Table } from '../dataset/table';
import { isGpuProvider } from '../model/executionProviders';
import { tokenLimitForRows } from '../model/positionLimit';
import { LOGISTIC_DEFAULTS } from '../probe/logistic';
import { formatCount } from '../progress/formatTiming';
import { timedProgress } from '../progress/timedProgress';
import { loadModelTokenizer } from '../tokenize/modelTokenizer';
import { type Activations, ActivationStage } from './activationStage';
import { buildResult } from './buildResult';
import type { ChunkPolicy } from './cacheSink';
import type { StatfsLike } from './cacheSpace';
import { PipelineError } from './errors';
import { type PreparedRows, prepareRows } from './prepareRows';
import { readingProgress } from './readingProgress';
import { selectRows } from './selectRows';
import { trainProbes } from './trainProbes';

/** A RunRequest plus knobs only tests and benchmarks turn. */
export interface RunInput extends RunRequest {
  /** When cache chunks are written (tests use small chunks). */
  cacheChunkPolicy?: ChunkPolicy;
  /** Free space of the cache's disk (default fs.statfsSync; tests simulate a full disk). */
  cacheStatfs?: StatfsLike;
  /** Upper bound on rows per forward batch (the memory budget usually decides first). */
  maxBatchSize?: number;
  /** Poll interval (ms) while another run holds a cache folder (default 1 s). */
  lockPollMs?: number;
}

export interface RunHooks {
  onProgress?: (stage: RunStage, done: number, total: number, message: string) => void;
  log?: (line: string) => void;
  /** Called when column roles are ambiguous; returns the user's choice (the UI shows a quick pick). */
  resolveColumns?: (detection: ColumnDetection, columns: string[]) => Promise<Partial<ColumnMapping> | undefined>;
  /** After each probe, with the values the result will hold for that cell (a live heatmap). */
  onCell?: (cell: ProbedCell) => void;
  /** Aborting stops the run between batches and probe cells with RunCancelled; finished cache chunks stay. */
  signal?: AbortSignal;
}

/** The whole pipeline for the primary location: dataset → sequences → activations → probes → ProbeResult. */
export async function runProbe(input: RunInput, hooks: RunHooks = {}): Promise<ProbeResult> {
  const [primary] = await runPipeline(input, hooks, false);
  return primary;
}

/** Like runProbe, probing every location (primary first) from one set of forward passes. */
export function runProbeLocations(input: RunInput, hooks: RunHooks = {}): Promise<ProbeResult[]> {
  return runPipeline(input, hooks, true);
}

async function runPipeline(input: RunInput, hooks: RunHooks, probeAll: boolean): Promise<ProbeResult[]> {
  const { options } = input;
  const log = hooks.log ?? (() => undefined);
  // Every stage's message gains its rate and time left here, for the notification, the panel and the CLI alike.
  const progress = timedProgress(hooks.onProgress ?? (() => undefined));
  if (options.modelFolder === '') throw new PipelineError('no model folder given: choose an ONNX model folder');
  const modelDir = options.modelFolder;

  progress('dataset', 0, 1, `Reading ${path.basename(input.datasetFile)}`);
  const reading = readingProgress(progress, input.datasetFile);
  const table = await readTable(input.datasetFile, { maxMB: options.maxDatasetMB, encoding: options.encoding, onBytes: reading.table });
  const mapping = await resolveMapping(input, table, hooks, log);
  const { rows, dropped, droppedRows, notes } = toRows(table, mapping);
  const hash = await contentHash(input.datasetFile, reading.hash);
  log(`dataset ${input.datasetFile}: ${table.records.length} records (${table.format}), columns ${JSON.stringify(mapping)}`);
  for (const d of dropped) log(`dropped ${d.count} rows: ${d.reason}`);
  for (const line of droppedRows) log(`dropped ${line}`);
  for (const note of notes) log(note);

  const selection = selectRows(table.records.length, rows, options);
  const sampled =
    selection.splitSource === 'column' && options.sampleLimit === null
      ? 'the split column is used whole (no sample limit given)'
      : selection.sampleLimit === 0
        ? 'all rows'
        : `a seeded sample of at most ${selection.sampleLimit} rows${options.sampleLimit === null ? ' (the default limit)' : ''}`;
  log(`selected ${selection.train.length} train / ${selection.test.length} test rows (${selection.splitSource} split, ${sampled}, seed ${options.seed})`);

  const cacheDir = options.activationCache ? input.cacheDir : undefined;
  const locations = [...new Set([options.location, ...options.extraLocations])];
  if (locations.length > 1 && !cacheDir && !probeAll) {
    log(`extra locations ${locations.slice(1).join(', ')} are only kept with an activation cache; not extracted`);
    locations.length = 1;
  }
  const promptFormat = promptFormatOf(options);
  const stage = new ActivationStage(
    {
      datasetFile: input.datasetFile,
      modelDir,
      locations,
      extrasOptional: !probeAll,
      executionProvider: options.executionProvider,
      batchMemoryBytes: Math.round(options.batchMemoryMB * 1024 * 1024),
      maxBatchSize: input.maxBatchSize ?? 32,
      cache: cacheDir
        ? { dir: cacheDir, datasetHash: hash, columns: mapping, options, chunkPolicy: input.cacheChunkPolicy, statfs: input.cacheStatfs }
        : undefined,
    },
    { log, progress, signal: hooks.signal, lockPollMs: input.lockPollMs },
  );
  let prepared: PreparedRows;
  let activations: Activations;
  const results: ProbeResult[] = [];
  // The cache folders stay locked until the probes have read them (ActivationStage.beforeTokenize).
  try {
    try {
      await stage.beforeTokenize();
      progress('tokenize', 0, selection.all.length, `Tokenizing ${formatCount(selection.all.length)} rows`);
      // The tokenizer is needed even for rows with input_output_ids: q_length and exact spans come from it.
      const tokenizer = loadModelTokenizer(modelDir);
      const templated = tokenizer.chatTemplate && promptFormat.chatTemplate === 'auto';
      log(`tokenizer: ${tokenizer.kind} model (${tokenizer.kindReason}); prompts ${templated ? `in its chat template, add_generation_prompt ${promptFormat.addGenerationPrompt}` : 'as plain text'}`);
      prepared = await prepareRows(input.datasetFile, tokenizer, selection, dropped, log, promptFormat, tokenLimitForRows(modelDir, log), (done, total) =>
        progress('tokenize', done, total, `Tokenizing ${formatCount(done)}/${formatCount(total)} rows`),
      );
      progress('tokenize', prepared.sequences.length, prepared.sequences.length, `Tokenized ${formatCount(prepared.sequences.length)} rows`);
      activations = await stage.extract(prepared.sequences);
    } finally {
      await stage.close();
    }

    const labels = Uint8Array.from(prepared.ordered, (r) => r.correct);
    const trainIdx = prepared.train.map((_, i) => i);
    const testIdx = prepared.test.map((_, i) => prepared.train.length + i);
    const probed = probeAll ? stage.extracted : [options.location];
    const cellsPerLocation = activations.numLayers * TOKEN_POSITIONS.length;
    progress('probe', 0, cellsPerLocation * probed.length, `Probes 0/${formatCount(cellsPerLocation * probed.length)}`);
    for (const [k, location] of probed.entries()) {
      const grid = await trainProbes(activations.sources.get(location)!, trainIdx, testIdx, labels, {
        ...LOGISTIC_DEFAULTS,
        seed: options.seed,
        // Only when forward passes ran here (providersTried non-empty): a cache says nothing of this machine's GPUs.
        provider: activations.providersTried.length > 0 && isGpuProvider(activations.provider) ? activations.provider : 'cpu',
        signal: hooks.signal,
        workers: options.probeWorkers,
        onCell: (done, cellsTotal, cell) => {
          const total = cellsPerLocation * probed.length;
          const at = ` (${location})`;
          progress('probe', k * cellsPerLocation + done, total, `Probes ${formatCount(k * cellsPerLocation + done)}/${formatCount(total)}${probed.length > 1 ? at : ''}`);
          // After the progress line, so a live panel draws the cell with the stage line that counts it.
          hooks.onCell?.({ location, numLayers: activations.numLayers, ...cell, done, total: cellsTotal });
        },
      });
      log(`Probes (${location}): ${formatCount(cellsPerLocation)} cells, ${grid.workers === 1 ? 'one at a time' : `${grid.workers} at a time in worker threads`}`);
      const unconverged = grid.converged.flat().filter((c) => !c).length;
      if (unconverged > 0) log(`warning: ${location}: ${unconverged} probes did not converge within ${LOGISTIC_DEFAULTS.maxIter} Newton iterations`);
      results.push(
        buildResult({
          datasetFile: input.datasetFile,
          // The dtype the cache was written in, auto resolved (without a cache, activations stay float32 in memory).
          options: { ...options, location, cacheDtype: stage.cacheDtype ?? options.cacheDtype },
          table,
          contentHash: hash,
          mapping,
          dropped,
          selection,
          rows: prepared,
          activations,
          grid,
        }),
      );
    }
  } finally {
    stage.releaseCaches();
  }
  // After the probes (the progress stages' order): the model is loaded once more for them, since a run
  // from the activation cache may not have loaded it at all.
  const baselines = options.baselines ? await scoreBaselines(input, table, hash, prepared, mapping, { ...hooks, onProgress: progress }) : undefined;
  for (const result of results) {
    if (baselines) result.baselines = baselines;
    if (input.answers) result.answers = input.answers;
  }
  for (const note of baselines?.notes ?? []) log(`baselines: ${note}`);
  if (baselines?.best) {
    const best = baselines.entries.find((e) => e.name === baselines.best)!;
    log(`best baseline: ${best.name} AUC ${best.auc!.toFixed(3)}`);
  }
  return results;
}

/** The paper's baselines on the test rows, with the probed model (loaded again: rows may all be cached). */
async function scoreBaselines(
  input: RunInput,
  table: Table,
  datasetHash: string,
  prepared: PreparedRows,
  mapping: ColumnMapping,
  hooks: RunHooks,
): Promise<BaselineResults> {
  const { options } = input;
  const progress = hooks.onProgress ?? (() => undefined);
  const log = hooks.log ?? (() => undefined);
  const cacheDir = options.activationCache ? input.cacheDir : undefined;
  const keyParts = { datasetHash, columns: mapping, model: modelIdentity(options.modelFolder), promptFormat: promptFormatOf(options) };
  // One run at a time on the baselines' folder too: a second one waits and then reads the scores.
  const lock = cacheDir
    ? await acquireRunLock(path.join(BaselineCache.folder(cacheDir, keyParts), CACHE_LOCK_FILE), 'the baselines cache', 'probe', {
        log,
        onWaiting: (message) => progress('baselines', 0, 1, `${message[0].toUpperCase()}${message.slice(1)}`),
        signal: hooks.signal,
        pollMs: input.lockPollMs,
      })
    : undefined;
  try {
    return await scoreBaselinesLocked(input, table, prepared, mapping, hooks, cacheDir ? BaselineCache.open(cacheDir, keyParts) : undefined);
  } finally {
    lock?.release();
  }
}

async function scoreBaselinesLocked(
  input: RunInput,
  table: Table,
  prepared: PreparedRows,
  mapping: ColumnMapping,
  hooks: RunHooks,
  cache: BaselineCache | undefined,
): Promise<BaselineResults> {
  const { options } = input;
  const progress = hooks.onProgress ?? (() => undefined);
  const log = hooks.log ?? (() => undefined);
  const test = prepared.sequences.slice(prepared.train.length);
  const known = cache?.lookup(test);
  const cachedRows = known?.filter((k) => k !== undefined).length ?? 0;
  if (cache) log(`baselines: ${cachedRows} of ${test.length} test rows cached (${path.dirname(cache.file)})`);
  progress('baselines', 0, test.length, `Baselines 0/${formatCount(test.length)} rows`);
  // p(True) asks about the bare question when the file has the reference's raw_question column.
  const rawQuestion = table.columns.includes('raw_question') && mapping.prompt !== 'raw_question' ? 'raw_question' : undefined;
  const request = {
    modelDir: options.modelFolder,
    executionProvider: options.executionProvider,
    batchMemoryBytes: Math.round(options.batchMemoryMB * 1024 * 1024),
    tokenizer: loadModelTokenizer(options.modelFolder),
    promptFormat: promptFormatOf(options),
    sequences: test,
    labels: prepared.test.map((r) => r.correct),
    questions: prepared.test.map((r) => {
      const raw = rawQuestion ? table.records[r.rowIndex]?.[rawQuestion] : undefined;
      return typeof raw === 'string' && raw.trim() !== '' ? raw : r.prompt;
    }),
    answers: prepared.test.map((r) => r.answer),
    generationScores: prepared.test.map((r) => r.generationScores),
    hasExactAnswers: mapping.exactAnswer !== undefined,
    seed: options.seed,
    afterLastSignBug: options.afterLastSignBug,
    signal: hooks.signal,
    // Three scores a row: counted in rows (thirds between), so the rate reads in rows/s.
    onProgress: (done: number, total: number) => progress('baselines', done / 3, total / 3, `Baselines ${formatCount(done / 3)}/${formatCount(total / 3)} rows`),
    known,
  };
  const rows = await scoreBaselineRows(request);
  if (cache && cachedRows < test.length) cache.save(test, rows);
  progress('baselines', test.length, test.length, `Baselines of ${formatCount(test.length)} rows`);
  return assembleBaselines(request, rows);
}

export async function resolveMapping(input: RunInput, table: Table, hooks: RunHooks, log: (line: string) => void): Promise<ColumnMapping> {
  const { columns } = table;
  const detection = detectColumns(columns);
  const fixed: Partial<ColumnMapping> = { ...input.columns };
  const byValues = fixed.prompt === undefined ? promptFromValues(detection, table.records) : undefined;
  if (byValues) {
    fixed.prompt = byValues.column;
    log(`column "${byValues.column}" is the prompt: in every row it contains "${byValues.contains}"`);
  }
  const unresolved = detection.ambiguous.filter((a) => !fixed[a.role]);
  let choice: Partial<ColumnMapping> | undefined;
  if (unresolved.length > 0 && hooks.resolveColumns && !detection.refusal) {
    const samples = columnSamples([...new Set(unresolved.flatMap((a) => a.candidates))], table.records);
    choice = await hooks.resolveColumns({ ...detection, ambiguous: unresolved, samples }, columns);
    if (!choice) throw new PipelineError(`${input.datasetFile}: no column chosen for ${unresolved.map((a) => a.role).join(', ')}`);
  }
  return resolveColumnMapping(input.datasetFile, columns, { ...fixed, ...choice });
}
