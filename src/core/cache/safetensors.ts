// The safetensors file format (huggingface/safetensors, docs "Format"), written and read by hand: npm has
// no maintained pure-JS implementation (the `safetensors` package is a 0.0.1 placeholder), and the format
// is small — 8-byte little-endian header length N, N bytes of JSON header (padded with spaces), then raw
// little-endian tensor bytes, each tensor at [begin, end) of that buffer, with no holes.
// numpy (`np.frombuffer`), PyTorch (`safetensors.torch.load_file`) and the Rust library read our files.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';

import { LayerProbeError } from '../../contract/errors';
import { halfBitsToFloat32Array as halfToFloat32 } from './float16';

export type SafetensorsDtype = 'F16' | 'F32' | 'I32' | 'U32' | 'I64' | 'U8';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = { F16: 2, F32: 4, I32: 4, U32: 4, I64: 8, U8: 1 };

/** The reference implementation refuses headers above 100 MB; so do we (a corrupt length would otherwise allocate GBs). */
const MAX_HEADER_BYTES = 100_000_000;

export class SafetensorsError extends LayerProbeError {
  override name = 'SafetensorsError';
}

// Typed arrays are written as they sit in memory; that is the format's byte order only on little-endian hosts
// (every platform onnxruntime-node ships for).
if (os.endianness() !== 'LE') throw new SafetensorsError('the activation cache needs a little-endian machine');

export interface TensorToWrite {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** The tensor's bytes (a typed array of the dtype, row-major). */
  data: ArrayBufferView;
}

export interface TensorInfo {
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range in the file. */
  start: number;
  end: number;
}

export interface SafetensorsHeader {
  tensors: Map<string, TensorInfo>;
  metadata: Record<string, string>;
  /** File offset of the data buffer (8 + N). */
  dataStart: number;
}

const elementCount = (shape: number[]): number => shape.reduce((n, d) => n * d, 1);

/** The 8 + N header bytes for tensors laid out back to back in the given order. */
export function encodeHeader(tensors: Omit<TensorToWrite, 'data'>[], metadata: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__' || t.name in header) throw new SafetensorsError(`duplicate tensor name ${t.name}`);
    const bytes = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  // Spaces pad the header so the data buffer starts 8-byte aligned (as the Rust writer does): a reader
  // that memory-maps the file can then view every tensor in place.
  const padded = Math.ceil(json.length / 8) * 8;
  const out = Buffer.alloc(8 + padded, 0x20);
  out.writeBigUInt64LE(BigInt(padded), 0);
  json.copy(out, 8);
  return out;
}

/**
 * Writes a safetensors file through a temporary name, then renames it into place, so a reader never
 * sees a partial file. Returns the sha256 of the final bytes, computed while writing.
 */
export function writeSafetensorsAtomically(
  file: string,
  tensors: TensorToWrite[],
  metadata: Record<string, string>,
): { sha256: string; bytes: number } {
  for (const t of tensors) {
    const expected = elementCount(t.shape) * DTYPE_BYTES[t.dtype];
    if (t.data.byteLength !== expected) {
      throw new SafetensorsError(`tensor ${t.name}: ${t.data.byteLength} bytes for shape [${t.shape}] ${t.dtype} (expected ${expected})`);
    }
  }
  const header = encodeHeader(tensors, metadata);
  const hash = crypto.createHash('sha256');
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  let bytes = 0;
  try {
    const write = (view: Uint8Array): void => {
      hash.update(view);
      let done = 0;
      while (done < view.length) done += fs.writeSync(fd, view, done, view.length - done);
      bytes += view.length;
    };
    write(header);
    for (const t of tensors) write(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    // Durable before it becomes visible: a crash after the rename must not leave a truncated chunk.
    fs.fsyncSync(fd);
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
  return { sha256: hash.digest('hex'), bytes };
}

export function readBytesAt(fd: number, length: number, position: number, label: string): Uint8Array {
  // A fresh ArrayBuffer (not Buffer's shared pool) so typed-array views over it are aligned.
  return readBytesInto(fd, new Uint8Array(new ArrayBuffer(length)), position, label);
}

/** Fills `target` with the file's bytes from `position` (a reused buffer: see CachedSlabs.gather). */
export function readBytesInto(fd: number, target: Uint8Array, position: number, label: string): Uint8Array {
  const length = target.byteLength;
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, target, done, length - done, position + done);
    if (n === 0) throw new SafetensorsError(`${label}: file ends at byte ${position + done}, expected ${position + length}`);
    done += n;
  }
  return target;
}

