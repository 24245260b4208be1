// One chunk of an activation cache: the 15-position activations of a few batches' rows, as one
// safetensors file (layout: manifest.ts CHUNK_LAYOUT). Written once, then only read or deleted.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { LayerProbeError } from '../../contract/errors';
import { type ProbeLocation } from '../../contract/locations';
import type { CacheDtype } from '../../contract/runOptions';
import { TOKEN_POSITIONS } from '../../contract/types';
import { type PreparedSequence } from '../types';
import { float32ArrayToHalfBits } from './float16';
import type { ChunkEntry } from './manifest';
import {
  readSafetensorsHeader,
  readTensor,
  type SafetensorsHeader,
  type TensorToWrite,
  writeSafetensorsAtomically,
} from './safetensors';

export class CacheDtypeError extends LayerProbeError {
  override name = 'CacheDtypeError';
}

export const tensorName = (layer: number, token: number): string => `layer.${layer}.${TOKEN_POSITIONS[token]}`;

/** FNV-1a over the ids: tells a cached row from the same record tokenized differently (e.g. new code). */
export function idsHash(ids: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const id of ids) {
    for (let shift = 0; shift < 32; shift += 8) {
      h ^= (id >>> shift) & 0xff;
      h = Math.imul(h, 0x01000193);
    }
  }
  return h >>> 0;
}

export interface ChunkDims {
  location: ProbeLocation;
  numLayers: number;
  hiddenSize: number;
  dtype: CacheDtype;
  keyHash: string;
}

/** A verified chunk: its header (where each tensor is) and what each row was computed from. */
export interface LoadedChunk {
  entry: ChunkEntry;
  path: string;
  header: SafetensorsHeader;
  lengths: Int32Array;
  idsHashes: Uint32Array;
  /** [n × 15] absolute positions. */
  positions: Int32Array;
}

/**
 * Writes `rows` with their activations `slabs[layer][token]` ([n × hidden] float32) as `dir/file`.
 * float16 rounds to nearest even; a finite value beyond float16's range is an error, not a silent Inf.
 */
export function writeChunk(
  dir: string,
  file: string,
  rows: PreparedSequence[],
  slabs: Float32Array[][],
  dims: ChunkDims,
): { sha256: string; bytes: number; loaded: Omit<LoadedChunk, 'entry'> } {
  const n = rows.length;
  const lengths = Int32Array.from(rows, (r) => r.ids.length);
  const idsHashes = Uint32Array.from(rows, (r) => idsHash(r.ids));
  const positions = new Int32Array(n * TOKEN_POSITIONS.length);
  rows.forEach((r, i) => positions.set(r.positions, i * TOKEN_POSITIONS.length));
  const tensors: TensorToWrite[] = [
    { name: 'row_index', dtype: 'I32', shape: [n], data: Int32Array.from(rows, (r) => r.rowIndex) },
    { name: 'length', dtype: 'I32', shape: [n], data: lengths },
    { name: 'ids_hash', dtype: 'U32', shape: [n], data: idsHashes },
    { name: 'positions', dtype: 'I32', shape: [n, TOKEN_POSITIONS.length], data: positions },
  ];
  for (let layer = 0; layer < dims.numLayers; layer++) {
    for (let token = 0; token < TOKEN_POSITIONS.length; token++) {
      const slab = slabs[layer][token];
      const shape = [n, dims.hiddenSize];
      if (dims.dtype === 'float32') {
        tensors.push({ name: tensorName(layer, token), dtype: 'F32', shape, data: slab });
        continue;
      }
      const half = float32ArrayToHalfBits(slab);
      if (half.overflows > 0) {
        throw new CacheDtypeError(
          `${dims.location} activation ${half.firstOverflow} at layer ${layer} (${half.overflows} values in this chunk) ` +
            `is beyond float16's range (±65504); use the float32 cache dtype for this model`,
        );
      }
      tensors.push({ name: tensorName(layer, token), dtype: 'F16', shape, data: half.bits });
    }
  }
  const metadata = {
    format: 'layer-probe-activations',
    location: dims.location,
    dtype: dims.dtype,
    num_layers: String(dims.numLayers),
    hidden_size: String(dims.hiddenSize),
    positions: JSON.stringify(TOKEN_POSITIONS),
    key_hash: dims.keyHash,
  };
  const target = path.join(dir, file);
  const { sha256, bytes } = writeSafetensorsAtomically(target, tensors, metadata);
  const fd = fs.openSync(target, 'r');
  try {
    const header = readSafetensorsHeader(fd, bytes, target);
    return { sha256, bytes, loaded: { path: target, header, lengths, idsHashes, positions } };
  } finally {
    fs.closeSync(fd);
  }
}

function sha256OfFile(fd: number, size: number): string {
  const hash = crypto.createHash('sha256');
  const buffer = Buffer.allocUnsafe(Math.min(size, 4 << 20));
  for (let pos = 0; pos < size; ) {
    const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, size - pos), pos);
    if (n === 0) break;
    hash.update(buffer.subarray(0, n));
    pos += n;
  }
  return hash.digest('hex');
}

/** Checks a listed chunk against its manifest entry (size, sha256, tensors); a reason when it fails. */
export function loadChunk(dir: string, entry: ChunkEntry, dims: ChunkDims): LoadedChunk | string {
  const file = path.join(dir, entry.file);
  if (!fs.existsSync(file)) return 'is missing';
  const size = fs.statSync(file).size;
  if (size !== entry.bytes) return `has ${size} bytes, the manifest says ${entry.bytes}`;
  const fd = fs.openSync(file, 'r');
  try {
    if (sha256OfFile(fd, size) !== entry.sha256) return 'does not match its sha256 (corrupt)';
    const header = readSafetensorsHeader(fd, size, file);
    const n = entry.rows.length;
    const wantDtype = dims.dtype === 'float32' ? 'F32' : 'F16';
    for (let layer = 0; layer < dims.numLayers; layer++) {
      for (let token = 0; token < TOKEN_POSITIONS.length; token++) {
        const info = header.tensors.get(tensorName(layer, token));
        if (!info || info.dtype !== wantDtype || info.shape[0] !== n || info.shape[1] !== dims.hiddenSize) {
          return `lacks tensor ${tensorName(layer, token)} as ${wantDtype} [${n}, ${dims.hiddenSize}]`;
        }
      }
    }
    const rowIndex = readTensor(fd, header, 'row_index', file);
    if (rowIndex.length !== n || entry.rows.some((r, i) => rowIndex[i] !== r)) return 'holds other rows than the manifest lists';
    const lengths = readTensor(fd, header, 'length', file) as Int32Array;
    const idsHashes = readTensor(fd, header, 'ids_hash', file) as Uint32Array;
    const positions = readTensor(fd, header, 'positions', file) as Int32Array;
    if (lengths.length !== n || idsHashes.length !== n || positions.length !== n * TOKEN_POSITIONS.length) {
      return 'has row tensors of the wrong size';
    }
    return { entry, path: file, header, lengths, idsHashes, positions };
  } catch (err) {
    return `cannot be read (${(err as Error).message})`;
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether slot `slot` of a chunk was computed from exactly this sequence (ids and positions). */
export function slotMatches(chunk: LoadedChunk, slot: number, seq: PreparedSequence): boolean {
  if (chunk.lengths[slot] !== seq.ids.length || chunk.idsHashes[slot] !== idsHash(seq.ids)) return false;
  const base = slot * TOKEN_POSITIONS.length;
  return seq.positions.every((p, t) => chunk.positions[base + t] === p);
}
