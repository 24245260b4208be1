// "Train on A, test on B" (the paper's generalisation question): every cell's probe is fitted on run A's
// train rows exactly as A's run fitted it (the same rows and activations, solver settings and trainProbes)
// and scored on run B's test rows; B's own probe on those rows (B's result) is the in-domain value. Both
// are scored on the same rows, so the interval of transfer − in-domain is compareResults' paired bootstrap
// with B's seed. Activations come from the activation cache where it holds the rows and from forward
// passes where it does not (ActivationStage, with its cache locks held until the probes have read them).

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Comparison } from '../../contract/comparison';
import { parseProbeResult, type ProbeResult } from '../../contract/result';
import { RUN_OPTIONS } from '../../contract/runOptions';
import type { RunStage } from '../../contract/workerProtocol';
import { CACHE_LOCK_FILE } from '../../storage/runLock';
import { cacheFolderName, cacheKeyFor, modelIdentity } from '../cache/cacheKey';
import { ActivationStage } from '../pipeline/activationStage';
import { PipelineError } from '../pipeline/errors';
import type { SlabSource } from '../pipeline/slabSource';
import { trainProbes } from '../pipeline/trainProbes';
import { timedProgress } from '../progress/timedProgress';
import { loadModelTokenizer } from '../tokenize/modelTokenizer';
import type { PreparedSequence } from '../types';
import { comparedRun, compareResults } from './compareResults';
import { rowsOfRun,type RunRows } from './runRows';
import { checkTransferable } from './transferCheck';
import { TransferSlabs } from './transferSlabs';

export interface TransferRequest {
  /** Run A's result.json: its probes' train rows and settings. */
  aFile: string;
  /** Run B's result.json: its test rows, seed and own AUC. */
  bFile: string;
  /** Root of the activation caches (used for a run whose options enable the cache); absent: nothing cached. */
  cacheDir?: string;
  /** Upper bound on rows per forward batch (tests). */
  maxBatchSize?: number;
  /** Poll interval (ms) while another run holds a cache folder. */
  lockPollMs?: number;
  /** This machine's probeWorkers option; absent: its default (A's and B's were other machines', maybe). */
  probeWorkers?: number;
}

export interface TransferHooks {
  onProgress?: (stage: RunStage, done: number, total: number, message: string) => void;
  log?: (line: string) => void;
  /** Aborting stops between batches and probe cells with RunCancelled. */
  signal?: AbortSignal;
}

/** One activation source to open: a run's rows it needs, and the cache folder they live in (if any). */
interface Need {
  rows: RunRows;
  sequences: PreparedSequence[];
  /** The cache folder's lock file; undefined when the run did not use the cache. */
  lockFile?: string;
}

async function readResult(file: string): Promise<ProbeResult> {
  return parseProbeResult(await fs.promises.readFile(file, 'utf8'), file);
}

