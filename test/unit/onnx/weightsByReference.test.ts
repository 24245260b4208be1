import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import * as ort from 'onnxruntime-node';

import { ActivationSession, locationTensors } from '../../../src/core/model/activationSession';
import { buildFeeds, feedSpecOf } from '../../../src/core/model/feeds';
import { readModelBytes, readModelGraph, resolveModelFolder } from '../../../src/core/model/modelFolder';
import { createOrtSession } from '../../../src/core/model/ortSession';
import { checkExternalData } from '../../../src/core/onnx/externalData';
import { parseModel } from '../../../src/core/onnx/graph';
import { findLayers } from '../../../src/core/onnx/layers';
import { rewriteForActivations } from '../../../src/core/onnx/rewrite';
import { readModelByReference, WEIGHT_BYTES_BY_REFERENCE } from '../../../src/core/onnx/weightsByReference';
import { fields } from '../../../src/core/onnx/wire';
import { OnnxDataType, OnnxModelBuilder } from '../../../src/core/onnx/writer';
import { fixtureModel } from '../../helpers/fixtures';

const sha256 = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const sameBytes = (a: Uint8Array, b: Uint8Array, what: string): void => assert.ok(Buffer.from(a.buffer, a.byteOffset, a.length).equals(b), what);
const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-byref-'));

/** Every output of one run of `bytes` on the same token rows. */
async function runAll(bytes: Uint8Array, modelDir: string, label: string, rows: number[][]): Promise<Record<string, Float32Array | Uint16Array>> {
  const graph = parseModel(bytes, label);
  const { session } = await createOrtSession(bytes, modelDir, label, ['cpu'], graph);
  try {
    const { feeds } = buildFeeds(feedSpecOf(graph), rows, undefined);
    const out = await session.run(feeds);
    return Object.fromEntries(Object.entries(out).map(([name, t]) => [name, t.data as Float32Array | Uint16Array]));
  } finally {
    await session.release();
  }
}

test('big embedded weights become references to their own bytes in model.onnx; small ones stay inline', () => {
  const file = resolveModelFolder(fixtureModel('toy-facts-llama')).modelFile;
  const whole = readModelBytes(file);
  const original = parseModel(whole, file);
  const byReference = readModelByReference(file, 'model.onnx');
  assert.ok(byReference);
  const slim = parseModel(byReference.bytes, file);
  // The graph without its weights: a few hundred KB instead of the 38 MB file.
  assert.ok(byReference.bytes.length < whole.length / 50, `${byReference.bytes.length} bytes of ${whole.length}`);
  assert.equal(byReference.hadExternalData, false);
  assert.deepEqual(slim.nodes.map((n) => n.name), original.nodes.map((n) => n.name));
  assert.deepEqual([...slim.initializers.keys()], [...original.initializers.keys()]);
  let referenced = 0;
  for (const [name, before] of original.initializers) {
    const after = slim.initializers.get(name)!;
    assert.deepEqual([after.dataType, after.dims], [before.dataType, before.dims], name);
    const payload = whole.subarray(before.payload.start, before.payload.end);
    // raw_data's bytes: what the reference must point at.
    const raw = [...fields(payload)].filter((f) => f.field === 9).map((f) => ({ start: f.dataStart, end: f.dataEnd }));
    if (raw.length === 1 && raw[0].end - raw[0].start >= WEIGHT_BYTES_BY_REFERENCE) {
      referenced++;
      assert.equal(after.dataLocation, 1, name);
      assert.equal(after.externalData.location, 'model.onnx');
      const offset = Number(after.externalData.offset);
      const length = Number(after.externalData.length);
      assert.equal(offset, before.payload.start + raw[0].start, name);
      sameBytes(whole.subarray(offset, offset + length), payload.subarray(raw[0].start, raw[0].end), name);
    } else {
      assert.equal(after.dataLocation, 0, name);
      sameBytes(byReference.bytes.subarray(after.payload.start, after.payload.end), payload, name);
    }
  }
  assert.equal(byReference.referenced, referenced);
  assert.ok(referenced >= 20, `${referenced} weights referenced`);
  // What onnxruntime will be told is valid external data (inside the folder, within the file).
  checkExternalData(slim, path.dirname(file));
});

