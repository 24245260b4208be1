import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { RunCancelled } from '../../../src/contract/errors';
import { runOptions } from '../../../src/contract/runOptions';
import type { RunStage } from '../../../src/contract/workerProtocol';
import { runInWorker, WorkerRunError } from '../../../src/extension/workerRun';
import { fixtureModel } from '../../helpers/fixtures';

// Drives the real dist/worker.js bundle (npm test builds it first), as the extension host does.
const DIST = path.resolve('dist');
const options = (model: string) => runOptions({ modelFolder: fixtureModel(model), location: 'resid_post', sampleLimit: 0 });

function dataset(rows: number): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-worker-'));
  const lines = Array.from({ length: rows }, (_, i) =>
    JSON.stringify({ question: `Q: item ${i}?\nA:`, model_answer: ` ${i % 2 ? 'yes' : 'no'}\n`, correct: i % 2, exact_answer: i % 2 ? 'yes' : 'no' }),
  );
  const file = path.join(dir, 'data.jsonl');
  fs.writeFileSync(file, lines.join('\n'));
  return file;
}

function cancellation(): { token: { onCancellationRequested(l: () => void): void }; cancel(): void } {
  const listeners: (() => void)[] = [];
  return { token: { onCancellationRequested: (l) => listeners.push(l) }, cancel: () => listeners.forEach((l) => l()) };
}

test('the worker runs the pipeline and reports every stage in order', async () => {
  const stages: RunStage[] = [];
  const logs: string[] = [];
  const result = await runInWorker(
    DIST,
    { datasetFile: dataset(60), options: options('tiny-llama-unfused-extdata') },
    {
      onProgress: (stage) => stages.at(-1) !== stage && stages.push(stage),
      log: (line) => logs.push(line),
      resolveColumns: async () => undefined,
    },
    cancellation().token,
  );
  assert.deepEqual(stages, ['dataset', 'model', 'tokenize', 'extract', 'probe', 'baselines']);
  assert.equal(result.model.numLayers, 4);
  assert.equal(result.model.location, 'resid_post');
  assert.equal(result.nTrain + result.nTest, 60);
  assert.ok(logs.some((l) => /4 layers × 64/.test(l)), logs.join('\n'));
});

test('cancel terminates the worker mid-run and rejects with RunCancelled', async () => {
  const { token, cancel } = cancellation();
  let extracting = false;
  const run = runInWorker(
    DIST,
    { datasetFile: dataset(3000), options: { ...options('toy-facts-llama'), batchMemoryMB: 16 } },
    {
      onProgress: (stage) => {
        if (stage === 'extract' && !extracting) {
          extracting = true;
          cancel();
        }
      },
      log: () => undefined,
      resolveColumns: async () => undefined,
    },
    token,
  );
  await assert.rejects(run, RunCancelled);
  assert.ok(extracting);
});

test('pipeline errors come back with their message, and ambiguous columns are asked for', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-worker-'));
  const file = path.join(dir, 'ambiguous.jsonl');
  const rows = Array.from({ length: 40 }, (_, i) =>
    JSON.stringify({ prompt: `P${i}`, question: `Q: item ${i}?\nA:`, model_answer: ` ${i % 2 ? 'yes' : 'no'}\n`, correct: i % 2 }),
  );
  fs.writeFileSync(file, rows.join('\n'));
  const asked: string[][] = [];
  let samples: Record<string, string[]> | undefined;
  const result = await runInWorker(
    DIST,
    { datasetFile: file, options: options('tiny-llama-unfused-extdata') },
    {
      onProgress: () => undefined,
      log: () => undefined,
      resolveColumns: async (detection) => {
        asked.push(detection.ambiguous.flatMap((a) => a.candidates));
        samples = detection.samples;
        return { prompt: 'question' };
      },
    },
    cancellation().token,
  );
  assert.deepEqual(asked, [['prompt', 'question']]);
  // The candidates' first three values come with the question (the quick pick shows them).
  assert.deepEqual(samples, { prompt: ['"P0"', '"P1"', '"P2"'], question: ['"Q: item 0?\\nA:"', '"Q: item 1?\\nA:"', '"Q: item 2?\\nA:"'] });
  assert.equal(result.dataset.columns.prompt, 'question');

  await assert.rejects(
    runInWorker(
      DIST,
      { datasetFile: file, options: options('not-a-transformer'), columns: { prompt: 'question' } },
      { onProgress: () => undefined, log: () => undefined, resolveColumns: async () => undefined },
      cancellation().token,
    ),
    (err: unknown) => err instanceof WorkerRunError && /does not look like a decoder-only transformer/.test(err.message),
  );
});
