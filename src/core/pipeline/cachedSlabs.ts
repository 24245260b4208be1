import * as fs from 'node:fs';

import type { ActivationCache } from '../cache/activationCache';
import { type LoadedChunk, tensorName } from '../cache/chunkFile';
import { decodeTensorBytes, readBytesInto } from '../cache/safetensors';
import { halfBitsToFloat32Into } from '../onnx/half';
import type { PreparedSequence } from '../types';
import { packRows, type SlabSource } from './slabSource';

interface ChunkRows {
  chunk: LoadedChunk;
  /** Row of the chunk's tensors → row of the slab. */
  slots: number[];
  storeRows: number[];
}

/**
 * Slabs read from the activation cache on demand, one (layer, token) at a time: a probe needs only its
 * own slab, so memory holds n × d floats instead of every layer and position (n × layers × 15 × d).
 * Each slab read touches every chunk once, reading one contiguous tensor from it.
 */
export class CachedSlabs implements SlabSource {
  readonly numRows: number;
  private readonly groups: ChunkRows[];
  /** One chunk tensor's bytes at a time, reused: fresh memory costs a page fault per 4 KiB when touched. */
  private scratch = new Uint8Array(0);

  constructor(
    cache: ActivationCache,
    sequences: PreparedSequence[],
    readonly numLayers: number,
    readonly hiddenSize: number,
  ) {
    this.numRows = sequences.length;
    const byChunk = new Map<LoadedChunk, ChunkRows>();
    sequences.forEach((seq, storeRow) => {
      const where = cache.slotOf(seq.rowIndex);
      if (!where) throw new Error(`activation cache ${cache.dir}: row ${seq.rowIndex} is not cached`);
      let group = byChunk.get(where.chunk);
      if (!group) byChunk.set(where.chunk, (group = { chunk: where.chunk, slots: [], storeRows: [] }));
      group.slots.push(where.slot);
      group.storeRows.push(storeRow);
    });
    this.groups = [...byChunk.values()];
  }

  slab(layer: number, token: number): Float32Array {
    const out = new Float32Array(this.numRows * this.hiddenSize);
    this.gather(layer, token, Array.from({ length: this.numRows }, (_, row) => row), out);
    return out;
  }

  gather(layer: number, token: number, rows: readonly number[], out: Float32Array): void {
    const d = this.hiddenSize;
    // Store row → row of `out`; a row asked for twice (never by the pipeline) takes the slab's way.
    const at = new Int32Array(this.numRows).fill(-1);
    rows.forEach((r, i) => (at[r] = i));
    if (new Set(rows).size !== rows.length) {
      packRows(this.slab(layer, token), d, rows, out);
      return;
    }
    const name = tensorName(layer, token);
    for (const { chunk, slots, storeRows } of this.groups) {
      const info = chunk.header.tensors.get(name);
      if (!info) throw new Error(`${chunk.path}: no tensor ${name}`);
      const length = info.end - info.start;
      if (this.scratch.byteLength < length) this.scratch = new Uint8Array(new ArrayBuffer(length));
      const bytes = this.scratch.subarray(0, length);
      const fd = fs.openSync(chunk.path, 'r');
      try {
        readBytesInto(fd, bytes, info.start, chunk.path);
      } finally {
        fs.closeSync(fd);
      }
      if (info.dtype === 'F16') {
        const bits = new Uint16Array(bytes.buffer, 0, length / 2);
        slots.forEach((slot, k) => {
          const i = at[storeRows[k]];
          if (i >= 0) halfBitsToFloat32Into(bits, slot * d, d, out, i * d);
        });
      } else {
        const values = decodeTensorBytes(bytes, info.dtype, name) as Float32Array;
        slots.forEach((slot, k) => {
          const i = at[storeRows[k]];
          if (i >= 0) out.set(values.subarray(slot * d, (slot + 1) * d), i * d);
        });
      }
    }
  }
}
