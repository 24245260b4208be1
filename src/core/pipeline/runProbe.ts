import { DEFAULT_PROMPT_FORMAT, type PromptFormat } from '../tokenize/chatTemplate';
import * as path from 'node:path';
import type { CacheDtype } from '../cache/cacheKey';
import { readTable, contentHash } from '../dataset/readTable';
import { detectColumns, resolveColumnMapping, type ColumnDetection } from '../dataset/columns';
import { toRows } from '../dataset/rows';
import type { ProviderChoice } from '../model/executionProviders';
import { loadModelTokenizer } from '../tokenize/modelTokenizer';
import type { ProbeResult } from '../result/types';
import { TOKEN_POSITIONS, type ColumnMapping, type ProbeLocation, type RunSettings } from '../types';
import { ActivationStage, type Activations } from './activationStage';
import { buildResult } from './buildResult';
import type { ChunkPolicy } from './cacheSink';
import { prepareRows, type PreparedRows } from './prepareRows';
import { selectRows } from './selectRows';
import { trainProbes } from './trainProbes';
import { PipelineError } from './errors';
import { LOGISTIC_DEFAULTS } from '../probe/logistic';

// C = 1 as scikit-learn's default; solved to |gradient|∞ ≤ tol × its value at zero (Newton iterations).
export const PROBE_DEFAULTS = { ...LOGISTIC_DEFAULTS };

export interface RunInput {
  datasetFile: string;
  modelDir: string;
  /** `settings.location` is the primary location: the one `runProbe` probes and the heatmap shows. */
  settings: RunSettings;
  /**
   * More locations taken from the same forward passes. With a cache they are stored for later runs
   * (switching location then needs no forward pass); `runProbeLocations` also probes them.
   */
  extraLocations?: ProbeLocation[];
  /** Root of the activation caches; absent = no cache (activations in memory only, nothing written). */
  cacheDir?: string;
  /** Element type of cached activations (default float32: probes see exactly what the model gave). */
  cacheDtype?: CacheDtype;
  /** When cache chunks are written (tests use small chunks). */
  cacheChunkPolicy?: ChunkPolicy;
  /** How prompts become text: chat template for instruct models (auto) and add_generation_prompt. */
  promptFormat?: PromptFormat;
  /** Explicit column roles (CLI `--columns`, or a previous answer in the UI). */
  columns?: Partial<ColumnMapping>;
  /** Execution provider choice; `auto` (default) tries the platform's GPU provider, then CPU. */
  executionProvider?: ProviderChoice;
  /** Activation memory one forward batch may use; bounds peak memory on large models. */
  batchMemoryBytes?: number;
  maxBatchSize?: number;
}

export type RunStage = 'dataset' | 'tokenize' | 'model' | 'extract' | 'probe';

export interface RunHooks {
  onProgress?: (stage: RunStage, done: number, total: number, message: string) => void;
  log?: (line: string) => void;
  /** Called when column roles are ambiguous; returns the user's choice (the UI shows a quick pick). */
  resolveColumns?: (detection: ColumnDetection, columns: string[]) => Promise<Partial<ColumnMapping> | undefined>;
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
  const { settings } = input;
  const log = hooks.log ?? (() => undefined);
  const progress = hooks.onProgress ?? (() => undefined);

  progress('dataset', 0, 1, `Reading ${path.basename(input.datasetFile)}`);
  const table = await readTable(input.datasetFile);
  const mapping = await resolveMapping(input, table.columns, hooks);
  const { rows, dropped } = toRows(table, mapping);
  const hash = await contentHash(input.datasetFile);
  log(`dataset ${input.datasetFile}: ${table.records.length} records (${table.format}), columns ${JSON.stringify(mapping)}`);
  for (const d of dropped) log(`dropped ${d.count} rows: ${d.reason}`);

  const selection = selectRows(table.records.length, rows, settings);
  log(`selected ${selection.train.length} train / ${selection.test.length} test rows (${selection.splitSource} split, seed ${settings.seed})`);

