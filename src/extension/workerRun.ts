import * as path from 'node:path';
import { fork } from 'node:child_process';
import type { ColumnDetection } from '../core/dataset/columns';
import type { RunInput, RunStage } from '../core/pipeline/runProbe';
import type { ProbeResult } from '../core/result/types';
import type { ColumnMapping } from '../core/types';
import type { FromWorker, ToWorker } from '../worker/messages';

export class RunCancelled extends Error {
  override name = 'RunCancelled';
}

export class WorkerRunError extends Error {
  constructor(message: string, readonly kind: string) {
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
 * never take the extension host down with it.
 */
export function runInWorker(
  distDir: string,
  input: RunInput,
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
    cancel.onCancellationRequested(() => finish(() => reject(new RunCancelled('Probing cancelled'))));
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
          finish(() => reject(new WorkerRunError(msg.message, msg.kind)));
          break;
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code, signal) =>
      finish(() => {
        const tail = stderr.join('').trim().split('\n').slice(-5).join('\n');
        reject(new Error(`the probing process exited unexpectedly (${signal ?? `code ${code}`})${tail ? `: ${tail}` : ''}`));
      }),
    );
    send({ type: 'run', input });
  });
}
