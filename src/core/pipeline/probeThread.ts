// A probe worker thread (probeWorkers.ts starts them): fits the cells it is sent, one at a time, with the
// same probeCellAsync as the pipeline's own thread, and posts each result back. Its onnxruntime kernels
// use the intra-op threads it was given, so that the workers together use every core once.
import '../onnx/telemetryOff';

import { parentPort, workerData } from 'node:worker_threads';

import { GramScratch } from '../probe/ortKernels';
import { probeCellAsync } from '../probe/probeCell';
import type { CellJob, CellReply, ProbeThreadData } from './probeWorkers';

const { threads } = workerData as ProbeThreadData;
// One cell at a time per thread (probeWorkers.ts sends the next only after the reply): one scratch.
const gramScratch = new GramScratch();
const port = parentPort;
if (!port) throw new Error('probeThread.ts runs only as a worker thread (see probeWorkers.ts)');

port.on('message', (job: CellJob) => {
  void (async () => {
    let reply: CellReply;
    try {
      const result = await probeCellAsync(job.Xtrain, job.yTrain, job.Xtest, job.yTest, job.hiddenSize, { ...job.options, threads, gramScratch });
      reply = { id: job.id, result, Xtrain: job.Xtrain, Xtest: job.Xtest };
    } catch (err) {
      reply = { id: job.id, error: (err as Error).message };
    }
    const transfer = 'result' in reply ? [reply.result.pCorrectTest.buffer, reply.Xtrain.buffer, reply.Xtest.buffer] : [];
    port.postMessage(reply, transfer as ArrayBuffer[]);
  })();
});
