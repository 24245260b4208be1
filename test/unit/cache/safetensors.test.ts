import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { float32ArrayToHalfBits } from '../../../src/core/cache/float16';
import { readSafetensorsHeader, readTensor, writeSafetensorsAtomically } from '../../../src/core/cache/safetensors';
import { PYTHON, requirePythonModules } from '../../helpers/python';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-safetensors-'));

function sample(): { f32: Float32Array; f16: Uint16Array; i32: Int32Array; u32: Uint32Array } {
  const f32 = Float32Array.from({ length: 3 * 5 }, (_, i) => (i - 7) * 0.37 + 1e-3 * i * i);
  return { f32, f16: float32ArrayToHalfBits(f32).bits, i32: Int32Array.from([-2, 0, 7, 2 ** 31 - 1]), u32: Uint32Array.from([0, 1, 2 ** 32 - 1]) };
}

function writeSample(file: string): ReturnType<typeof sample> {
  const s = sample();
  writeSafetensorsAtomically(
    file,
    [
      { name: 'ints', dtype: 'I32', shape: [4], data: s.i32 },
      { name: 'half', dtype: 'F16', shape: [3, 5], data: s.f16 },
      { name: 'single', dtype: 'F32', shape: [3, 5], data: s.f32 },
      { name: 'hashes', dtype: 'U32', shape: [3], data: s.u32 },
    ],
    { note: 'made by a test', positions: '["a","b"]' },
  );
  return s;
}

test('the file follows the safetensors spec byte for byte (parsed here without our reader)', () => {
  const file = path.join(tempDir(), 'a.safetensors');
  const s = writeSample(file);
  const bytes = fs.readFileSync(file);
  // 8-byte little-endian unsigned header length N, then N bytes of UTF-8 JSON starting with '{'.
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0, 'data buffer 8-byte aligned');
  const headerText = bytes.subarray(8, 8 + n).toString('utf8');
  assert.equal(headerText[0], '{');
  assert.match(headerText, /^\{.*\} *$/s, 'only trailing spaces pad the JSON');
  const header = JSON.parse(headerText) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  assert.deepEqual(header.__metadata__, { note: 'made by a test', positions: '["a","b"]' });
  const data = bytes.subarray(8 + n);
  // Offsets are relative to the data buffer, cover it entirely, without holes.
  const ranges = Object.entries(header)
    .filter(([k]) => k !== '__metadata__')
    .map(([, v]) => v.data_offsets)
    .sort((a, b) => a[0] - b[0]);
  let at = 0;
  for (const [b, e] of ranges) {
    assert.equal(b, at);
    at = e;
  }
  assert.equal(at, data.length);
  const view = (name: string): Buffer => data.subarray(header[name].data_offsets[0], header[name].data_offsets[1]);
  assert.deepEqual(header.single.shape, [3, 5]);
  assert.equal(header.single.dtype, 'F32');
  assert.equal(header.half.dtype, 'F16');
  assert.equal(header.ints.dtype, 'I32');
  assert.equal(header.hashes.dtype, 'U32');
  s.f32.forEach((v, i) => assert.equal(view('single').readFloatLE(4 * i), v));
  s.f16.forEach((v, i) => assert.equal(view('half').readUInt16LE(2 * i), v));
  s.i32.forEach((v, i) => assert.equal(view('ints').readInt32LE(4 * i), v));
  s.u32.forEach((v, i) => assert.equal(view('hashes').readUInt32LE(4 * i), v));

  // Our reader agrees, and reads float16 back as float32.
  const fd = fs.openSync(file, 'r');
  try {
    const parsed = readSafetensorsHeader(fd, bytes.length, file);
    assert.deepEqual(Array.from(readTensor(fd, parsed, 'single', file)), Array.from(s.f32));
    const half = readTensor(fd, parsed, 'half', file);
    s.f32.forEach((v, i) => assert.ok(Math.abs(half[i] - v) <= Math.abs(v) * 2 ** -11 + 2 ** -24));
    assert.deepEqual(Array.from(readTensor(fd, parsed, 'hashes', file)), Array.from(s.u32));
  } finally {
    fs.closeSync(fd);
  }
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['a.safetensors'], 'no temp file left behind');
});

test('a truncated or inconsistent file is refused with a message naming it', () => {
  const dir = tempDir();
  const file = path.join(dir, 'b.safetensors');
  writeSample(file);
  const bytes = fs.readFileSync(file);
  const broken = path.join(dir, 'broken.safetensors');
  fs.writeFileSync(broken, bytes.subarray(0, bytes.length - 4));
  const fd = fs.openSync(broken, 'r');
  try {
    assert.throws(() => readSafetensorsHeader(fd, bytes.length - 4, broken), /broken\.safetensors: tensors cover/);
  } finally {
    fs.closeSync(fd);
  }
});


// The point of the format: a Python user reads the cache with numpy alone (no Layer Probe code).
const NUMPY_READER = `
import json, struct, sys
import numpy as np
raw = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
meta = header.pop('__metadata__')
data = raw[8 + n:]
types = {'F16': '<f2', 'F32': '<f4', 'I32': '<i4', 'U32': '<u4'}
out = {'meta': meta}
for name, t in header.items():
    b, e = t['data_offsets']
    a = np.frombuffer(data[b:e], dtype=types[t['dtype']]).reshape(t['shape'])
    out[name] = a.astype(np.float64).ravel().tolist()
print(json.dumps(out))
`;

test('numpy.frombuffer reads the same values', () => {
  requirePythonModules(['numpy']);
  const file = path.join(tempDir(), 'c.safetensors');
  const s = writeSample(file);
  const out = JSON.parse(execFileSync(PYTHON, ['-c', NUMPY_READER, file], { encoding: 'utf8' })) as Record<string, number[]> & {
    meta: Record<string, string>;
  };
  assert.equal(out.meta.note, 'made by a test');
  assert.deepEqual(out.single, Array.from(s.f32));
  // numpy's float16 → float64 is exact, so it must equal our float16 → float32 decode exactly.
  const fd = fs.openSync(file, 'r');
  const half = readTensor(fd, readSafetensorsHeader(fd, fs.statSync(file).size, file), 'half', file);
  fs.closeSync(fd);
  assert.deepEqual(out.half, Array.from(half));
  assert.deepEqual(out.ints, Array.from(s.i32));
  assert.deepEqual(out.hashes, Array.from(s.u32));
});
