// External data behind symlinks that leave the model folder, as in the Hugging Face hub cache
// (`snapshots/<rev>/model.onnx.data` → `../../blobs/<sha256>`): onnxruntime refuses such a file unless
// it is told to read from the folder the link resolves into, under the name the file has there.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test, type TestContext } from 'node:test';

import { ActivationSession } from '../../../src/core/model/activationSession';
import { openOriginalSession } from '../../../src/core/model/ortSession';
import { OnnxGraphError } from '../../../src/core/onnx/errors';
import { placeExternalData } from '../../../src/core/onnx/externalData';
import { parseModel } from '../../../src/core/onnx/graph';
import { fixtureModel } from '../../helpers/fixtures';

const SOURCE = fixtureModel('tiny-llama-unfused-extdata');
const DATA = 'model.onnx.data';
const HASH = '3f5a0c9e1b7d2468ace013579bdf2468ace013579bdf2468ace013579bdf2468';
const PROMPTS = [
  [1, 450, 383, 310, 444, 338, 29, 7],
  [1, 13, 901],
];

function tempRoot(t: TestContext): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-hfcache-'));
  t.after(() => fs.rmSync(root, { recursive: true, force: true }));
  return root;
}

/** root/blobs/HASH (a copy of the data), root/snapshots/abc/* symlinks, like huggingface_hub makes. */
function hubCacheLayout(root: string): string {
  const blobs = path.join(root, 'blobs');
  const snapshot = path.join(root, 'snapshots', 'abc');
  fs.mkdirSync(blobs);
  fs.mkdirSync(snapshot, { recursive: true });
  fs.copyFileSync(path.join(SOURCE, DATA), path.join(blobs, HASH));
  fs.symlinkSync(path.join('..', '..', 'blobs', HASH), path.join(snapshot, DATA));
  for (const name of fs.readdirSync(SOURCE)) {
    if (name !== DATA) fs.symlinkSync(path.join(SOURCE, name), path.join(snapshot, name));
  }
  return snapshot;
}

async function logitsOf(dir: string): Promise<Float32Array> {
  const session = await ActivationSession.open(dir, { locations: ['resid_post'], keepLogits: true });
  try {
    const batch = await session.run(PROMPTS);
    assert.ok(batch.activations.resid_post!.length > 0);
    return batch.logits!;
  } finally {
    await session.close();
  }
}

const externalLocations = (bytes: Uint8Array): Set<string> =>
  new Set([...parseModel(bytes, 'model').initializers.values()].filter((t) => t.dataLocation === 1).map((t) => t.externalData.location));

test('a hub-cache snapshot whose data file links out of the folder loads, with the same logits bit for bit', async (t) => {
  const snapshot = hubCacheLayout(tempRoot(t));
  const fromCache = await logitsOf(snapshot);
  const fromFixture = await logitsOf(SOURCE);
  assert.equal(fromCache.length, fromFixture.length);
  assert.deepEqual(
    new Uint8Array(fromCache.buffer, fromCache.byteOffset, fromCache.byteLength),
    new Uint8Array(fromFixture.buffer, fromFixture.byteOffset, fromFixture.byteLength),
  );

  // The un-rewritten session (used by generation) loads too.
  const original = await openOriginalSession(snapshot);
  await original.session.release();
});

test('the bytes are rewritten only when a data file resolves outside the model folder', async (t) => {
  const plainBytes = fs.readFileSync(path.join(SOURCE, 'model.onnx'));
  const plain = placeExternalData(plainBytes, SOURCE, 'model.onnx');
  assert.equal(plain.bytes, plainBytes, 'no symlink: the very same bytes');
  assert.equal(plain.folder, SOURCE);

  const root = tempRoot(t);
  const snapshot = hubCacheLayout(root);
  const modelBytes = fs.readFileSync(path.join(snapshot, 'model.onnx'));
  const placed = placeExternalData(modelBytes, snapshot, 'model.onnx');
  assert.equal(placed.folder, fs.realpathSync(path.join(root, 'blobs')));
  assert.deepEqual(externalLocations(placed.bytes), new Set([HASH]));
  assert.deepEqual(externalLocations(modelBytes), new Set([DATA]), 'the input buffer is left alone');
  // Only the locations changed: same weights, at the same offsets.
  const before = parseModel(modelBytes, 'model');
  const after = parseModel(placed.bytes, 'model');
  assert.deepEqual([...after.initializers.keys()], [...before.initializers.keys()]);
  assert.equal(after.nodes.length, before.nodes.length);
  for (const [name, t] of before.initializers) {
    const moved = after.initializers.get(name)!;
    assert.deepEqual(moved.dims, t.dims);
    const expected = t.dataLocation === 1 ? { ...t.externalData, location: HASH } : t.externalData;
    assert.deepEqual(moved.externalData, expected, name);
  }
});

test('data files that resolve into different folders are refused, naming them', async (t) => {
  const root = tempRoot(t);
  const folder = path.join(root, 'model');
  const elsewhere = path.join(root, 'elsewhere');
  fs.mkdirSync(folder);
  fs.mkdirSync(elsewhere);
  // One weight moves to a second data file (same-length name, so no protobuf length changes).
  const second = 'model.onnx.dat2';
  const bytes = Buffer.from(fs.readFileSync(path.join(SOURCE, 'model.onnx')));
  const at = bytes.indexOf(DATA);
  assert.ok(at >= 0);
  bytes.write(second, at, 'utf8');
  fs.writeFileSync(path.join(folder, 'model.onnx'), bytes);
  fs.copyFileSync(path.join(SOURCE, 'config.json'), path.join(folder, 'config.json'));
  fs.symlinkSync(path.join(SOURCE, DATA), path.join(folder, DATA));
  fs.copyFileSync(path.join(SOURCE, DATA), path.join(elsewhere, 'blob'));
  fs.symlinkSync(path.join(elsewhere, 'blob'), path.join(folder, second));

  const isRefused = (e: Error): boolean =>
    e instanceof OnnxGraphError &&
    e.message.includes(path.join(folder, 'model.onnx')) &&
    e.message.includes('resolve (through symlinks) into different folders') &&
    e.message.includes(`'${DATA}' → ${fs.realpathSync(path.join(SOURCE, DATA))}`) &&
    e.message.includes(`'${second}' → ${fs.realpathSync(path.join(elsewhere, 'blob'))}`);
  await assert.rejects(ActivationSession.open(folder, { locations: ['resid_post'] }), isRefused);
  await assert.rejects(openOriginalSession(folder), isRefused);
});
