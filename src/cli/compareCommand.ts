// `layer-probe compare <a> <b> [--transfer]`: two runs' difference heatmap (A − B with bootstrap
// intervals, as the panel's Compare), or with --transfer run A's probes refitted on its train rows and
// scored on B's test rows (train on A, test on B). Writes <kind>.json, <kind>.csv (the difference in
// heatmap.csv's layout) and <kind>-cells.csv (every cell's values and intervals) into a folder of its own.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import type { Comparison } from '../contract/comparison';
import { comparisonCellsCsv, comparisonMatrixCsv } from '../contract/comparisonCsv';
import { isRunCancelled } from '../contract/errors';
import { parseProbeResult, type ProbeResult } from '../contract/result';
import { compareResults } from '../core/compare/compareResults';
import { checkTransferable } from '../core/compare/transferCheck';
import { transferProbes } from '../core/compare/transferProbes';
import { comparisonFolderName, createRunFolder, DEFAULT_RUNS_DIR_NAME, RESULT_FILE } from '../storage/runFolders';
import { DEFAULT_CACHE_DIR_NAME } from './cacheCommand';
import { EXIT_INTERRUPTED } from './exitCodes';
import { type OutputFolder, removeIfEmpty } from './outputFolder';
import { ProgressPrinter } from './progressPrinter';
import { UsageError } from './usageError';
import { writeAtomically } from './writeOutputs';

export const COMPARE_USAGE = `Usage: layer-probe compare <a/result.json> <b/result.json> [--transfer] [options]

Compares two runs cell by cell (a run folder stands for its result.json):
  default      AUC of A − AUC of B, with a bootstrap 95 % interval of the difference (paired when both
               runs scored the same test rows)
  --transfer   train on A, test on B: each cell's probe fitted on A's train rows exactly as A's run fitted
               it, scored on B's test rows, minus B's own AUC on those rows (paired bootstrap, B's seed).
               Both runs must have probed the same model at the same location. Activations come from the
               activation cache where it holds the rows, from forward passes where it does not.

Writes comparison.json / transfer.json, a .csv of the difference in heatmap.csv's layout and a
-cells.csv of every cell's values and intervals.

Options:
  --out <dir>          output folder (default: a new folder ./${DEFAULT_RUNS_DIR_NAME}/compare-…/ or transfer-…/)
  --force              let --out replace the comparison already in it (an input is never replaced)
  --cache-dir <dir>    activation cache for --transfer (default: ${DEFAULT_CACHE_DIR_NAME} beside A's run folder,
                       where \`probe\` put it)
  --quiet              no progress on stderr
`;

/** A result file, or a run folder holding one. */
function resultFileOf(arg: string): string {
  const resolved = path.resolve(arg);
  const file = fs.existsSync(resolved) && fs.statSync(resolved).isDirectory() ? path.join(resolved, RESULT_FILE) : resolved;
  if (!fs.existsSync(file)) throw new UsageError(`${arg}: no such result (give a run's result.json or its folder)`);
  const stat = fs.statSync(file);
  // A device or FIFO would be read until memory runs out; a result is a regular JSON file.
  if (!stat.isFile()) throw new UsageError(`${file}: not a regular file (give a run's result.json or its folder)`);
  if (stat.size > MAX_RESULT_BYTES) {
    throw new UsageError(`${file}: ${(stat.size / 2 ** 20).toFixed(1)} MiB is more than any result.json (limit ${MAX_RESULT_BYTES / 2 ** 20} MiB): give a run's result.json or its folder`);
  }
  return file;
}

/** A run's result with tens of thousands of test rows is a few MiB; far above that it is not a result. */
const MAX_RESULT_BYTES = 512 * 2 ** 20;

function readResult(file: string): ProbeResult {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`${file}: cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  return parseProbeResult(text, file);
}

function realOrResolved(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

interface Outputs {
  json: string;
  csv: string;
  cellsCsv: string;
}

const outputsIn = (dir: string, kind: string): Outputs => ({ json: path.join(dir, `${kind}.json`), csv: path.join(dir, `${kind}.csv`), cellsCsv: path.join(dir, `${kind}-cells.csv`) });

/** The output folder, decided before any work: --out (refused when it holds a comparison of this kind, unless --force), or a new folder. */
function prepareFolder(out: string | undefined, force: boolean, kind: 'compare' | 'transfer', a: ProbeResult, b: ProbeResult, inputs: string[]): { folder: OutputFolder; files: Outputs } {
  const base = kind === 'transfer' ? 'transfer' : 'comparison';
  let folder: OutputFolder;
  if (out === undefined) {
    const root = path.resolve(DEFAULT_RUNS_DIR_NAME);
    const rootExisted = fs.existsSync(root);
    const name = comparisonFolderName(kind, { model: a.model.name, datasetFile: a.dataset.file, location: a.model.location }, { datasetFile: b.dataset.file, location: b.model.location }, new Date());
    const dir = createRunFolder(root, name);
    folder = { dir, created: rootExisted ? [dir] : [dir, root] };
  } else {
    const dir = path.resolve(out);
    if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder: give a folder for the comparison's files`);
    const files = outputsIn(dir, base);
    // Never an input, whatever its name and whatever --force says.
    const written = new Set(Object.values(files).map(realOrResolved));
    const clash = inputs.find((f) => written.has(realOrResolved(f)));
    if (clash) throw new UsageError(`--out ${out} would overwrite the input ${clash}: choose another --out folder`);
    if (fs.existsSync(files.json) && !force) throw new UsageError(`--out ${out} already holds a comparison (${path.basename(files.json)}): pass --force to replace it, or leave --out out for a new folder`);
    folder = { dir, created: fs.existsSync(dir) ? [] : [dir] };
    fs.mkdirSync(dir, { recursive: true });
  }
  return { folder, files: outputsIn(folder.dir, base) };
}

