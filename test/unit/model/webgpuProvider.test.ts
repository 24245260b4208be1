// The WebGPU execution provider against the CPU one, on every fixture. On Linux CI it runs on a software
// Vulkan device (Mesa's lavapipe, mesa-vulkan-drivers 25 from bookworm-backports: .ci/run installs it;
// Debian 12's own Mesa 22.3 is refused by Dawn). An explicit 'webgpu' is tried alone, so a machine
// without a Vulkan driver fails here with the adapter request's message and what to install.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { PROBE_LOCATIONS } from '../../../src/contract/locations';
import { runOptions } from '../../../src/contract/runOptions';
import { type ActivationBatch,ActivationSession } from '../../../src/core/model/activationSession';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { fitLogisticFast } from '../../../src/core/probe/logistic';
import { OrtKernels } from '../../../src/core/probe/ortKernels';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from '../pipeline/plantedDataset';

const FIXTURES = [
  { model: 'tiny-llama-unfused-extdata', fp16: false },
  { model: 'toy-facts-llama', fp16: false },
  { model: 'tiny-random-gpt2-fused', fp16: false },
  { model: 'tiny-random-llama-gqa-fp32', fp16: false },
  { model: 'tiny-random-llama-fp16', fp16: true },
  { model: 'tiny-qwen-gqa-fp16-notokenizer', fp16: true },
];

const PROMPTS = [
  [1, 450, 383, 310, 444, 338, 29, 7],
  [1, 13, 901],
  [1, 894, 901, 724, 338],
];

async function forward(model: string, provider: string): Promise<{ batch: ActivationBatch; provider: string }> {
  const session = await ActivationSession.open(fixtureModel(model), { locations: [...PROBE_LOCATIONS], keepLogits: true, executionProviders: [provider] });
  try {
    return { batch: await session.run(PROMPTS), provider: session.provider };
  } finally {
    await session.close();
  }
}

/**
 * Largest |a − b| over the real (unpadded) positions, and where. fp16 graphs are compared in units of
 * the fp16 spacing at the tensor's largest magnitude: their rounding errors scale with the values summed,
 * not with the (possibly near-zero) result, and 1e-4 is below fp16's resolution above 0.1.
 */
function worst(a: Float32Array, b: Float32Array, lengths: number[], seqLen: number, fp16: boolean): { diff: number; at: number } {
  const width = a.length / (lengths.length * seqLen);
  let largest = 0;
  for (const v of a) largest = Math.max(largest, Math.abs(v));
  const scale = fp16 ? 2 ** (Math.floor(Math.log2(Math.max(largest, 2 ** -14))) - 10) : 1;
  let diff = 0;
  let at = -1;
  for (const [row, len] of lengths.entries()) {
    for (let i = row * seqLen * width; i < (row * seqLen + len) * width; i++) {
      const d = Math.abs(a[i] - b[i]) / scale;
      if (!(d <= diff)) [diff, at] = [d, i];
    }
  }
  return { diff, at };
}

for (const fx of FIXTURES) {
  test(`${fx.model}: the rewritten graph's logits and exposed activations on webgpu match cpu`, async () => {
    const cpu = await forward(fx.model, 'cpu');
    const gpu = await forward(fx.model, 'webgpu');
    assert.equal(gpu.provider, 'webgpu');
    assert.deepEqual(gpu.batch.lengths, cpu.batch.lengths);
    // fp32: within 1e-4 absolute (measured on lavapipe: ≤ 7e-6 for logits, ≤ 6.2e-5 for activations).
    // fp16: within 8 fp16 steps at the tensor's largest value (measured: ≤ 5, in mlp_out) — the two
    // providers round fp16 intermediates differently.
    const limit = fx.fp16 ? 8 : 1e-4;
    const logits = worst(cpu.batch.logits!, gpu.batch.logits!, cpu.batch.lengths, cpu.batch.seqLen, fx.fp16);
    assert.ok(logits.diff <= limit, `logits differ by ${logits.diff} at ${logits.at}`);
    // A real comparison: logits are not all zero.
    assert.ok(cpu.batch.logits!.some((v) => Math.abs(v) > 1e-3));
    const locations = Object.keys(cpu.batch.activations) as (keyof ActivationBatch['activations'])[];
    assert.ok(locations.length >= 3, locations.join(', '));
    assert.deepEqual(Object.keys(gpu.batch.activations).sort(), [...locations].sort());
    for (const location of locations) {
      const a = cpu.batch.activations[location]!;
      const b = gpu.batch.activations[location]!;
      assert.equal(b.length, a.length);
      for (let layer = 0; layer < a.length; layer++) {
        const { diff, at } = worst(a[layer], b[layer], cpu.batch.lengths, cpu.batch.seqLen, fx.fp16);
        assert.ok(diff <= limit, `${location} layer ${layer} differs by ${diff} at ${at}`);
      }
    }
  });
}

