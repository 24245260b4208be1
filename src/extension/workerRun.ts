import { fork } from 'node:child_process';
import * as path from 'node:path';

import type { ColumnDetection, ColumnMapping } from '../contract/columns';
import type { Comparison } from '../contract/comparison';
import { LayerProbeError, RunCancelled } from '../contract/errors';
import type { ProbeResult } from '../contract/result';
import type { DatasetInspection, FromWorker, GenerateRequest, GenerationSummary, ProbedCell, RunPlan, RunRequest, RunStage, ToWorker } from '../contract/workerProtocol';

/** The worker reported an error; `kind` is its class name there, `causes` its cause chain. */
export class WorkerRunError extends LayerProbeError {
  override name = 'WorkerRunError';

  constructor(
    message: string,
    readonly kind: string,
    readonly causes: string[] = [],
  ) {
    super(message);
  }
}

export interface WorkerRunHooks {
  onProgress(stage: RunStage, done: number, total: number, message: string): void;
  log(line: string): void;
  /** A probe finished (runs only): its final values, for the live heatmap. */
  onCell?(cell: ProbedCell): void;
  resolveColumns(detection: ColumnDetection, columns: string[]): Promise<Partial<ColumnMapping> | undefined>;
}

/**
 * Runs the pipeline in a child process (dist/worker.js). Cancelling kills it, which really stops
 * onnxruntime mid-batch (a flag checked between batches could wait seconds on a large model) and can
 * never take the extension host down with it. Rejects with RunCancelled when cancelled.
 */
export function runInWorker(distDir: string, request: RunRequest, hooks: WorkerRunHooks, cancel: Cancellation): Promise<ProbeResult> {
  return callWorker(distDir, { type: 'run', request }, hooks, cancel, (msg) => (msg.type === 'result' ? msg.result : undefined));
}

/** Answers to a raw benchmark in the worker; cancelling keeps the rows written so far (`.partial`, resumed next time). */
export function generateInWorker(distDir: string, request: GenerateRequest, hooks: WorkerRunHooks, cancel: Cancellation): Promise<GenerationSummary> {
  return callWorker(distDir, { type: 'generate', request }, hooks, cancel, (msg) => (msg.type === 'generated' ? msg.summary : undefined));
}

/** Whether a file holds answered rows or a raw benchmark (and of which kind), read in the worker. */
export function inspectInWorker(distDir: string, request: { datasetFile: string; options: RunRequest['options'] }, hooks: WorkerRunHooks, cancel: Cancellation): Promise<DatasetInspection> {
  return callWorker(distDir, { type: 'inspect', ...request }, hooks, cancel, (msg) => (msg.type === 'inspection' ? msg.inspection : undefined));
}

/** Two runs compared in the worker (the bootstrap of every cell's difference is CPU work). */
export function compareInWorker(distDir: string, aFile: string, bFile: string, hooks: WorkerRunHooks, cancel: Cancellation): Promise<Comparison> {
  return callWorker(distDir, { type: 'compare', aFile, bFile }, hooks, cancel, (msg) => (msg.type === 'compared' ? msg.comparison : undefined));
}

/** Train on A, test on B in the worker: A's probes refitted and scored on B's test rows (forward passes where not cached). */
export function transferInWorker(distDir: string, request: { aFile: string; bFile: string; cacheDir?: string }, hooks: WorkerRunHooks, cancel: Cancellation): Promise<Comparison> {
  return callWorker(distDir, { type: 'transfer', ...request }, hooks, cancel, (msg) => (msg.type === 'compared' ? msg.comparison : undefined));
}

/** What a rerun would need, read from the dataset and the cache manifests (no model load). */
export function planInWorker(distDir: string, request: RunRequest & { columns: ColumnMapping }, hooks: WorkerRunHooks, cancel: Cancellation): Promise<RunPlan> {
  return callWorker(distDir, { type: 'plan', request }, hooks, cancel, (msg) => (msg.type === 'planned' ? msg.plan : undefined));
}

export type Cancellation = { onCancellationRequested(listener: () => void): unknown };

/** One request in a fresh worker process; `pick` recognises its final message. */
function callWorker<T>(distDir: string, request: ToWorker, hooks: WorkerRunHooks, cancel: Cancellation, pick: (msg: FromWorker) => T | undefined): Promise<T> {
  // `serialization: 'advanced'` (structured clone) carries the result's large arrays faster than JSON.
  const worker = fork(path.join(distDir, 'worker.js'), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr: string[] = [];
  worker.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const send = (msg: ToWorker): void => {
    worker.send(msg);
  };
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      worker.kill('SIGKILL');
    };
    cancel.onCancellationRequested(() => finish(() => reject(new RunCancelled(request.type === 'generate' ? 'generation cancelled' : 'probing cancelled'))));
    worker.on('message', (msg: FromWorker) => {
      const picked = pick(msg);
      if (picked !== undefined) {
        finish(() => resolve(picked));
        return;
      }
      switch (msg.type) {
        case 'progress':
          hooks.onProgress(msg.stage, msg.done, msg.total, msg.message);
          break;
        case 'log':
          hooks.log(msg.line);
          break;
        case 'cell':
          hooks.onCell?.(msg.cell);
          break;
        case 'askColumns':
          void hooks.resolveColumns(msg.detection, msg.columns).then((mapping) => send({ type: 'columns', mapping }));
          break;
        case 'error':
          finish(() => reject(msg.kind === 'RunCancelled' ? new RunCancelled(msg.message) : new WorkerRunError(msg.message, msg.kind, msg.causes)));
          break;
      }
    });
    worker.on('error', (err) => finish(() => reject(new LayerProbeError(`the probing process could not start: ${err.message}`, { cause: err }))));
    worker.on('exit', (code, signal) =>
      finish(() => {
        const tail = stderr.join('').trim().split('\n').slice(-5).join('\n');
        reject(new LayerProbeError(`the probing process exited unexpectedly (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`));
      }),
    );
    send(request);
  });
}
