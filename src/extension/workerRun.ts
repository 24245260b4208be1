import { fork } from 'node:child_process';
import * as path from 'node:path';

import type { ColumnDetection, ColumnMapping } from '../contract/columns';
import { LayerProbeError, RunCancelled } from '../contract/errors';
import type { ProbeResult } from '../contract/result';
import type { FromWorker, RunRequest, RunStage, ToWorker } from '../contract/workerProtocol';

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
  resolveColumns(detection: ColumnDetection, columns: string[]): Promise<Partial<ColumnMapping> | undefined>;
}

/**
 * Runs the pipeline in a child process (dist/worker.js). Cancelling kills it, which really stops
 * onnxruntime mid-batch (a flag checked between batches could wait seconds on a large model) and can
 * never take the extension host down with it. Rejects with RunCancelled when cancelled.
 */
export function runInWorker(
  distDir: string,
  request: RunRequest,
  hooks: WorkerRunHooks,
  cancel: { onCancellationRequested(listener: () => void): unknown },
): Promise<ProbeResult> {
  // `serialization: 'advanced'` (structured clone) carries the result's large arrays faster than JSON.
  const worker = fork(path.join(distDir, 'worker.js'), [], { serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  const stderr: string[] = [];
  worker.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const send = (msg: ToWorker): void => {
    worker.send(msg);
  };
  return new Promise<ProbeResult>((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      worker.kill('SIGKILL');
    };
    cancel.onCancellationRequested(() => finish(() => reject(new RunCancelled('probing cancelled'))));
    worker.on('message', (msg: FromWorker) => {
      switch (msg.type) {
        case 'progress':
          hooks.onProgress(msg.stage, msg.done, msg.total, msg.message);
          break;
        case 'log':
          hooks.log(msg.line);
          break;
        case 'askColumns':
          void hooks.resolveColumns(msg.detection, msg.columns).then((mapping) => send({ type: 'columns', mapping }));
          break;
        case 'result':
          finish(() => resolve(msg.result));
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
    send({ type: 'run', request });
  });
}