test('the heatmap from webgpu forward passes matches the cpu one within 1e-3 AUC', async () => {
  const datasetFile = plantedDataset(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-webgpu-')));
  // No baselines: their one-row passes (a new shape each) take ~55 s on lavapipe; the logits they read are
  // compared above. No cacheDir: each run does its own forward passes.
  const options = runOptions({ modelFolder: fixtureModel('tiny-llama-unfused-extdata'), sampleLimit: 0, baselines: false });
  const cpu = await runProbe({ datasetFile, options: { ...options, executionProvider: 'cpu' } });
  const logs: string[] = [];
  const gpu = await runProbe({ datasetFile, options: { ...options, executionProvider: 'webgpu' } }, { log: (l) => logs.push(l) });
  assert.equal(cpu.model.provider, 'cpu');
  assert.equal(gpu.model.provider, 'webgpu');
  assert.deepEqual(gpu.model.providersTried, ['webgpu']);
  assert.ok(logs.includes('execution provider webgpu'), logs.join('\n'));
  assert.deepEqual(gpu.test.rowIndex, cpu.test.rowIndex);
  const a = cpu.metrics.auc;
  const b = gpu.metrics.auc;
  assert.equal(b.length, a.length);
  let cells = 0;
  for (let layer = 0; layer < a.length; layer++) {
    assert.equal(b[layer].length, a[layer].length);
    for (let col = 0; col < a[layer].length; col++) {
      const [x, y] = [a[layer][col], b[layer][col]];
      if (x === null || y === null) {
        assert.equal(y, x, `layer ${layer} column ${col}`);
        continue;
      }
      cells++;
      assert.ok(Math.abs(x - y) <= 1e-3, `layer ${layer} column ${col}: AUC ${x} on cpu, ${y} on webgpu`);
    }
  }
  assert.ok(cells >= 40, `${cells} cells compared`);
  // The planted word is found on both: a heatmap with signal, not two equal heatmaps of chance.
  assert.ok(Math.max(...b.flat().filter((v): v is number => v !== null)) > 0.9);
});

test("the probes' onnxruntime kernels on webgpu give the cpu products and the same fit", async () => {
  let state = 7;
  const rand = (): number => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
  const [n, d] = [300, 200];
  const X = Float32Array.from({ length: n * d }, rand);
  const u = Float32Array.from({ length: n }, rand);
  const B = Float32Array.from({ length: d * 3 }, rand);
  const y = Uint8Array.from({ length: n }, (_, i) => (X[i * d]! + 0.3 * rand() > 0 ? 1 : 0));
  const results = [];
  for (const provider of ['cpu', 'webgpu']) {
    const kernels = await OrtKernels.create({ provider });
    try {
      const gram = await kernels.centredGram(X, n, d, u);
      const product = await kernels.matmul32(X, n, d, B, 3);
      // newton-cg by name: the onnxruntime solver even at this size (auto would stay in JavaScript).
      const fit = await fitLogisticFast(X, n, d, y, { solver: 'newton-cg', kernels });
      results.push({ gram, product, fit });
    } finally {
      await kernels.release();
    }
  }
  const [cpu, gpu] = results as [(typeof results)[0], (typeof results)[0]];
  const close = (p: ArrayLike<number>, q: ArrayLike<number>, tol: number, what: string): void => {
    assert.equal(q.length, p.length, what);
    for (let i = 0; i < p.length; i++) assert.ok(Math.abs(p[i]! - q[i]!) <= tol * Math.max(1, Math.abs(p[i]!)), `${what}[${i}]: ${p[i]} vs ${q[i]}`);
  };
  // OrtKernels falls back to cpu silently when webgpu cannot start: that the float32 Gram is not
  // bit-identical (another summation order) shows the products did run on webgpu.
  assert.notDeepEqual(gpu.gram.K, cpu.gram.K);
  close(cpu.gram.K, gpu.gram.K, 1e-5, 'K');
  close(cpu.gram.mu, gpu.gram.mu, 1e-6, 'mu');
  close(cpu.gram.xtu, gpu.gram.xtu, 1e-5, 'xtu');
  close(cpu.product, gpu.product, 1e-5, 'X·B');
  close(cpu.fit.weights, gpu.fit.weights, 1e-6, 'weights');
  assert.ok(Math.abs(cpu.fit.intercept - gpu.fit.intercept) <= 1e-6);
  assert.equal(gpu.fit.converged, true);
});
