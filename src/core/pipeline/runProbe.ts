import * as path from 'node:path';
import { readTable, contentHash } from '../dataset/readTable';
import { detectColumns, resolveColumnMapping, type ColumnDetection } from '../dataset/columns';
import { toRows } from '../dataset/rows';
import { ActivationSession } from '../model/activationSession';
import { providerOrder, quietOnnxruntimeLogging, type ProviderChoice } from '../model/executionProviders';
import { loadModelTokenizer, type ModelTokenizer } from '../tokenize/modelTokenizer';
import { ExactAnswerNotFoundError } from '../tokenize/exactSpan';
import { prepareSequence } from '../tokenize/positions';
import { PositionError } from '../tokenize/positions';
import { SEQUENCE_RULE } from '../tokenize/sequence';
import type { ProbeResult } from '../result/types';
import { TOKEN_POSITIONS, type ColumnMapping, type DatasetRow, type PreparedSequence, type RunSettings } from '../types';
import { extractFeatures } from './extractFeatures';
import { selectRows, type RowSelection } from './selectRows';
import type { FeatureStore } from './featureStore';
import { trainProbes } from './trainProbes';
import { PipelineError } from './errors';
import { TOOL_VERSION, onnxruntimeVersion } from './versions';
import { LOGISTIC_DEFAULTS } from '../probe/logistic';

// C = 1 as scikit-learn's default; solved to |gradient|∞ ≤ tol × its value at zero (Newton iterations).
export const PROBE_DEFAULTS = { ...LOGISTIC_DEFAULTS };

