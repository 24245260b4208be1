// Runs the pipeline in a child process, off the extension host: onnxruntime blocks the thread
// that calls it (model load, forward passes) and probe training is CPU-bound. A child process rather
// than a worker thread because cancelling must stop onnxruntime mid-call: terminating a worker thread
// while a native ORT call is in flight aborts the whole host process ("terminate called after throwing
// an instance of 'Napi::Error'"); killing a child process is always safe.
// The run folder's files are written as the CLI writes them (one copy of the output code).
// First: onnxruntime's telemetry is off before anything loads it.
import '../core/onnx/telemetryOff';

import * as fs from 'node:fs';

import { writeOutputs } from '../cli/writeOutputs';
import type { ColumnMapping } from '../contract/columns';
import { causeMessages } from '../contract/errors';
import { parseProbeResult, type ProbeResult } from '../contract/result';
import { promptFormatOf } from '../contract/runOptions';
import type { FromWorker, GenerateRequest, GenerationSummary, ToWorker } from '../contract/workerProtocol';
import { compareResults } from '../core/compare/compareResults';
import { transferProbes } from '../core/compare/transferProbes';
import { generateAnswers } from '../core/generate/generateAnswers';
import { generationMessage } from '../core/generate/generationProgress';
import { inspectDataset } from '../core/generate/inspectDataset';
import { planRun } from '../core/pipeline/planRun';
import { runProbe } from '../core/pipeline/runProbe';
import { timedProgress } from '../core/progress/timedProgress';

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
  handle(msg).then(post, (err: unknown) => {
    const e = err instanceof Error ? err : new Error(String(err));
    post({ type: 'error', message: e.message, kind: e.name, causes: causeMessages(e) });
  });
});

async function handle(msg: Exclude<ToWorker, { type: 'columns' }>): Promise<FromWorker> {
  switch (msg.type) {
    case 'inspect':
      return { type: 'inspection', inspection: await inspectDataset(msg.datasetFile, msg.options) };
    case 'generate':
      return { type: 'generated', summary: await generate(msg.request) };
    case 'plan':
      return { type: 'planned', plan: await planRun({ ...msg.request, columns: msg.request.columns }) };
    case 'compare': {
      const read = async (file: string): Promise<ProbeResult> => parseProbeResult(await fs.promises.readFile(file, 'utf8'), file);
      return { type: 'compared', comparison: compareResults(await read(msg.aFile), msg.aFile, await read(msg.bFile), msg.bFile) };
    }
    case 'transfer': {
      const comparison = await transferProbes(msg, {
        onProgress: (stage, done, total, message) => post({ type: 'progress', stage, done, total, message }),
        log: (line) => post({ type: 'log', line }),
      });
      return { type: 'compared', comparison };
    }
    case 'run': {
      const result = await runProbe(msg.request, {
        onProgress: (stage, done, total, message) => post({ type: 'progress', stage, done, total, message }),
        log: (line) => post({ type: 'log', line }),
        onCell: (cell) => post({ type: 'cell', cell }),
        resolveColumns: (detection, columns) =>
          new Promise((resolve) => {
            answerColumns = resolve;
            post({ type: 'askColumns', detection, columns });
          }),
      });
      if (msg.request.outDir) writeOutputs(result, msg.request.outDir, __dirname);
      return { type: 'result', result };
    }
  }
}

async function generate(request: GenerateRequest): Promise<GenerationSummary> {
  const { options } = request;
  const timed = timedProgress((stage, done, total, message) => post({ type: 'progress', stage, done, total, message }));
  const generated = await generateAnswers({
    questionsFile: request.questionsFile,
    encoding: options.encoding,
    maxDatasetMB: options.maxDatasetMB,
    modelDir: options.modelFolder,
    outFile: request.outFile,
    datasetKind: options.datasetKind === 'auto' ? undefined : options.datasetKind,
    modelKind: options.modelKind === 'auto' ? undefined : options.modelKind,
    promptFormat: promptFormatOf(options),
    executionProvider: options.executionProvider,
    extractionModel: options.extractionModel,
    extractionSampling: options.extractionSampling,
    seed: options.seed,
    limit: request.limit,
    log: (line) => post({ type: 'log', line }),
    onWaiting: (message) => post({ type: 'progress', stage: 'generate', done: 0, total: 1, message: `${message[0].toUpperCase()}${message.slice(1)}` }),
    onProgress: (p) => timed('generate', p.done, p.total, generationMessage(p)),
  });
  return { ...generated.provenance, outFile: generated.outFile, rows: generated.rows.length, resumed: generated.resumed, provider: generated.provider };
}

// The parent going away (window closed, extension host restarted) ends the run too.
process.on('disconnect', () => process.exit(0));