test('a session on the graph by reference computes exactly what the whole file computes (fixtures with embedded weights)', async () => {
  for (const name of ['toy-facts-llama', 'tiny-random-gpt2-fused', 'tiny-qwen-gqa-fp16-notokenizer']) {
    const file = resolveModelFolder(fixtureModel(name)).modelFile;
    const before = sha256(file);
    const slim = readModelGraph(file);
    const whole = readModelBytes(file);
    assert.ok(slim.length < whole.length / 2, `${name}: ${slim.length} of ${whole.length} bytes`);
    const rows = [
      [1, 5, 9, 3, 7],
      [2, 4, 6, 8, 10],
    ];
    const [fromWhole, fromSlim] = [await runAll(whole, path.dirname(file), file, rows), await runAll(slim, path.dirname(file), file, rows)];
    assert.deepEqual(Object.keys(fromSlim).sort(), Object.keys(fromWhole).sort(), name);
    for (const output of Object.keys(fromWhole)) assert.deepEqual(fromSlim[output], fromWhole[output], `${name}: ${output}`);
    assert.equal(sha256(file), before, `${name}: the model file is only read`);
  }
});

test('ActivationSession reads the embedded weights once, from the file: the same activations as before', async () => {
  const dir = fixtureModel('toy-facts-llama');
  const session = await ActivationSession.open(dir, { locations: ['resid_post'], executionProviders: ['cpu'] });
  try {
    const rows = [[1, 2, 3, 4, 5, 6]];
    const ours = await session.run(rows);
    // The same rewritten graph from the whole file (weights inline), for comparison.
    const folder = resolveModelFolder(dir);
    const file = folder.modelFile;
    const wholeGraph = parseModel(readModelBytes(file), file);
    const layerMap = findLayers(wholeGraph, { expectedLayers: folder.numLayers, fileLabel: file });
    const names = locationTensors(layerMap, 'resid_post', file);
    const rewritten = rewriteForActivations(wholeGraph, layerMap, { tensors: names, keepLogits: false });
    assert.ok(rewritten.length > 10_000_000, 'the comparison holds its weights inline');
    const { session: reference } = await createOrtSession(rewritten, path.dirname(file), file, ['cpu']);
    try {
      const { feeds } = buildFeeds(feedSpecOf(wholeGraph), rows, undefined);
      const out = await reference.run(feeds, names);
      names.forEach((n, l) => assert.deepEqual(ours.activations.resid_post![l], out[n].data as Float32Array, `layer ${l}`));
    } finally {
      await reference.release();
    }
  } finally {
    await session.close();
  }
});

