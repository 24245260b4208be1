// One activation cache folder (one key: dataset content, model identity, location, sequence rule, dtype):
// which dataset rows it holds, verified before use, and new chunks appended as extraction produces them.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { LayerProbeError } from '../../contract/errors';
import { makeFolder } from '../../storage/makeFolder';
import type { BlockKind } from '../onnx/layers';
import type { PreparedSequence } from '../types';
import { cacheFolderName, type CacheKey, keyHash } from './cacheKey';
import { type ChunkDims, loadChunk, type LoadedChunk, slotMatches, writeChunk } from './chunkFile';
import { type CacheManifest, type ChunkEntry, newManifest, readManifest, writeManifestAtomically } from './manifest';
import { withManifestLock } from './manifestLock';

export interface CacheDims {
  numLayers: number;
  hiddenSize: number;
  blockKind: BlockKind;
}

export interface CacheSlot {
  chunk: LoadedChunk;
  /** Row of the chunk's tensors. */
  slot: number;
}

export class ActivationCacheError extends LayerProbeError {
  override name = 'ActivationCacheError';
}

// A temp or unlisted file this old cannot belong to a live writer (a chunk takes seconds): a crash left it.
const STALE_TEMP_MS = 60 * 60 * 1000;

export class ActivationCache {
  private manifest: CacheManifest | undefined;
  private readonly loaded = new Map<string, LoadedChunk>();
  private readonly slots = new Map<number, CacheSlot>();
  private readonly dropped = new Set<string>();

  private constructor(
    readonly dir: string,
    readonly key: CacheKey,
    private readonly log: (line: string) => void,
  ) {}

