// Runs the probing pipeline off the extension host's thread: onnxruntime blocks the thread that calls
// it (model load, forward passes) and probe training is CPU-bound. Cancelling terminates this worker.
import { parentPort } from 'node:worker_threads';
import { runProbe } from '../core/pipeline/runProbe';
import type { ColumnMapping } from '../core/types';
import type { FromWorker, ToWorker } from './messages';

const port = parentPort;
if (!port) throw new Error('worker.js must run in a worker thread');
const post = (msg: FromWorker): void => port.postMessage(msg);

let answerColumns: ((m: Partial<ColumnMapping> | undefined) => void) | undefined;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'columns') {
    answerColumns?.(msg.mapping);
    answerColumns = undefined;
    return;
  }
  runProbe(msg.input, {
    onProgress: (stage, done, total, message) => post({ type: 'progress', stage, done, total, message }),
    log: (line) => post({ type: 'log', line }),
    resolveColumns: (detection, columns) =>
      new Promise((resolve) => {
        answerColumns = resolve;
        post({ type: 'askColumns', detection, columns });
      }),
  }).then(
    (result) => post({ type: 'result', result }),
    (err: unknown) => {
      const e = err instanceof Error ? err : new Error(String(err));
      post({ type: 'error', message: e.message, kind: e.name });
    },
  );
});
