// `layer-probe extract <dataset> --model <dir> --shard i/n --cache-dir <dir>`: one shard of a probe run's
// forward passes, written into the activation cache (core/pipeline/extractShard.ts). n machines run the
// n shards into one shared cache folder, or into their own folders merged with `cache merge`; one
// `probe` run with the same options then reads every row from the cache.
import * as path from 'node:path';

import { isRunCancelled } from '../contract/errors';
import { parseColumnOverrides } from '../core/dataset/columns';
import { extractShard } from '../core/pipeline/extractShard';
import { parseShard, ShardError } from '../core/pipeline/shard';
import { makeWritableFolder } from '../storage/makeFolder';
import { parseCommandLine, stringFlag } from './commandLine';
import { EXIT_INTERRUPTED } from './exitCodes';
import { refuseInsideModel } from './outputFolder';
import { ProgressPrinter } from './progressPrinter';
import { runOptionFlags, runOptionsFromFlags, runOptionsUsage } from './runFlags';
import { UsageError } from './usageError';

export const EXTRACT_USAGE = `Usage: layer-probe extract <dataset> --model <dir> --shard i/n --cache-dir <dir> [run options]

Runs the forward passes of shard i of n of a probe run and writes their activations into the
activation cache, exactly as \`probe\` would. The rows are those a probe run with the same options
selects (seeded sample and split); shard i takes the rows at positions p with p % n == i.
i is 0-based: --shard 0/2 and --shard 1/2 together are the whole run.

Run the n shards on n machines (a Slurm array, a CI matrix, ssh) into one shared --cache-dir (each
lists its chunks in the folder's manifest under a brief lock), or into separate folders merged with
\`layer-probe cache merge <dirs…> --into <dir>\`. Then \`layer-probe probe\` with the same dataset,
--model path, options and --cache-dir reads every row from the cache (no forward pass).

  --shard i/n                this machine's shard: integers 0 ≤ i < n (0-based)
  --cache-dir <dir>          activation cache folder to write (required)
  --columns <role=name,…>    column roles, as for probe
  --quiet                    no progress on stderr

Run options (use the same as the probe run that reads the cache):
${runOptionsUsage()}
`;

export async function runExtractCommand(argv: string[]): Promise<number> {
  const line = parseCommandLine(
    argv,
    { ...runOptionFlags(), shard: { type: 'string' }, 'cache-dir': { type: 'string' }, columns: { type: 'string' }, quiet: { type: 'boolean', default: false } },
    EXTRACT_USAGE,
    { command: 'extract', input: 'dataset' },
  );
  if (typeof line === 'number') return line;
  const { values, input: dataset } = line;
  const shardText = stringFlag(values, 'shard');
  if (shardText === undefined) throw new UsageError('--shard i/n is required (0-based: 0/2 and 1/2 for two machines)');
  let shard;
  try {
    shard = parseShard(shardText);
  } catch (err) {
    if (err instanceof ShardError) throw new UsageError(err.message);
    throw err;
  }
  const flagged = runOptionsFromFlags(values);
  if (flagged.modelFolder === '') throw new UsageError('--model <dir> is required');
  if (!flagged.activationCache) throw new UsageError('extract writes the activation cache: --no-cache cannot be used with it');
  const cacheFlag = stringFlag(values, 'cache-dir');
  if (cacheFlag === undefined) throw new UsageError('--cache-dir <dir> is required: the folder the shards write (shared, or merged later with cache merge)');
  const options = { ...flagged, modelFolder: path.resolve(flagged.modelFolder) };
  const cacheDir = path.resolve(cacheFlag);
  refuseInsideModel(cacheDir, options.modelFolder, `the activation cache folder ${cacheDir}`);
  makeWritableFolder(cacheDir, 'the activation cache folder (--cache-dir)');
  const quiet = values.quiet === true;
  const printer = new ProgressPrinter(process.stderr, { quiet });
  const abort = new AbortController();
  const onInterrupt = (): void => {
    if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('\nCtrl-C: stopping after the current batch (press it again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  try {
    const columns = stringFlag(values, 'columns');
    const summary = await extractShard(
      { datasetFile: path.resolve(dataset), options, cacheDir, columns: columns === undefined ? undefined : parseColumnOverrides(columns), shard },
      { signal: abort.signal, log: (l) => printer.log(`  ${l}`), onProgress: (stage, done, total, message) => printer.update(stage, done, total, message) },
    );
    printer.finish();
    process.stdout.write(
      `shard ${shard.index}/${shard.count}: ${summary.shardRows} of ${summary.runRows} rows, ${summary.forwardPassRows} through the model now ` +
        `(${summary.shardRows - summary.forwardPassRows} were cached already)\n` +
        summary.cacheFolders.map((f, i) => `cache ${summary.locations[i]}: ${f}\n`).join(''),
    );
    return 0;
  } catch (err) {
    printer.finish();
    if (!isRunCancelled(err)) throw err;
    process.stderr.write(`layer-probe: ${err.message}; the finished chunks are kept in ${cacheDir}: running the shard again resumes from them\n`);
    return EXIT_INTERRUPTED;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
