// Probes trained in worker threads: the same heatmap, bit for bit, as one at a time in the calling
// thread; errors name the cell; a cancelled run stops its threads; the worker count follows the rules.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';

import { RunCancelled } from '../../../src/contract/errors';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { FeatureStore } from '../../../src/core/pipeline/featureStore';
import type { CellJob, CellReply, ProbeThreadData } from '../../../src/core/pipeline/probeWorkers';
import { probeWorkerCount } from '../../../src/core/pipeline/probeWorkers';
import { packRows } from '../../../src/core/pipeline/slabSource';
import { cellsInTrainingOrder, trainProbes } from '../../../src/core/pipeline/trainProbes';
import { LOGISTIC_DEFAULTS } from '../../../src/core/probe/logistic';
import { GramScratch } from '../../../src/core/probe/ortKernels';
import { probeCellAsync } from '../../../src/core/probe/probeCell';

// 200 train rows × 1300 features: n·d·n = 5.2·10⁷ multiply-adds, just above the fast path's threshold,
// so every cell runs the onnxruntime-backed dual Newton solver (the path worker threads are used for).
const LAYERS = 3;
const TRAIN = 200;
const TEST = 60;
const D = 1300;

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Activations whose correct-label signal grows with the layer, as a residual stream's might. */
function syntheticStore(): { store: FeatureStore; labels: Uint8Array } {
  const rows = TRAIN + TEST;
  const rand = mulberry32(7);
  const labels = Uint8Array.from({ length: rows }, () => (rand() < 0.5 ? 1 : 0));
  const store = new FeatureStore(LAYERS, rows, D);
  for (let layer = 0; layer < LAYERS; layer++) {
    for (let token = 0; token < TOKEN_POSITIONS.length; token++) {
      const slab = store.slab(layer, token);
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < D; j++) slab[r * D + j] = rand() * 2 - 1 + (j < 8 ? (labels[r] ? 0.15 : -0.15) * (layer + 1) : 0);
      }
    }
  }
  return { store, labels };
}

const trainRows = Array.from({ length: TRAIN }, (_, i) => i);
const testRows = Array.from({ length: TEST }, (_, i) => TRAIN + i);
const { store, labels } = syntheticStore();
const base = { ...LOGISTIC_DEFAULTS, seed: 3 };

test('two worker threads give the same bits as one thread: metrics, scores, intervals, iterations', async () => {
  const one = await trainProbes(store, trainRows, testRows, labels, { ...base, workers: 1 });
  const doneOrder: string[] = [];
  const two = await trainProbes(store, trainRows, testRows, labels, { ...base, workers: 2, onCell: (done, total, c) => doneOrder.push(`${done}/${total} ${c.layer}:${c.token}`) });
  assert.equal(one.workers, 1);
  assert.equal(two.workers, 2);
  assert.equal(one.solver, 'newton-dual');
  assert.deepEqual(two.metrics, one.metrics);
  assert.deepEqual(two.scores, one.scores);
  assert.deepEqual(two.aucInterval, one.aucInterval);
  assert.deepEqual(two.iterations, one.iterations);
  assert.ok(two.converged.flat().every(Boolean));
  // Every cell reported once, counted 1…45; the signal is there (AUC rises with the layer).
  const cells = LAYERS * TOKEN_POSITIONS.length;
  assert.deepEqual(doneOrder.map((s) => s.split(' ')[0]), Array.from({ length: cells }, (_, i) => `${i + 1}/${cells}`));
  assert.equal(new Set(doneOrder.map((s) => s.split(' ')[1])).size, cells);
  assert.ok(one.metrics.auc[2][0]! > one.metrics.auc[0][0]!, `AUC ${one.metrics.auc[0][0]} → ${one.metrics.auc[2][0]}`);
});

test('warm-start parents are fixed by the order: the nearest trained layer at the same token; the first layer cold', () => {
  const cells = cellsInTrainingOrder(5);
  assert.deepEqual([...new Set(cells.map((c) => c.layer))], [0, 4, 2, 1, 3]);
  const parentOf = new Map(cells.map((c) => [c.key, c.parent]));
  assert.equal(parentOf.get('0/0'), undefined);
  assert.equal(parentOf.get('0/14'), undefined);
  assert.equal(parentOf.get('4/3'), '0/3');
  assert.equal(parentOf.get('2/3'), '0/3'); // 0 and 4 both at distance 2: the lower one
  assert.equal(parentOf.get('1/7'), '0/7');
  assert.equal(parentOf.get('3/7'), '2/7');
  // Every parent is started before its child.
  const at = new Map(cells.map((c, i) => [c.key, i]));
  for (const c of cells) if (c.parent) assert.ok(at.get(c.parent)! < at.get(c.key)!, c.key);
});

