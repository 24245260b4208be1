// Runs the probing pipeline in a child process, off the extension host: onnxruntime blocks the thread
// that calls it (model load, forward passes) and probe training is CPU-bound. A child process rather
// than a worker thread because cancelling must stop onnxruntime mid-call: terminating a worker thread
// while a native ORT call is in flight aborts the whole host process ("terminate called after throwing
// an instance of 'Napi::Error'"); killing a child process is always safe.
import type { ColumnMapping } from '../contract/columns';
import { causeMessages } from '../contract/errors';
import type { FromWorker, ToWorker } from '../contract/workerProtocol';
import { runProbe } from '../core/pipeline/runProbe';

if (!process.send) throw new Error('worker.js must be started with an IPC channel (child_process.fork)');
const post = (msg: FromWorker): void => {
  process.send?.(msg);
};

let answerColumns: ((m: Partial<ColumnMapping> | undefined) => void) | undefined;

process.on('message', (msg: ToWorker) => {
  if (msg.type === 'columns') {
    answerColumns?.(msg.mapping);
    answerColumns = undefined;
    return;
  }
  runProbe(msg.request, {
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
      post({ type: 'error', message: e.message, kind: e.name, causes: causeMessages(e) });
    },
  );
});

// The parent going away (window closed, extension host restarted) ends the run too.
process.on('disconnect', () => process.exit(0));
