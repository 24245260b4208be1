import * as path from 'node:path';

import { isRunCancelled } from '../contract/errors';
import { parseColumnOverrides } from '../core/dataset/columns';
import { runProbeLocations } from '../core/pipeline/runProbe';
import { formatBytes, listCacheFolders } from '../storage/cacheFolders';
import { makeWritableFolder } from '../storage/makeFolder';
import { DEFAULT_RUNS_DIR_NAME } from '../storage/runFolders';
import { DEFAULT_CACHE_DIR_NAME, runCacheCommand } from './cacheCommand';
import { parseCommandLine, pathFlag, stringFlag } from './commandLine';
import { runCompareCommand } from './compareCommand';
import { EXIT_INTERRUPTED } from './exitCodes';
import { runExtractCommand } from './extractCommand';
import { formatTable } from './formatTable';
import { runGenerateCommand } from './generateCommand';
import { runJudgeCommand } from './judgeCommand';
import { prepareOutputFolder, refuseInsideModel, removeIfEmpty } from './outputFolder';
import { ProgressPrinter } from './progressPrinter';
import { runOptionFlags, runOptionsFromFlags, runOptionsUsage } from './runFlags';
import { runRunsCommand } from './runsCommand';
import { UsageError } from './usageError';
import { writeOutputs } from './writeOutputs';


const USAGE = `Usage: layer-probe probe <dataset> --model <dir> [options]
       layer-probe generate <questions> --model <dir> [options]   (see generate --help)
       layer-probe judge <answers-file> [options]                 (see judge --help)
       layer-probe extract <dataset> --model <dir> --shard i/n --cache-dir <dir>   (see extract --help)
       layer-probe cache [<cache-dir>] [--clear]                  (see cache --help)
       layer-probe cache merge <cache-dirs…> --into <dir>
       layer-probe runs [<runs-dir>]                              (see runs --help)
       layer-probe compare <a/result.json> <b/result.json> [--transfer]   (see compare --help)

Trains one logistic-regression probe per (layer, token position) on the model's activations and
writes result.json, heatmap.csv, heatmap.html and heatmap.svg.

Run options:
${runOptionsUsage()}

Output:
  --out <dir>                output folder (default: a new folder per run,
                             ./${DEFAULT_RUNS_DIR_NAME}/<model>-<dataset>-<location>-<time>/)
  --force                    let --out replace the result already in it (an input is never replaced)
  --cache-dir <dir>          activation cache (default: ${DEFAULT_CACHE_DIR_NAME} beside the output folder,
                             so every run in ./${DEFAULT_RUNS_DIR_NAME} shares one)
  --columns <role=name,…>    column roles: prompt, answer, correct, exactAnswer, validExactAnswer, split, inputOutputIds
  --quiet                    no progress on stderr

Ctrl-C stops the run after the current batch or probe; finished cache chunks are kept (exit status 130).
`;