export interface RunInput {
  datasetFile: string;
  modelDir: string;
  settings: RunSettings;
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

/** The whole pipeline: dataset → sequences → activations → probes → ProbeResult. */
export async function runProbe(input: RunInput, hooks: RunHooks = {}): Promise<ProbeResult> {
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

  // The model is opened first so that a folder that is not a decoder fails before any other work.
  progress('model', 0, 1, `Loading ${path.basename(input.modelDir)}`);
  const providers = providerOrder(input.executionProvider ?? 'auto');
  quietOnnxruntimeLogging();
  const session = await ActivationSession.open(input.modelDir, { locations: [settings.location], executionProviders: providers });
  log(`model ${input.modelDir}: ${session.numLayers} layers × ${session.hiddenSize}, ${session.blockKind} blocks`);
  if (session.provider !== providers[0]) {
    log(`execution provider ${providers[0]} is not available here; running on ${session.provider} (tried ${providers.join(' → ')})`);
  } else {
    log(`execution provider ${session.provider}`);
  }
  let rowsForProbes: PreparedRows;
  let store: FeatureStore;
  try {
    progress('tokenize', 0, selection.all.length, 'Tokenizing');
    // The tokenizer is needed even for rows with input_output_ids: q_length and exact spans come from it.
    const tokenizer = loadModelTokenizer(input.modelDir);
    rowsForProbes = prepareRows(input.datasetFile, tokenizer, selection, dropped, log);
    const { sequences } = rowsForProbes;
    progress('tokenize', sequences.length, sequences.length, `Tokenized ${sequences.length} rows`);
    const maxId = Math.max(...sequences.map((s) => Math.max(...s.ids)));
    if (session.vocabSize !== undefined && maxId >= session.vocabSize) {
      throw new PipelineError(
        `${input.modelDir}: token id ${maxId} is outside the model's vocabulary (${session.vocabSize} rows in its embedding); the tokenizer does not match the model`,
      );
    }
    store = await extractFeatures(session, sequences, {
      location: settings.location,
      batchMemoryBytes: input.batchMemoryBytes ?? 256 * 1024 * 1024,
      maxBatchSize: input.maxBatchSize ?? 32,
      signal: hooks.signal,
      onBatch: (done, total) => progress('extract', done, total, `Forward passes ${done}/${total} rows`),
    });
  } finally {
    await session.close();
  }
  const { train, test, ordered, sequences, pieces } = rowsForProbes;

  const labels = Uint8Array.from(ordered, (r) => r.correct);
  const trainIdx = train.map((_, i) => i);
  const testIdx = test.map((_, i) => train.length + i);
  const grid = trainProbes(store, trainIdx, testIdx, labels, {
    ...PROBE_DEFAULTS,
    signal: hooks.signal,
    onCell: (done, total) => progress('probe', done, total, `Probes ${done}/${total}`),
  });
  const unconverged = grid.converged.flat().filter((c) => !c).length;
  if (unconverged > 0) log(`warning: ${unconverged} probes did not converge within ${PROBE_DEFAULTS.maxIter} iterations`);

  return {
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    tool: { name: 'layer-probe', version: TOOL_VERSION, onnxruntime: onnxruntimeVersion() },
    dataset: {
      file: input.datasetFile,
      format: table.format,
      contentHash: hash,
      columns: mapping,
      rowsRead: table.records.length,
      rowsUsed: ordered.length,
      dropped,
    },
    model: {
      dir: input.modelDir,
      name: path.basename(path.resolve(input.modelDir)),
      numLayers: session.numLayers,
      hiddenSize: session.hiddenSize,
      location: settings.location,
      provider: session.provider,
      providersTried: providers.slice(0, providers.indexOf(session.provider) + 1),
      blockKind: session.blockKind,
      sequenceRule: SEQUENCE_RULE,
    },
    settings: {
      ...settings,
      splitSource: selection.splitSource,
      probe: { solver: grid.solver, ...PROBE_DEFAULTS },
    },
    layers: Array.from({ length: session.numLayers }, (_, i) => i),
    tokens: [...TOKEN_POSITIONS],
    nTrain: train.length,
    nTest: test.length,
    metrics: grid.metrics,
    iterations: grid.iterations,
    converged: grid.converged,
    test: {
      rowIndex: test.map((r) => r.rowIndex),
      line: test.map((r) => r.line),
      label: test.map((r) => r.correct),
      pieces,
      qLength: sequences.slice(train.length).map((s) => s.qLength),
      positions: sequences.slice(train.length).map((s) => s.positions),
      scores: grid.scores,
    },
  };
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

interface PreparedRows {
  train: DatasetRow[];
  test: DatasetRow[];
  /** Train rows then test rows: the row order of the feature store. */
  ordered: DatasetRow[];
  sequences: PreparedSequence[];
  /** Display pieces of the test rows' sequences. */
  pieces: string[][];
}

/** Token sequences and positions of the selected rows; rows the reference would crash on are dropped. */
function prepareRows(
  file: string,
  tokenizer: ModelTokenizer,
  selection: RowSelection,
  dropped: { reason: string; count: number }[],
  log: (line: string) => void,
): PreparedRows {
  const prepared = new Map<number, PreparedSequence>();
  const skipped = { tooShort: [] as string[], answerNotFound: [] as string[] };
  for (const row of selection.all) {
    try {
      prepared.set(row.rowIndex, prepareSequence(tokenizer, row));
    } catch (err) {
      // The reference crashes on these; we drop the row, count it and log which one it was.
      if (err instanceof PositionError) skipped.tooShort.push(err.message);
      else if (err instanceof ExactAnswerNotFoundError) skipped.answerNotFound.push(err.message);
      else throw err;
    }
  }
  const reasons: [string[], string][] = [
    [skipped.answerNotFound, 'exact answer not found in the decoded answer'],
    [skipped.tooShort, 'sequence too short for the reference positions'],
  ];
  for (const [messages, reason] of reasons) {
    if (messages.length === 0) continue;
    dropped.push({ reason, count: messages.length });
    for (const line of messages.slice(0, 20)) log(`dropped ${line}`);
  }
  const train = selection.train.filter((r) => prepared.has(r.rowIndex));
  const test = selection.test.filter((r) => prepared.has(r.rowIndex));
  requireBothClasses(file, 'train', train);
  requireBothClasses(file, 'test', test);
  const ordered = [...train, ...test];
  const sequences = ordered.map((r) => prepared.get(r.rowIndex)!);
  const pieces = test.map((r) => tokenizer.pieces(prepared.get(r.rowIndex)!.ids));
  return { train, test, ordered, sequences, pieces };
}

function requireBothClasses(file: string, side: string, rows: DatasetRow[]): void {
  const correct = rows.filter((r) => r.correct === 1).length;
  if (rows.length === 0 || correct === 0 || correct === rows.length) {
    throw new PipelineError(
      `${file}: the ${side} rows (${rows.length}) hold ${correct} correct and ${rows.length - correct} wrong answers; probes need both classes on each side`,
    );
  }
}