test('a truncated, non-model or non-file model is read whole, so the parser reports it as before', () => {
  const dir = tmp();
  try {
    const file = resolveModelFolder(fixtureModel('toy-facts-llama')).modelFile;
    const truncated = path.join(dir, 'model.onnx');
    fs.writeFileSync(truncated, fs.readFileSync(file).subarray(0, 5_000_000));
    assert.equal(readModelByReference(truncated, 'model.onnx'), undefined);
    sameBytes(readModelGraph(truncated), fs.readFileSync(truncated), 'read whole');
    fs.writeFileSync(truncated, 'not a model at all\n');
    assert.equal(readModelByReference(truncated, 'model.onnx'), undefined);
    assert.equal(readModelByReference(path.join(dir, 'missing.onnx'), 'missing.onnx'), undefined);
    fs.mkdirSync(path.join(dir, 'folder.onnx'));
    assert.equal(readModelByReference(path.join(dir, 'folder.onnx'), 'folder.onnx'), undefined);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Y = (X·A)·B, A embedded, B embedded or in `w.data` (64 × 64 float each). */
function twoWeightModel(bExternal: boolean): { bytes: Uint8Array; data: Uint8Array; expect: (x: Float32Array) => Float32Array } {
  const d = 64;
  const A = Float32Array.from({ length: d * d }, (_, i) => Math.sin(i) / 8);
  const B = Float32Array.from({ length: d * d }, (_, i) => Math.cos(i * 0.7) / 8);
  const b = new OnnxModelBuilder({ opsetVersion: 17 });
  b.addInput('X', OnnxDataType.FLOAT, [1, d]);
  b.addFloatInitializer('A', [d, d], A);
  if (bExternal) b.addInitializer('B', { dataType: OnnxDataType.FLOAT, dims: [d, d], data: B }, { location: 'w.data', offset: 0, length: B.byteLength });
  else b.addFloatInitializer('B', [d, d], B);
  b.addNode({ opType: 'MatMul', inputs: ['X', 'A'], outputs: ['XA'] });
  b.addNode({ opType: 'MatMul', inputs: ['XA', 'B'], outputs: ['Y'] });
  b.addOutput('Y', OnnxDataType.FLOAT, [1, d]);
  const expect = (x: Float32Array): Float32Array => {
    const xa = new Float64Array(d);
    for (let k = 0; k < d; k++) for (let j = 0; j < d; j++) xa[j] += x[k] * A[k * d + j];
    return Float32Array.from({ length: d }, (_, j) => xa.reduce((s, v, k) => s + v * B[k * d + j], 0));
  };
  return { bytes: b.toBytes(), data: new Uint8Array(B.buffer), expect };
}

async function runY(bytes: Uint8Array, dir: string, label: string): Promise<{ got: Float32Array; x: Float32Array }> {
  const x = Float32Array.from({ length: 64 }, (_, i) => (i % 7) - 3);
  const { session } = await createOrtSession(bytes, dir, label, ['cpu']);
  try {
    const out = await session.run({ X: new ort.Tensor('float32', x, [1, 64]) });
    return { got: out.Y.data as Float32Array, x };
  } finally {
    await session.release();
  }
}

const close = (got: Float32Array, want: Float32Array): void => {
  for (let j = 0; j < want.length; j++) assert.ok(Math.abs(got[j] - want[j]) <= 1e-5 * (1 + Math.abs(want[j])), `Y[${j}] = ${got[j]}, want ${want[j]}`);
};

test('a model.onnx that is a symlink (the Hugging Face cache layout) is read through the link', async () => {
  const root = tmp();
  try {
    const { bytes, expect } = twoWeightModel(false);
    fs.mkdirSync(path.join(root, 'blobs'));
    fs.mkdirSync(path.join(root, 'snapshot'));
    fs.writeFileSync(path.join(root, 'blobs', '0f3a9c'), bytes);
    const link = path.join(root, 'snapshot', 'model.onnx');
    fs.symlinkSync(path.join('..', 'blobs', '0f3a9c'), link);
    const slim = readModelGraph(link);
    assert.ok(slim.length < 1000, `${slim.length} bytes`);
    const { got, x } = await runY(slim, path.dirname(link), link);
    close(got, expect(x));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('embedded and external weights together: both read from the folder; a symlinked model.onnx then stays whole', async () => {
  const root = tmp();
  try {
    const { bytes, data, expect } = twoWeightModel(true);
    const folder = path.join(root, 'model');
    fs.mkdirSync(folder);
    fs.writeFileSync(path.join(folder, 'w.data'), data);
    fs.writeFileSync(path.join(folder, 'model.onnx'), bytes);
    const slim = readModelByReference(path.join(folder, 'model.onnx'), 'model.onnx')!;
    assert.deepEqual([slim.referenced, slim.hadExternalData], [1, true]);
    const inFolder = await runY(readModelGraph(path.join(folder, 'model.onnx')), folder, 'model.onnx');
    close(inFolder.got, expect(inFolder.x));
    // model.onnx linked from elsewhere while w.data sits in the folder: onnxruntime reads external data
    // from one folder only, so the file is read whole, as before.
    fs.mkdirSync(path.join(root, 'elsewhere'));
    fs.renameSync(path.join(folder, 'model.onnx'), path.join(root, 'elsewhere', 'm.onnx'));
    fs.symlinkSync(path.join(root, 'elsewhere', 'm.onnx'), path.join(folder, 'model.onnx'));
    sameBytes(readModelGraph(path.join(folder, 'model.onnx')), bytes, 'read whole');
    const linked = await runY(readModelGraph(path.join(folder, 'model.onnx')), folder, 'model.onnx');
    close(linked.got, expect(linked.x));
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