export async function runCompareCommand(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        transfer: { type: 'boolean', default: false },
        out: { type: 'string' },
        force: { type: 'boolean', default: false },
        'cache-dir': { type: 'string' },
        quiet: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    write(COMPARE_USAGE);
    return 0;
  }
  if (positionals.length !== 2) {
    if (positionals.length < 2) {
      process.stderr.write(COMPARE_USAGE);
      return 2;
    }
    throw new UsageError(`compare takes two runs; unexpected argument${positionals.length > 3 ? 's' : ''} ${positionals.slice(2).map((p) => `"${p}"`).join(' ')}`);
  }
  const [aFile, bFile] = positionals.map(resultFileOf);
  const a = readResult(aFile);
  const b = readResult(bFile);
  const kind = values.transfer ? 'transfer' : 'compare';
  // A refusal costs nothing: before the output folder is made.
  if (kind === 'transfer') checkTransferable(a, aFile, b, bFile);
  const inputs = [aFile, bFile, a.dataset.file, b.dataset.file];
  const { folder, files } = prepareFolder(values.out, values.force, kind, a, b, inputs);
  const quiet = values.quiet;
  const cacheDir = path.resolve(values['cache-dir'] ?? path.join(path.dirname(path.dirname(aFile)), DEFAULT_CACHE_DIR_NAME));

  const abort = new AbortController();
  const onInterrupt = (): void => {
    if (abort.signal.aborted) process.exit(EXIT_INTERRUPTED);
    process.stderr.write('\nCtrl-C: stopping after the current batch or probe (press it again to quit at once)\n');
    abort.abort();
  };
  process.on('SIGINT', onInterrupt);
  let comparison: Comparison;
  const printer = new ProgressPrinter(process.stderr, { quiet });
  try {
    if (kind === 'transfer') {
      if (!quiet) process.stderr.write(`activation cache: ${cacheDir}\n`);
      comparison = await transferProbes(
        { aFile, bFile, cacheDir },
        {
          signal: abort.signal,
          log: (line) => printer.log(`  ${line}`),
          onProgress: (stage, done, total, message) => printer.update(stage, done, total, message),
        },
      );
    } else {
      comparison = compareResults(a, aFile, b, bFile);
    }
  } catch (err) {
    removeIfEmpty(folder);
    if (!isRunCancelled(err)) throw err;
    process.stderr.write(`layer-probe: ${err.message}\n`);
    return EXIT_INTERRUPTED;
  } finally {
    printer.finish();
    process.off('SIGINT', onInterrupt);
  }
  writeAtomically(files.json, JSON.stringify(comparison, null, 1));
  writeAtomically(files.csv, comparisonMatrixCsv(comparison));
  writeAtomically(files.cellsCsv, comparisonCellsCsv(comparison));
  write(`${summary(comparison)}\n${kind}: ${files.json}\ncsv:     ${files.csv}\ncells:   ${files.cellsCsv}\n`);
  return 0;
}

/** One line a user reads first: what was compared, how many cells differ significantly, the largest difference. */
function summary(c: Comparison): string {
  const cells = c.diff.flatMap((row, r) => row.map((d, t) => ({ d, r, t })).filter((x): x is { d: number; r: number; t: number } => x.d !== null));
  const significant = c.significant.flat().filter(Boolean).length;
  const what = c.transfer ? `${c.transfer.title} (${c.a.location}): A→B − B→B` : `${c.a.title} − ${c.b.title}`;
  if (cells.length === 0) return `${what}: no cell is defined on both sides`;
  const largest = cells.reduce((m, x) => (Math.abs(x.d) > Math.abs(m.d) ? x : m));
  const mean = cells.reduce((s, x) => s + x.d, 0) / cells.length;
  return `${what}: mean ${mean.toFixed(3)}, largest ${largest.d.toFixed(3)} at layer ${c.layerPairs[largest.r][0]} ${c.tokens[largest.t]}; ${significant} of ${cells.length} cells significant (${c.pairing} bootstrap, ${c.resamples} resamples)`;
}
