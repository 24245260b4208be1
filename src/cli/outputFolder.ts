// Where a CLI probing run writes: a new run folder by default, or an explicit --out that must not hold an
// earlier result (unless --force) and must never hold the run's own input under an output's name.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { makeWritableFolder } from '../storage/makeFolder';
import { createRunFolder, DEFAULT_RUNS_DIR_NAME, RESULT_FILE, RUN_OUTPUT_NAME, runFolderName } from '../storage/runFolders';
import { UsageError } from './usageError';

/** The names writeOutputs gives its files (result.json, heatmap.csv, result-<location>.json …). */
const OUTPUT_NAME = RUN_OUTPUT_NAME;

/**
 * The real path of a file; for one that does not exist (yet), its nearest existing ancestor's real path
 * with the rest appended — so a folder to be made under a symlink resolves to where it would really be.
 */
function realOrResolved(file: string): string {
  const resolved = path.resolve(file);
  const rest: string[] = [];
  for (let at = resolved; ; at = path.dirname(at)) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch {
      if (path.dirname(at) === at) return resolved;
      rest.push(path.basename(at));
    }
  }
}

export interface OutputFolderRequest {
  /** --out, when given. */
  out?: string;
  force: boolean;
  datasetFile: string;
  /** The model folder: no output may be written into it. */
  modelDir?: string;
  modelName: string;
  location: string;
  now: Date;
}

export interface OutputFolder {
  dir: string;
  /** The folders this run created, innermost first: removed again, when empty, if it ends without a result. */
  created: string[];
}

/**
 * Decides (and for the default, creates) the run's output folder before any work, so that a refusal
 * costs nothing: the dataset is never among the files the run will write, and an explicit --out that
 * already holds a result is refused unless --force.
 */
export function prepareOutputFolder(request: OutputFolderRequest): OutputFolder {
  const dataset = realOrResolved(request.datasetFile);
  if (request.out === undefined) {
    const root = path.resolve(DEFAULT_RUNS_DIR_NAME);
    const rootExisted = fs.existsSync(root);
    const dir = createRunFolder(root, runFolderName(request.modelName, request.datasetFile, request.location, request.now));
    return { dir, created: rootExisted ? [dir] : [dir, root] };
  }
  const dir = path.resolve(request.out);
  if (request.modelDir) refuseInsideModel(dir, request.modelDir, `--out ${request.out}`);
  if (fs.existsSync(dir) && !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`--out ${request.out} is a file, not a folder: give a folder for the run's outputs (or leave --out out for a new run folder)`);
  }
  if (path.dirname(dataset) === realOrResolved(dir) && OUTPUT_NAME.test(path.basename(dataset))) {
    throw new UsageError(
      `the dataset ${request.datasetFile} is inside --out ${request.out} under a name the run writes (${path.basename(dataset)}): ` +
        'it would be overwritten; choose another --out folder',
    );
  }
  refuseOutputLinksToInputs(request, dir, dataset);
  if (fs.existsSync(path.join(dir, RESULT_FILE)) && !request.force) {
    throw new UsageError(`--out ${request.out} already holds a result (${RESULT_FILE}): pass --force to replace it, or leave --out out for a new run folder`);
  }
  const created = fs.existsSync(dir) ? [] : [dir];
  makeWritableFolder(dir, 'the --out folder');
  return { dir, created };
}

/**
 * An output name in --out that is a link to the dataset (or into the model folder) is refused, even with
 * --force: the write would replace the link, not the file, but a run never touches what points at its inputs.
 */
function refuseOutputLinksToInputs(request: OutputFolderRequest, dir: string, dataset: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir).filter((name) => OUTPUT_NAME.test(name));
  } catch {
    return; // not there yet: nothing to clash with
  }
  const model = request.modelDir === undefined ? undefined : realOrResolved(request.modelDir);
  for (const name of names) {
    const file = path.join(dir, name);
    if (!fs.lstatSync(file).isSymbolicLink()) continue;
    const target = realOrResolved(file);
    const input = target === dataset ? `the dataset ${request.datasetFile}` : model !== undefined && (target === model || target.startsWith(model + path.sep)) ? `the model folder ${request.modelDir}` : undefined;
    if (input !== undefined) {
      throw new UsageError(`--out ${request.out} holds ${name}, a link to ${input}: the run would write over it; remove the link or choose another --out folder`);
    }
  }
}

/** Refuses an output folder that is (through symlinks) the model folder or inside it: a run never writes there. */
export function refuseInsideModel(dir: string, modelDir: string, what: string): void {
  const real = realOrResolved(dir);
  const model = realOrResolved(modelDir);
  if (real === model || real.startsWith(model + path.sep)) {
    throw new UsageError(`${what} is inside the model folder ${modelDir}: a run never writes into its inputs; choose a folder outside it`);
  }
}

/** Removes the folders this run created when it ends without a result and they are still empty. */
export function removeIfEmpty(folder: OutputFolder): void {
  for (const dir of folder.created) {
    try {
      if (fs.readdirSync(dir).length > 0) return;
      fs.rmdirSync(dir);
    } catch {
      return; // gone already, or not ours to clean up
    }
  }
}
