// Runs as folders: every probing run (CLI or extension) writes its result.json, heatmap files and, where
// it has one, its answers file into a folder of its own under a runs root. Naming, creating and listing
// those folders lives here, with Node's fs only: the extension host lists runs without loading the
// pipeline (src/core) or onnxruntime.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { parseProbeResult,type ProbeResult } from '../contract/result';
import { describeFsError, FolderError, makeWritableFolder } from './makeFolder';

/** The CLI's default runs root, in the current folder; the extension keeps its runs in its storage. */
export const DEFAULT_RUNS_DIR_NAME = 'layer-probe-runs';
export const RESULT_FILE = 'result.json';

/** One line of a run listing: what a user picks a run by. */
export interface RunSummary {
  dir: string;
  resultFile: string;
  createdAt: string;
  model: string;
  dataset: string;
  datasetFile: string;
  location: string;
  nTest: number;
  /** The best AUC cell, if any cell is defined. */
  best?: { auc: number; layer: number; token: string };
  /** The best baseline's name and AUC, when baselines were scored. */
  bestBaseline?: { name: string; auc: number };
}

/** A file-system-safe piece of a folder name: letters, digits, `.`, `_`, `-`; at most 60 characters. */
function namePart(text: string): string {
  const safe = text.replace(/[^\w.-]+/g, '_').replace(/^[._]+|_+$/g, '');
  return (safe || 'x').slice(0, 60);
}

/** `<model>-<dataset>-<location>-<time>`, the time as 20261203-221530 (local clock, sortable). */
export function runFolderName(model: string, datasetFile: string, location: string, at: Date): string {
  return `${namePart(model)}-${namePart(path.parse(datasetFile).name)}-${namePart(location)}-${timeStamp(at)}`;
}

/** 20261203-221530: local clock, sortable. */
function timeStamp(at: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${at.getFullYear()}${pad(at.getMonth() + 1)}${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}${pad(at.getSeconds())}`;
}

/**
 * `compare-<A's dataset>-<location>-vs-<B's dataset>-<location>-<time>` or, for train on A, test on B,
 * `transfer-<model>-<A's dataset>-to-<B's dataset>-<location>-<time>`: a comparison's own folder beside
 * the runs (it holds no result.json, so run listings skip it).
 */
export function comparisonFolderName(
  kind: 'compare' | 'transfer',
  a: { model: string; datasetFile: string; location: string },
  b: { datasetFile: string; location: string },
  at: Date,
): string {
  const stamp = timeStamp(at);
  const ds = (file: string): string => namePart(path.parse(file).name);
  return kind === 'transfer'
    ? `transfer-${namePart(a.model)}-${ds(a.datasetFile)}-to-${ds(b.datasetFile)}-${namePart(a.location)}-${stamp}`
    : `compare-${ds(a.datasetFile)}-${namePart(a.location)}-vs-${ds(b.datasetFile)}-${namePart(b.location)}-${stamp}`;
}

/**
 * Creates a new, empty run folder under `root` (created if missing): `name`, or `name-2`, `name-3`…
 * when a run of the same second exists. Never reuses a folder, so no run overwrites another.
 */
export function createRunFolder(root: string, name: string): string {
  makeWritableFolder(root, 'the runs folder');
  for (let n = 1; ; n++) {
    const dir = path.join(root, n === 1 ? name : `${name}-${n}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new FolderError(`cannot create the run folder ${dir}: ${describeFsError(err)}; choose a folder you can write to`);
    }
  }
}

/** The summary of a result (shown in run listings). */
export function summarizeRun(result: ProbeResult, resultFile: string): RunSummary {
  let best: RunSummary['best'];
  result.metrics.auc.forEach((row, layer) =>
    row.forEach((auc, t) => {
      if (auc !== null && (!best || auc > best.auc)) best = { auc, layer, token: result.tokens[t] };
    }),
  );
  const baseline = result.baselines?.entries.find((e) => e.name === result.baselines?.best);
  return {
    dir: path.dirname(resultFile),
    resultFile,
    createdAt: result.createdAt,
    model: result.model.name,
    dataset: path.basename(result.answers?.benchmarkFile ?? result.dataset.file),
    datasetFile: result.dataset.file,
    location: result.model.location,
    nTest: result.nTest,
    ...(best ? { best } : {}),
    ...(baseline && baseline.auc !== null ? { bestBaseline: { name: baseline.name, auc: baseline.auc } } : {}),
  };
}

/** What a runs root holds: readable runs (newest first), and folders whose result could not be read. */
export interface RunListing {
  runs: RunSummary[];
  unreadable: { dir: string; reason: string }[];
}

/**
 * The runs under `root`: every direct subfolder with a result.json (and `root` itself when it holds one,
 * an `--out` folder). Results of another schema or broken files are listed as unreadable, with why.
 */
export function listRuns(root: string): RunListing {
  const listing: RunListing = { runs: [], unreadable: [] };
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return listing;
  const dirs = [root, ...fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(root, e.name))];
  for (const dir of dirs) {
    const file = path.join(dir, RESULT_FILE);
    if (!fs.existsSync(file)) continue;
    try {
      listing.runs.push(summarizeRun(parseProbeResult(fs.readFileSync(file, 'utf8'), file), file));
    } catch (err) {
      listing.unreadable.push({ dir, reason: (err as Error).message });
    }
  }
  listing.runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  return listing;
}

/** The names the run writes into its folder (result.json, heatmap-<location>.svg, …). */
export const RUN_OUTPUT_NAME = /^(result|heatmap|baselines)(-[\w-]+)?\.(json|csv|html|svg|png)$/;

/**
 * Deletes a run: the files the run wrote (its outputs, and the answers copy the result names), then the
 * folder when nothing else is left in it. Other files — a user's own, in an --out folder — are kept and
 * counted, never deleted.
 */
export function deleteRunFolder(dir: string): { deleted: number; kept: string[] } {
  let answersCopy: string | undefined;
  try {
    const result = JSON.parse(fs.readFileSync(path.join(dir, RESULT_FILE), 'utf8')) as { dataset?: { file?: string }; answers?: unknown };
    const file = result.dataset?.file;
    // Only the copy of generated answers; never the probed file itself, wherever it is.
    if (result.answers && typeof file === 'string' && path.resolve(file) !== path.join(path.resolve(dir), path.basename(file))) answersCopy = path.basename(file);
  } catch {
    // A broken result: only the output names go.
  }
  let deleted = 0;
  const kept: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile() && (RUN_OUTPUT_NAME.test(entry.name) || entry.name === answersCopy)) {
      fs.rmSync(path.join(dir, entry.name));
      deleted++;
    } else {
      kept.push(entry.name);
    }
  }
  if (kept.length === 0) fs.rmdirSync(dir);
  return { deleted, kept };
}
