// `layer-probe extract`: the first half of a probe run, for one shard of its rows. The rows are chosen
// exactly as a probe run with the same options chooses them (selectRows, prepareRows), shard i of n keeps
// its round-robin share (shard.ts), and ActivationStage writes their activations into the activation
// cache as a probe run would: same folders, keys, chunks and manifest. A later probe run with the same
// options and cache folder finds every row cached and runs no forward pass.
import * as path from 'node:path';

import { promptFormatOf } from '../../contract/runOptions';
import { shardLockFile } from '../../storage/runLock';
import { contentHash, readTable } from '../dataset/readTable';
import { toRows } from '../dataset/rows';
import { tokenLimitForRows } from '../model/positionLimit';
import { formatCount } from '../progress/formatTiming';
import { timedProgress } from '../progress/timedProgress';
import { loadModelTokenizer } from '../tokenize/modelTokenizer';
import { ActivationStage } from './activationStage';
import { PipelineError } from './errors';
import { prepareRows } from './prepareRows';
import { readingProgress } from './readingProgress';
import { resolveMapping,type RunHooks, type RunInput } from './runProbe';
import { selectRows } from './selectRows';
import { type Shard, shardPositions } from './shard';

export interface ShardSummary {
  /** Rows a probe run with these options runs through the model. */
  runRows: number;
  /** Of those, the rows of this shard. */
  shardRows: number;
  /** Rows of this shard that were not cached yet and went through the model now. */
  forwardPassRows: number;
  locations: string[];
  /** The cache folder of each location. */
  cacheFolders: string[];
}

export async function extractShard(input: RunInput & { shard: Shard }, hooks: Omit<RunHooks, 'onCell'> = {}): Promise<ShardSummary> {
  const { options, shard } = input;
  const log = hooks.log ?? (() => undefined);
  const progress = timedProgress(hooks.onProgress ?? (() => undefined));
  if (options.modelFolder === '') throw new PipelineError('no model folder given: choose an ONNX model folder');
  if (!options.activationCache || !input.cacheDir) throw new PipelineError('extract writes the activation cache: it cannot run with the cache off (--no-cache)');
  const modelDir = options.modelFolder;

  progress('dataset', 0, 1, `Reading ${path.basename(input.datasetFile)}`);
  const reading = readingProgress(progress, input.datasetFile);
  const table = await readTable(input.datasetFile, { maxMB: options.maxDatasetMB, encoding: options.encoding, onBytes: reading.table });
  const mapping = await resolveMapping(input, table, hooks, log);
  const { rows, dropped, droppedRows } = toRows(table, mapping);
  for (const line of droppedRows) log(`dropped ${line}`);
  const hash = await contentHash(input.datasetFile, reading.hash);
  const selection = selectRows(table.records.length, rows, options);
  log(`dataset ${input.datasetFile}: ${table.records.length} records; ${selection.train.length} train / ${selection.test.length} test rows selected (seed ${options.seed})`);

  const locations = [...new Set([options.location, ...options.extraLocations])];
  const stage = new ActivationStage(
    {
      datasetFile: input.datasetFile,
      modelDir,
      locations,
      executionProvider: options.executionProvider,
      batchMemoryBytes: Math.round(options.batchMemoryMB * 1024 * 1024),
      maxBatchSize: input.maxBatchSize ?? 32,
      cache: {
        dir: input.cacheDir,
        datasetHash: hash,
        columns: mapping,
        options,
        chunkPolicy: input.cacheChunkPolicy,
        statfs: input.cacheStatfs,
        lockFile: shardLockFile(shard.index, shard.count),
      },
    },
    { log, progress, signal: hooks.signal, lockPollMs: input.lockPollMs },
  );
  try {
    await stage.beforeTokenize();
    progress('tokenize', 0, selection.all.length, `Tokenizing ${formatCount(selection.all.length)} rows`);
    const tokenizer = loadModelTokenizer(modelDir);
    const prepared = await prepareRows(input.datasetFile, tokenizer, selection, dropped, log, promptFormatOf(options), tokenLimitForRows(modelDir, log), (done, total) =>
      progress('tokenize', done, total, `Tokenizing ${formatCount(done)}/${formatCount(total)} rows`),
    );
    const mine = shardPositions(prepared.sequences.length, shard).map((p) => prepared.sequences[p]);
    log(`shard ${shard.index}/${shard.count} (0-based): ${mine.length} of the run's ${prepared.sequences.length} rows (positions p with p % ${shard.count} = ${shard.index})`);
    progress('tokenize', prepared.sequences.length, prepared.sequences.length, `Tokenized ${formatCount(prepared.sequences.length)} rows`);
    const activations = mine.length > 0 ? await stage.extract(mine) : undefined;
    return {
      runRows: prepared.sequences.length,
      shardRows: mine.length,
      forwardPassRows: activations?.forwardPassRows ?? 0,
      locations: stage.extracted,
      cacheFolders: stage.cacheFolders,
    };
  } finally {
    await stage.close();
    stage.releaseCaches();
  }
}