/** Parses and checks the header: dtypes, shapes, offsets covering the data buffer exactly, no holes. */
export function readSafetensorsHeader(fd: number, fileSize: number, label: string): SafetensorsHeader {
  if (fileSize < 8) throw new SafetensorsError(`${label}: ${fileSize} bytes, too short for a safetensors file`);
  const n = Number(Buffer.from(readBytesAt(fd, 8, 0, label)).readBigUInt64LE(0));
  if (n > MAX_HEADER_BYTES || 8 + n > fileSize) throw new SafetensorsError(`${label}: header length ${n} does not fit the file (${fileSize} bytes)`);
  const text = Buffer.from(readBytesAt(fd, n, 8, label)).toString('utf8');
  if (!text.startsWith('{')) throw new SafetensorsError(`${label}: header is not a JSON object`);
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(text) as Record<string, unknown>;
  } catch (err) {
    throw new SafetensorsError(`${label}: header is not valid JSON (${(err as Error).message})`);
  }
  const dataStart = 8 + n;
  const dataLength = fileSize - dataStart;
  const metadata: Record<string, string> = {};
  const tensors = new Map<string, TensorInfo>();
  const ranges: [number, number, string][] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (name === '__metadata__') {
      for (const [k, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
        if (typeof v !== 'string') throw new SafetensorsError(`${label}: __metadata__.${k} is not a string`);
        metadata[k] = v;
      }
      continue;
    }
    const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = entry?.dtype as SafetensorsDtype;
    const shape = entry?.shape;
    const offsets = entry?.data_offsets;
    if (!(typeof dtype === 'string' && dtype in DTYPE_BYTES)) throw new SafetensorsError(`${label}: tensor ${name} has dtype ${String(dtype)}`);
    const isIndex = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
    if (!Array.isArray(shape) || !shape.every(isIndex)) throw new SafetensorsError(`${label}: tensor ${name} has a bad shape`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex) || offsets[1] < offsets[0]) {
      throw new SafetensorsError(`${label}: tensor ${name} has bad data_offsets`);
    }
    const [begin, end] = offsets as [number, number];
    if (end - begin !== elementCount(shape) * DTYPE_BYTES[dtype]) {
      throw new SafetensorsError(`${label}: tensor ${name}: ${end - begin} bytes for shape [${shape}] ${dtype}`);
    }
    ranges.push([begin, end, name]);
    tensors.set(name, { dtype, shape, start: dataStart + begin, end: dataStart + end });
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let covered = 0;
  for (const [begin, end, name] of ranges) {
    if (begin !== covered) throw new SafetensorsError(`${label}: tensor ${name} starts at ${begin}, expected ${covered} (holes or overlaps)`);
    covered = end;
  }
  if (covered !== dataLength) throw new SafetensorsError(`${label}: tensors cover ${covered} of ${dataLength} data bytes`);
  return { tensors, metadata, dataStart };
}

/** One tensor's values: F16 and F32 as float32, integer dtypes as their typed array. */
export function readTensor(fd: number, header: SafetensorsHeader, name: string, label: string): Float32Array | Int32Array | Uint32Array {
  const info = header.tensors.get(name);
  if (!info) throw new SafetensorsError(`${label}: no tensor ${name}`);
  const bytes = readBytesAt(fd, info.end - info.start, info.start, label);
  return decodeTensorBytes(bytes, info.dtype, `${label}: tensor ${name}`);
}

/** Typed view of little-endian bytes that start at an aligned offset of their buffer. */
export function decodeTensorBytes(bytes: Uint8Array, dtype: SafetensorsDtype, label: string): Float32Array | Int32Array | Uint32Array {
  const count = bytes.byteLength / DTYPE_BYTES[dtype];
  switch (dtype) {
    case 'F32':
      return new Float32Array(bytes.buffer, bytes.byteOffset, count);
    case 'F16':
      return halfToFloat32(new Uint16Array(bytes.buffer, bytes.byteOffset, count));
    case 'I32':
      return new Int32Array(bytes.buffer, bytes.byteOffset, count);
    case 'U32':
      return new Uint32Array(bytes.buffer, bytes.byteOffset, count);
    default:
      throw new SafetensorsError(`${label}: reading ${dtype} tensors is not supported`);
  }
}