export async function main(argv: string[], distDir: string): Promise<number> {
  // Step 1 of the pipeline has its own options; it is dispatched before `probe`'s parser sees them.
  if (argv[0] === 'generate') return runGenerateCommand(argv.slice(1));
  if (argv[0] === 'judge') return runJudgeCommand(argv.slice(1));
  if (argv[0] === 'cache') return runCacheCommand(argv.slice(1));
  if (argv[0] === 'extract') return runExtractCommand(argv.slice(1));
  if (argv[0] === 'runs') return runRunsCommand(argv.slice(1));
  if (argv[0] === 'compare') return runCompareCommand(argv.slice(1));
  if (argv[0] !== 'probe') {
    const help = argv.includes('--help') || argv.includes('-h');
    (help ? process.stdout : process.stderr).write(USAGE);
    return help ? 0 : 2;
  }
  const line = parseCommandLine(
    argv.slice(1),
    {
      ...runOptionFlags(),
      out: { type: 'string' },
      'cache-dir': { type: 'string' },
      columns: { type: 'string' },
      force: { type: 'boolean', default: false },
      quiet: { type: 'boolean', default: false },
    },
    USAGE,
    { command: 'probe', input: 'dataset' },
  );
  if (typeof line === 'number') return line;
  const { values, input: dataset } = line;
  const flagged = runOptionsFromFlags(values);
  if (flagged.modelFolder === '') throw new UsageError('--model <dir> is required');
  const options = { ...flagged, modelFolder: path.resolve(flagged.modelFolder) };
  const outFolder = prepareOutputFolder({
    out: pathFlag(values, 'out'),
    force: values.force === true,
    datasetFile: dataset,
    modelDir: options.modelFolder,
    modelName: path.basename(options.modelFolder),
    location: options.location,
    now: new Date(),
  });
  const outDir = outFolder.dir;
  const cacheDir = path.resolve(pathFlag(values, 'cache-dir') ?? path.join(path.dirname(path.resolve(outDir)), DEFAULT_CACHE_DIR_NAME));
  // Before any work: a cache folder that cannot be made or written fails now, not after the forward passes.
  if (options.activationCache) {
    try {
      refuseInsideModel(cacheDir, options.modelFolder, `the activation cache folder ${cacheDir}`);
      makeWritableFolder(cacheDir, 'the activation cache folder (--cache-dir)');
    } catch (err) {
      removeIfEmpty(outFolder);
      throw err;
    }
  }
  const quiet = values.quiet === true;
  if (!quiet) process.stderr.write(options.activationCache ? `activation cache: ${cacheDir}\n` : 'activation cache: off\n');

  const abort = new AbortController();
  const onInterrupt = (): void => {
    if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('\nCtrl-C: stopping after the current batch or probe (press it again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  const started = new Date().toISOString();
  const printer = new ProgressPrinter(process.stderr, { quiet });
  let results;
  try {
    results = await runProbeLocations(
      {
        datasetFile: path.resolve(dataset),
        options,
        cacheDir,
        columns: stringFlag(values, 'columns') === undefined ? undefined : parseColumnOverrides(stringFlag(values, 'columns')!),
      },
      {
        signal: abort.signal,
        log: (line) => printer.log(`  ${line}`),
        onProgress: (stage, done, total, message) => printer.update(stage, done, total, message),
      },
    );
  } catch (err) {
    removeIfEmpty(outFolder);
    if (!isRunCancelled(err)) throw err;
    process.stderr.write(`layer-probe: ${err.message}; ${keptInCache(options.activationCache ? cacheDir : undefined, started)}\n`);
    return EXIT_INTERRUPTED;
  } finally {
    printer.finish();
    process.off('SIGINT', onInterrupt);
  }
  for (const [i, result] of results.entries()) {
    // The primary --location keeps the plain names (result.json, heatmap.*); every --locations entry
    // gets its own result-<loc>.json etc. (the primary too when listed), so scripts can rely on them.
    const names = [...(i === 0 ? [undefined] : []), ...(options.extraLocations.includes(result.model.location) ? [result.model.location] : [])];
    process.stdout.write(`${i === 0 ? '' : '\n'}${formatTable(result, 'auc')}\n`);
    for (const suffix of names) {
      const files = writeOutputs(result, outDir, distDir, suffix);
      process.stdout.write(`result:  ${files.resultJson}\nheatmap: ${files.heatmapHtml}\nfigure:  ${files.heatmapSvg}\ncsv:     ${files.heatmapCsv}\n`);
      if (files.baselinesCsv) process.stdout.write(`baselines: ${files.baselinesCsv}\n`);
    }
  }
  return 0;
}

/** What an interrupted run leaves for the next one: the cache folders it wrote to. */
function keptInCache(cacheDir: string | undefined, since: string): string {
  if (!cacheDir) return 'no activation cache was in use, nothing was kept';
  const touched = listCacheFolders(cacheDir).filter((f) => (f.updatedAt ?? '') >= since);
  if (touched.length === 0) return 'no activations had been cached yet';
  const rows = touched.map((f) => `${f.rows} rows of ${f.location ?? '?'}`).join(', ');
  const bytes = touched.reduce((s, f) => s + f.bytes, 0);
  return `kept ${rows} (${formatBytes(bytes)}) in ${cacheDir}: the next run resumes from them`;
}