test('a failing cell in a worker thread names its layer and token, as in the calling thread', async () => {
  const bad = new FeatureStore(LAYERS, TRAIN + TEST, D);
  for (let layer = 0; layer < LAYERS; layer++) for (let token = 0; token < TOKEN_POSITIONS.length; token++) bad.slab(layer, token).set(store.slab(layer, token));
  bad.slab(2, 5)[17 * D + 3] = Number.NaN;
  const messages: string[] = [];
  for (const workers of [1, 2]) {
    await assert.rejects(trainProbes(bad, trainRows, testRows, labels, { ...base, workers }), (err: Error) => {
      messages.push(err.message);
      return true;
    });
  }
  assert.ok(messages[0].startsWith(`probe at layer 2, token ${TOKEN_POSITIONS[5]}: X holds a non-finite value (NaN) in row 17`), messages[0]);
  assert.equal(messages[1], messages[0]);
});

test('a cancelled run stops between cells and ends its worker threads', async () => {
  const controller = new AbortController();
  let cells = 0;
  await assert.rejects(
    trainProbes(store, trainRows, testRows, labels, { ...base, workers: 2, signal: controller.signal, onCell: () => { if (++cells === 3) controller.abort(); } }),
    RunCancelled,
  );
  assert.ok(cells >= 3 && cells <= 5, `${cells} cells reported`);
});

test('worker count: the option, one per core up to 4 for 0, and 1 where threads cannot help', () => {
  assert.equal(probeWorkerCount(0, 480, 800, 4096, 'cpu', 2), 2);
  assert.equal(probeWorkerCount(0, 480, 800, 4096, 'cpu', 16), 4);
  assert.equal(probeWorkerCount(3, 480, 800, 4096, 'cpu', 2), 3);
  assert.equal(probeWorkerCount(1, 480, 800, 4096, 'cpu', 16), 1);
  assert.equal(probeWorkerCount(8, 5, 800, 4096, 'cpu', 16), 5, 'never more workers than cells');
  assert.equal(probeWorkerCount(0, 480, 800, 4096, 'webgpu', 16), 1, 'a GPU provider keeps the products on the device');
  assert.equal(probeWorkerCount(0, 480, 160, 64, 'cpu', 16), 1, 'JS-solver cells fit in milliseconds: no thread start');
  assert.equal(probeWorkerCount(0, 1, 800, 4096, 'cpu', 16), 1);
});

test('the bundled probe thread beside dist/cli.js (what the CLI and the extension start) fits a cell as this thread does', async () => {
  const slab = store.slab(1, 4);
  const yTrain = labels.subarray(0, TRAIN);
  const yTest = labels.subarray(TRAIN);
  const here = await probeCellAsync(packRows(slab, D, trainRows), yTrain, packRows(slab, D, testRows), yTest, D, base);
  const workerData: ProbeThreadData = { threads: 1 };
  const worker = new Worker(path.resolve('dist', 'probeThread.js'), { workerData, execArgv: [] }); // as `node dist/cli.js` starts it: no tsx
  try {
    const job: CellJob = { id: 41, Xtrain: packRows(slab, D, trainRows), yTrain, Xtest: packRows(slab, D, testRows), yTest, hiddenSize: D, options: base };
    const reply = await new Promise<CellReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.postMessage(job);
    });
    assert.equal(reply.id, 41);
    assert.ok('result' in reply, 'error' in reply ? reply.error : '');
    assert.equal(reply.result.solver, 'newton-dual');
    assert.deepEqual(reply.result.metrics, here.metrics);
    assert.deepEqual(Array.from(reply.result.pCorrectTest), Array.from(here.pCorrectTest));
  } finally {
    await worker.terminate();
  }
});

test('a GramScratch reused from fit to fit (and resized for other row counts) gives the fits fresh memory gives', async () => {
  const gramScratch = new GramScratch();
  const fitsOf = async (scratch: GramScratch | undefined): Promise<unknown[]> => {
    const out: unknown[] = [];
    for (const [layer, token, rows] of [[1, 4, TRAIN], [2, 7, TRAIN], [0, 1, 198], [1, 4, TRAIN]] as const) {
      const slab = store.slab(layer, token);
      const train = trainRows.slice(0, rows);
      const cell = await probeCellAsync(packRows(slab, D, train), labels.subarray(0, rows), packRows(slab, D, testRows), labels.subarray(TRAIN), D, { ...base, gramScratch: scratch });
      out.push({ metrics: cell.metrics, scores: Array.from(cell.pCorrectTest), iterations: cell.iterations, solver: cell.solver });
    }
    return out;
  };
  const fresh = await fitsOf(undefined);
  assert.deepEqual(await fitsOf(gramScratch), fresh);
  assert.deepEqual(fresh.map((f) => (f as { solver: string }).solver), ['newton-dual', 'newton-dual', 'newton-dual', 'newton-dual'], 'every fit on the dual (198 rows: just above the fast path)');
  const buffers = gramScratch.forRows(TRAIN);
  assert.equal(gramScratch.forRows(TRAIN), buffers, 'the same memory for the same row count');
  assert.equal(buffers.K.length, TRAIN * TRAIN);
});