  const locations = [...new Set([settings.location, ...(input.extraLocations ?? [])])];
  if (locations.length > 1 && !input.cacheDir && !probeAll) {
    log(`extra locations ${locations.slice(1).join(', ')} are only kept with an activation cache; not extracted`);
    locations.length = 1;
  }
  const promptFormat = input.promptFormat ?? DEFAULT_PROMPT_FORMAT;
  const stage = new ActivationStage(
    {
      datasetFile: input.datasetFile,
      modelDir: input.modelDir,
      locations,
      extrasOptional: !probeAll,
      executionProvider: input.executionProvider,
      batchMemoryBytes: input.batchMemoryBytes ?? 256 * 1024 * 1024,
      maxBatchSize: input.maxBatchSize ?? 32,
      cache: input.cacheDir
        ? {
            dir: input.cacheDir,
            dtype: input.cacheDtype ?? 'float32',
            datasetHash: hash,
            columns: mapping,
            chunkPolicy: input.cacheChunkPolicy,
            promptFormat,
          }
        : undefined,
    },
    { log, progress, signal: hooks.signal },
  );
  let prepared: PreparedRows;
  let activations: Activations;
  try {
    await stage.beforeTokenize();
    progress('tokenize', 0, selection.all.length, 'Tokenizing');
    // The tokenizer is needed even for rows with input_output_ids: q_length and exact spans come from it.
    const tokenizer = loadModelTokenizer(input.modelDir);
    log(`tokenizer: ${tokenizer.kind} model (${tokenizer.kindReason}); prompts ${tokenizer.chatTemplate && promptFormat.chatTemplate === 'auto' ? `in its chat template, add_generation_prompt ${promptFormat.addGenerationPrompt}` : 'as plain text'}`);
    prepared = prepareRows(input.datasetFile, tokenizer, selection, dropped, log, promptFormat);
    progress('tokenize', prepared.sequences.length, prepared.sequences.length, `Tokenized ${prepared.sequences.length} rows`);
    activations = await stage.extract(prepared.sequences);
  } finally {
    await stage.close();
  }

  const labels = Uint8Array.from(prepared.ordered, (r) => r.correct);
  const trainIdx = prepared.train.map((_, i) => i);
  const testIdx = prepared.test.map((_, i) => prepared.train.length + i);
  const probed = probeAll ? stage.extracted : [settings.location];
  const cellsPerLocation = activations.numLayers * TOKEN_POSITIONS.length;
  const results: ProbeResult[] = [];
  for (const [k, location] of probed.entries()) {
    const grid = await trainProbes(activations.sources.get(location)!, trainIdx, testIdx, labels, {
      ...PROBE_DEFAULTS,
      seed: settings.seed,
      signal: hooks.signal,
      onCell: (done) => {
        const total = cellsPerLocation * probed.length;
        const at = ` (${location})`;
        progress('probe', k * cellsPerLocation + done, total, `Probes ${k * cellsPerLocation + done}/${total}${probed.length > 1 ? at : ''}`);
      },
    });
    const unconverged = grid.converged.flat().filter((c) => !c).length;
    if (unconverged > 0) log(`warning: ${location}: ${unconverged} probes did not converge within ${PROBE_DEFAULTS.maxIter} iterations`);
    results.push(
      buildResult({
        datasetFile: input.datasetFile,
        modelDir: input.modelDir,
        settings,
        location,
        table,
        contentHash: hash,
        mapping,
        dropped,
        selection,
        rows: prepared,
        activations,
        grid,
        probeDefaults: PROBE_DEFAULTS,
        promptFormat,
      }),
    );
  }
  return results;
}

async function resolveMapping(input: RunInput, columns: string[], hooks: RunHooks): Promise<ColumnMapping> {
  const detection = detectColumns(columns);
  const unresolved = detection.ambiguous.filter((a) => !input.columns?.[a.role]);
  let choice: Partial<ColumnMapping> | undefined;
  if (unresolved.length > 0 && hooks.resolveColumns && !detection.refusal) {
    choice = await hooks.resolveColumns({ ...detection, ambiguous: unresolved }, columns);
    if (!choice) throw new PipelineError(`${input.datasetFile}: no column chosen for ${unresolved.map((a) => a.role).join(', ')}`);
  }
  return resolveColumnMapping(input.datasetFile, columns, { ...input.columns, ...choice });
}