  /** Opens (creating if needed) the folder for `key` under `root`; reads its manifest, verifies nothing yet. */
  static open(root: string, key: CacheKey, log: (line: string) => void = () => undefined): ActivationCache {
    const dir = path.join(root, cacheFolderName(key));
    makeFolder(dir, 'the activation cache folder');
    const cache = new ActivationCache(dir, key, log);
    const now = Date.now();
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith('.tmp') && now - fs.statSync(file).mtimeMs > STALE_TEMP_MS) fs.rmSync(file, { force: true });
    }
    const { manifest, problem } = readManifest(dir, key);
    if (problem) {
      // Nothing in the folder can be trusted without its manifest: start it afresh.
      log(`activation cache ${dir}: ${problem}; starting it afresh`);
      for (const name of fs.readdirSync(dir)) {
        if (name.endsWith('.safetensors') || name === 'manifest.json') fs.rmSync(path.join(dir, name), { force: true });
      }
    }
    cache.manifest = manifest;
    // Chunks no manifest lists (a run killed between writing a chunk and listing it) are unreachable.
    const listed = new Set(manifest?.chunks.map((c) => c.file) ?? []);
    for (const name of fs.readdirSync(dir)) {
      const file = path.join(dir, name);
      if (name.endsWith('.safetensors') && !listed.has(name) && now - fs.statSync(file).mtimeMs > STALE_TEMP_MS) fs.rmSync(file, { force: true });
    }
    return cache;
  }

  /** Layers, hidden size and block kind recorded by the run that wrote the first chunk. */
  get dims(): CacheDims | undefined {
    const m = this.manifest;
    return m && { numLayers: m.numLayers, hiddenSize: m.hiddenSize, blockKind: m.blockKind };
  }

  /** Execution providers that computed the listed chunks. */
  get providers(): string[] {
    return [...new Set(this.manifest?.chunks.map((c) => c.provider) ?? [])];
  }

  /** Rows the manifest lists (not yet verified). */
  listedRows(): Set<number> {
    return new Set(this.manifest?.chunks.flatMap((c) => c.rows) ?? []);
  }

  slotOf(rowIndex: number): CacheSlot | undefined {
    return this.slots.get(rowIndex);
  }

  /**
   * Verifies the chunks that hold any of `sequences` (size, sha256, tensors, and that each row was computed
   * from the same token ids and positions) and returns the indices of the sequences still to extract.
   * A chunk that fails is dropped from the manifest and deleted, with a log line; its rows are then missing.
   */
  resolve(sequences: PreparedSequence[]): number[] {
    this.slots.clear();
    const manifest = this.manifest;
    if (manifest) {
      const byRow = new Map(sequences.map((s, i) => [s.rowIndex, i]));
      for (const entry of [...manifest.chunks]) {
        if (!entry.rows.some((r) => byRow.has(r))) continue;
        let chunk = this.loaded.get(entry.file);
        if (!chunk) {
          const result = loadChunk(this.dir, entry, this.chunkDims(manifest));
          if (typeof result === 'string') {
            this.drop(entry, result);
            continue;
          }
          chunk = result;
          this.loaded.set(entry.file, chunk);
        }
        const found = chunk;
        entry.rows.forEach((row, slot) => {
          const i = byRow.get(row);
          // Later chunks win: a row re-extracted after a mismatch lives in a newer chunk.
          if (i !== undefined && slotMatches(found, slot, sequences[i])) this.slots.set(row, { chunk: found, slot });
        });
      }
      const listed = this.listedRows();
      const stale = sequences.filter((s) => listed.has(s.rowIndex) && !this.slots.has(s.rowIndex)).length;
      if (stale > 0) this.log(`activation cache ${this.dir}: ${stale} cached rows were tokenized differently now; extracting them again`);
    }
    return sequences.flatMap((s, i) => (this.slots.has(s.rowIndex) ? [] : [i]));
  }

  /** Writes one chunk (temp file, fsync, rename), then the manifest; the rows are readable at once. */
  addChunk(rows: PreparedSequence[], slabs: Float32Array[][], dims: CacheDims, provider: string): void {
    if (!this.manifest) {
      this.manifest = newManifest(this.key, dims);
    } else if (this.manifest.numLayers !== dims.numLayers || this.manifest.hiddenSize !== dims.hiddenSize) {
      throw new ActivationCacheError(
        `activation cache ${this.dir}: holds ${this.manifest.numLayers} layers × ${this.manifest.hiddenSize}, ` +
          `the model gives ${dims.numLayers} × ${dims.hiddenSize}`,
      );
    }
    const file = `chunk-${Date.now()}-${crypto.randomBytes(4).toString('hex')}.safetensors`;
    const written = writeChunk(this.dir, file, rows, slabs, this.chunkDims(this.manifest));
    const entry: ChunkEntry = {
      file,
      rows: rows.map((r) => r.rowIndex),
      sha256: written.sha256,
      bytes: written.bytes,
      provider,
      createdAt: new Date().toISOString(),
    };
    this.manifest.chunks.push(entry);
    this.persist();
    const chunk: LoadedChunk = { ...written.loaded, entry };
    this.loaded.set(file, chunk);
    rows.forEach((r, slot) => this.slots.set(r.rowIndex, { chunk, slot }));
  }

  private chunkDims(m: CacheManifest): ChunkDims {
    return { location: m.location, numLayers: m.numLayers, hiddenSize: m.hiddenSize, dtype: m.dtype, keyHash: m.keyHash };
  }

  private drop(entry: ChunkEntry, reason: string): void {
    this.log(`activation cache ${this.dir}: chunk ${entry.file} ${reason}; dropped, its ${entry.rows.length} rows are extracted again`);
    this.dropped.add(entry.file);
    this.manifest!.chunks = this.manifest!.chunks.filter((c) => c.file !== entry.file);
    this.persist();
    fs.rmSync(path.join(this.dir, entry.file), { force: true });
  }

  /**
   * Rewrites the manifest, keeping chunks another process added since we read it (two windows probing
   * the same dataset): the last writer must not forget the other's rows.
   */
  private persist(): void {
    const manifest = this.manifest!;
    // Shards of one extraction update the same manifest concurrently (manifestLock.ts).
    withManifestLock(this.dir, () => {
      const onDisk = readManifest(this.dir, this.key).manifest;
      if (onDisk && onDisk.keyHash === keyHash(this.key)) {
        const ours = new Set(manifest.chunks.map((c) => c.file));
        for (const c of onDisk.chunks) {
          if (!ours.has(c.file) && !this.dropped.has(c.file)) manifest.chunks.push(c);
        }
      }
      writeManifestAtomically(this.dir, manifest);
    });
  }
}
