// Where heatmap cells are fitted: in the pipeline's own thread, one at a time (onnxruntime's products
// using every core), or in a pool of worker threads, one cell each at a time, sharing the cores.
// onnxruntime-node runs a session synchronously on the calling thread (its promise only defers the call),
// so cells in one thread never overlap, and the JavaScript between its calls (conjugate-gradient vectors,
// float64 passes over X, the bootstrap) leaves a core idle: two one-core workers fit whole heatmaps
// 1.6–2.2× faster on 2 cores (bench/probes/README.md). Each cell is the same computation in either place
// (same inputs, same warm start, and MLAS gives the same bits for 1 and 2 threads), so the heatmap does
// not depend on the number of workers.
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { usesOnnxruntimeProducts } from '../probe/logistic';
import { GramScratch } from '../probe/ortKernels';
import { probeCellAsync, type ProbeCellFastOptions, type ProbeCellResult } from '../probe/probeCell';
import { PipelineError } from './errors';

/** One cell's fit, as sent to a worker thread (the matrices' buffers are transferred, not copied). */
export interface CellJob {
  id: number;
  Xtrain: Float32Array;
  yTrain: Uint8Array;
  Xtest: Float32Array;
  yTest: Uint8Array;
  hiddenSize: number;
  /** Plain data only (it is cloned to the thread): each runner adds its own threads and GramScratch. */
  options: Omit<ProbeCellFastOptions, 'threads' | 'gramScratch'>;
}

/** A fitted cell, with the job's matrices handed back for the next cell (see trainProbes.ts). */
export type CellReply = { id: number; result: ProbeCellResult; Xtrain: Float32Array; Xtest: Float32Array } | { id: number; error: string };

export interface FittedCell {
  result: ProbeCellResult;
  Xtrain: Float32Array;
  Xtest: Float32Array;
}

/** A worker thread's workerData. */
export interface ProbeThreadData {
  /** onnxruntime intra-op threads of its kernels. */
  threads: number;
}

export interface CellRunner {
  /** Cells it fits at once. */
  readonly workers: number;
  run(job: Omit<CellJob, 'id'>): Promise<FittedCell>;
  close(): Promise<void>;
}

/** Most workers `probeWorkers: 0` starts: beyond ~4, each holds its matrices for little gain per core. */
const AUTO_MAX_WORKERS = 4;

/**
 * The workers a run uses: the option (0 = one per core, at most 4), but one where threads cannot help —
 * a GPU provider (its products are on the device), cells so small that the JS solvers fit them in
 * milliseconds (a thread's start, ~0.5 s loading onnxruntime, would cost more), or fewer than 2 cells.
 */
export function probeWorkerCount(option: number, cells: number, trainRows: number, hiddenSize: number, provider: string, cores = os.availableParallelism()): number {
  const wanted = option === 0 ? Math.min(cores, AUTO_MAX_WORKERS) : option;
  if (provider !== 'cpu' || cells < 2) return 1;
  if (!usesOnnxruntimeProducts(trainRows, hiddenSize)) return 1;
  return Math.max(1, Math.min(wanted, cells));
}

/** Cells fitted here, one at a time, as before workers existed. */
export function inThreadRunner(): CellRunner {
  const gramScratch = new GramScratch();
  return {
    workers: 1,
    run: async (job) => ({
      result: await probeCellAsync(job.Xtrain, job.yTrain, job.Xtest, job.yTest, job.hiddenSize, { ...job.options, gramScratch }),
      Xtrain: job.Xtrain,
      Xtest: job.Xtest,
    }),
    close: () => Promise.resolve(),
  };
}

/** `workers` worker threads, each with an equal share of the cores for its onnxruntime kernels. */
export function threadPoolRunner(workers: number, cores = os.availableParallelism()): CellRunner {
  const data: ProbeThreadData = { threads: Math.max(1, Math.floor(cores / workers)) };
  const idle: Worker[] = [];
  const waiting: { job: CellJob; resolve: (r: FittedCell) => void; reject: (e: Error) => void }[] = [];
  const pending = new Map<number, { worker: Worker; resolve: (r: FittedCell) => void; reject: (e: Error) => void }>();
  const threads = Array.from({ length: workers }, () => startProbeThread(data));
  let nextId = 0;
  let closed = false;

  const dispatch = (): void => {
    while (idle.length > 0 && waiting.length > 0) {
      const worker = idle.pop()!;
      const { job, resolve, reject } = waiting.shift()!;
      pending.set(job.id, { worker, resolve, reject });
      worker.postMessage(job, [job.Xtrain.buffer, job.Xtest.buffer] as ArrayBuffer[]);
    }
  };
  const failThread = (worker: Worker, err: Error): void => {
    for (const [id, p] of pending) {
      if (p.worker !== worker) continue;
      pending.delete(id);
      p.reject(new PipelineError(`a probe worker thread stopped: ${err.message}`, { cause: err }));
    }
  };
  for (const worker of threads) {
    worker.on('message', (reply: CellReply) => {
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      idle.push(worker);
      if ('error' in reply) p.reject(new Error(reply.error));
      else p.resolve({ result: reply.result, Xtrain: reply.Xtrain, Xtest: reply.Xtest });
      dispatch();
    });
    worker.on('error', (err) => failThread(worker, err));
    worker.on('exit', (code) => {
      if (!closed) failThread(worker, new Error(`it exited with code ${code}`));
    });
    idle.push(worker);
  }
  return {
    workers,
    run(job) {
      if (closed) return Promise.reject(new Error('the probe worker threads were closed'));
      return new Promise((resolve, reject) => {
        waiting.push({ job: { ...job, id: nextId++ }, resolve, reject });
        dispatch();
      });
    },
    async close() {
      closed = true;
      await Promise.all(threads.map((w) => w.terminate()));
    },
  };
}

function startProbeThread(workerData: ProbeThreadData): Worker {
  // Bundled (dist/cli.js, dist/worker.js), probeThread.js lies beside the bundle. From source (tests and
  // benchmarks under tsx), the .ts file is loaded through tsx's require hook: a worker thread does not
  // inherit the parent's --import loaders.
  if (__filename.endsWith('.ts')) {
    const entry = path.join(__dirname, 'probeThread.ts');
    return new Worker(`require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(entry)});`, { eval: true, workerData });
  }
  return new Worker(path.join(__dirname, 'probeThread.js'), { workerData });
}