export async function transferProbes(request: TransferRequest, hooks: TransferHooks = {}): Promise<Comparison> {
  const log = hooks.log ?? (() => undefined);
  const progress = timedProgress(hooks.onProgress ?? (() => undefined));
  progress('dataset', 0, 1, 'Reading the two runs');
  const a = await readResult(request.aFile);
  const b = path.resolve(request.bFile) === path.resolve(request.aFile) ? a : await readResult(request.bFile);
  checkTransferable(a, request.aFile, b, request.bFile);
  const location = a.model.location;
  const modelDir = a.model.dir;

  progress('tokenize', 0, 1, 'Tokenizing');
  const tokenizer = loadModelTokenizer(modelDir);
  const rowsA = await rowsOfRun(a, request.aFile, tokenizer, log);
  const rowsB = b === a ? rowsA : await rowsOfRun(b, request.bFile, tokenizer, log);
  const trainA = rowsA.prepared.sequences.slice(0, rowsA.prepared.train.length);
  const testB = rowsB.prepared.sequences.slice(rowsB.prepared.train.length);
  log(`train on ${rowsA.prepared.train.length} rows of ${rowsA.datasetFile} (seed ${rowsA.options.seed}), test on ${testB.length} rows of ${rowsB.datasetFile} (seed ${rowsB.options.seed}), ${location}`);

  const model = modelIdentity(modelDir);
  const lockFileOf = (rows: RunRows): string | undefined =>
    rows.options.activationCache && request.cacheDir
      ? path.join(request.cacheDir, cacheFolderName(cacheKeyFor({ options: rows.options, location, datasetHash: rows.datasetHash, columns: rows.mapping, model })), CACHE_LOCK_FILE)
      : undefined;
  const needA: Need = { rows: rowsA, sequences: trainA, lockFile: lockFileOf(rowsA) };
  const needB: Need = { rows: rowsB, sequences: testB, lockFile: lockFileOf(rowsB) };
  // Two runs of one cache folder (one dataset) share one stage: a second lock on it would wait for the first.
  const shared = needA.lockFile !== undefined && needA.lockFile === needB.lockFile;
  const needs = shared ? [{ ...needA, sequences: unionByRow(trainA, testB) }] : [needA, needB];
  // Locks in sorted order, as every run takes them, so two transfers in opposite directions cannot deadlock.
  needs.sort((x, y) => ((x.lockFile ?? '') < (y.lockFile ?? '') ? -1 : (x.lockFile ?? '') > (y.lockFile ?? '') ? 1 : 0));

  const stages: ActivationStage[] = [];
  try {
    const sources = new Map<Need, SlabSource>();
    let forwardPassRows = 0;
    for (const need of needs) {
      const { options } = need.rows;
      const stage = new ActivationStage(
        {
          datasetFile: need.rows.datasetFile,
          modelDir,
          locations: [location],
          executionProvider: options.executionProvider,
          batchMemoryBytes: Math.round(options.batchMemoryMB * 1024 * 1024),
          maxBatchSize: request.maxBatchSize ?? 32,
          cache: need.lockFile ? { dir: request.cacheDir!, datasetHash: need.rows.datasetHash, columns: need.rows.mapping, options } : undefined,
        },
        { log, progress, signal: hooks.signal, lockPollMs: request.lockPollMs },
      );
      stages.push(stage);
      try {
        await stage.beforeTokenize();
        const activations = await stage.extract(need.sequences);
        forwardPassRows += activations.forwardPassRows;
        sources.set(need, activations.sources.get(location)!);
      } finally {
        await stage.close();
      }
    }
    const sourceOf = (side: Need): SlabSource => sources.get(shared ? needs[0] : side)!;
    const rowsIn = (side: Need, sequences: PreparedSequence[]): number[] => {
      const at = new Map((shared ? needs[0] : side).sequences.map((s, i) => [s.rowIndex, i]));
      return sequences.map((s) => at.get(s.rowIndex)!);
    };
    const slabs = new TransferSlabs({ source: sourceOf(needA), rows: rowsIn(needA, trainA) }, { source: sourceOf(needB), rows: rowsIn(needB, testB) });
    const labels = Uint8Array.from([...rowsA.prepared.train, ...rowsB.prepared.test], (r) => r.correct);
    const trainIdx = trainA.map((_, i) => i);
    const testIdx = testB.map((_, i) => trainA.length + i);
    const probe = a.settings.probe;
    const grid = await trainProbes(slabs, trainIdx, testIdx, labels, {
      C: probe.C,
      tol: probe.tol,
      maxIter: probe.maxNewtonIterations,
      // The seed of each cell's AUC interval: B's, so the transfer AUC's interval resamples B's rows as B's own does.
      seed: rowsB.options.seed,
      signal: hooks.signal,
      workers: request.probeWorkers ?? RUN_OPTIONS.probeWorkers.default,
      onCell: (done: number, total: number) => progress('probe', done, total, `Probes ${done}/${total} (trained on A, tested on B)`),
    });
    if (grid.solver !== '' && probe.solver !== '' && grid.solver !== probe.solver) {
      log(`warning: A's run fitted its probes with ${probe.solver}, this transfer with ${grid.solver} (another version of Layer Probe?)`);
    }
    return transferComparison(a, request.aFile, b, request.bFile, grid, forwardPassRows);
  } finally {
    for (const stage of stages) stage.releaseCaches();
  }
}

/** Train rows then test rows not already among them (a row can be in both runs' selections). */
function unionByRow(first: PreparedSequence[], second: PreparedSequence[]): PreparedSequence[] {
  const seen = new Set(first.map((s) => s.rowIndex));
  return [...first, ...second.filter((s) => !seen.has(s.rowIndex))];
}

/** B's result with its probes replaced by the transferred ones, compared with B itself (paired: the same rows). */
function transferComparison(
  a: ProbeResult,
  aFile: string,
  b: ProbeResult,
  bFile: string,
  grid: Awaited<ReturnType<typeof trainProbes>>,
  forwardPassRows: number,
): Comparison {
  const transferred: ProbeResult = { ...b, metrics: grid.metrics, aucInterval: grid.aucInterval, test: { ...b.test, scores: grid.scores } };
  const comparison = compareResults(transferred, aFile, b, bFile, { seed: b.settings.options.seed });
  if (comparison.pairing !== 'paired') throw new PipelineError(`${bFile}: the transferred probes did not score B's test rows (${comparison.pairingReason})`);
  const trainedOn = comparedRun(a, aFile, comparison.tokens);
  const title = `trained on ${trainedOn.dataset}, tested on ${comparison.b.dataset}`;
  return {
    ...comparison,
    a: { ...comparison.a, title: `${a.model.name} · ${trainedOn.dataset} → ${comparison.b.dataset} · ${a.model.location}` },
    transfer: { trainedOn, nTrain: a.nTrain, title, forwardPassRows },
  };
}
