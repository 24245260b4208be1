// `layer-probe cache merge <dirs…> --into <dir>`: the activation caches that shards of one extraction
// wrote into separate cache roots (one per machine), gathered into one root. Every source chunk is
// verified against its manifest (size, sha256, tensors, rows) before anything is written; the sources
// must hold the same cache keys (a mismatch is refused naming the key fields that differ); each dataset
// row is kept once (a chunk whose rows are all present already is skipped, one with some is rewritten
// with only the new rows); the sources are only read.

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { LayerProbeError } from '../../contract/errors';
import { listCacheFolders, MANIFEST_FILE, MANIFEST_FORMAT } from '../../storage/cacheFolders';
import { makeFolder } from '../../storage/makeFolder';
import { acquireRunLock, CACHE_LOCK_FILE } from '../../storage/runLock';
import { CACHE_FORMAT_VERSION, cacheFolderName, canonicalJson, keyHash } from './cacheKey';
import { type ChunkDims, loadChunk, type LoadedChunk } from './chunkFile';
import { type CacheManifest, type ChunkEntry, readManifest, writeManifestAtomically } from './manifest';
import { withManifestLock } from './manifestLock';
import { readBytesAt, type TensorToWrite, writeSafetensorsAtomically } from './safetensors';

export class CacheMergeError extends LayerProbeError {
  override name = 'CacheMergeError';
}

export interface MergedKey {
  folder: string;
  location: string;
  rowsBefore: number;
  rowsAdded: number;
  chunksCopied: number;
  chunksRewritten: number;
  chunksSkipped: number;
}

interface SourceCache {
  root: string;
  dir: string;
  manifest: CacheManifest;
}

/** Verifies and merges the caches under `sources` (cache roots) into the root `into`. */
export async function mergeCacheRoots(sources: string[], into: string, log: (line: string) => void = () => undefined): Promise<MergedKey[]> {
  const roots = sources.map((s) => path.resolve(s));
  const target = path.resolve(into);
  if (roots.length === 0) throw new CacheMergeError('cache merge needs at least one source cache folder');
  for (const root of roots) {
    if (root === target) throw new CacheMergeError(`${root} is both a source and --into: the sources are never modified; merge into another folder`);
    if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) throw new CacheMergeError(`${root}: no such cache folder (give the --cache-dir each shard wrote to)`);
  }
  const perRoot = roots.map((root) => readSourceCaches(root));
  checkSameKeys(perRoot, roots);
  // Verify every source chunk before writing anything: a corrupt shard is found before the target changes.
  const verified = new Map<SourceCache, LoadedChunk[]>();
  for (const caches of perRoot) {
    for (const c of caches) {
      const dims = chunkDims(c.manifest);
      verified.set(
        c,
        c.manifest.chunks.map((entry) => {
          const loaded = loadChunk(c.dir, entry, dims);
          if (typeof loaded === 'string') {
            throw new CacheMergeError(`${path.join(c.dir, entry.file)} ${loaded}: nothing was merged; extract that shard again (its manifest lists the chunk's rows ${describeRows(entry.rows)})`);
          }
          return loaded;
        }),
      );
    }
  }
  makeFolder(target, 'the merged cache folder (--into)');
  const merged: MergedKey[] = [];
  for (const first of perRoot[0]) {
    const group = perRoot.map((caches) => caches.find((c) => c.manifest.keyHash === first.manifest.keyHash)!);
    merged.push(await mergeKey(group, verified, target, log));
  }
  return merged;
}

function readSourceCaches(root: string): SourceCache[] {
  const caches: SourceCache[] = [];
  for (const info of listCacheFolders(root)) {
    if (info.kind !== 'activations') continue;
    let manifest: CacheManifest;
    try {
      manifest = JSON.parse(fs.readFileSync(path.join(info.dir, MANIFEST_FILE), 'utf8')) as CacheManifest;
    } catch {
      continue; // A folder of a run killed before its first chunk: nothing to merge.
    }
    if (manifest.format !== MANIFEST_FORMAT || manifest.version !== CACHE_FORMAT_VERSION) {
      throw new CacheMergeError(`${info.dir}: manifest.json has another cache format version (${manifest.version}, this layer-probe writes ${CACHE_FORMAT_VERSION}); extract it again with this version`);
    }
    if (keyHash(manifest.key) !== manifest.keyHash || cacheFolderName(manifest.key) !== path.basename(info.dir)) {
      throw new CacheMergeError(`${info.dir}: manifest.json's key does not match its hash or folder name (edited or damaged); extract that shard again`);
    }
    caches.push({ root, dir: info.dir, manifest });
  }
  if (caches.length === 0) throw new CacheMergeError(`${root}: holds no activation cache (no folder with a manifest.json); give the --cache-dir a shard wrote to`);
  return caches.sort((a, b) => a.manifest.keyHash.localeCompare(b.manifest.keyHash));
}

/** Every source must hold the same keys: shards of one extraction share dataset, model, options. */
function checkSameKeys(perRoot: SourceCache[][], roots: string[]): void {
  const problems: string[] = [];
  for (const [a, cachesA] of perRoot.entries()) {
    for (const [b, cachesB] of perRoot.entries()) {
      if (a === b) continue;
      for (const c of cachesA) {
        if (cachesB.some((o) => o.manifest.keyHash === c.manifest.keyHash)) continue;
        const sameLocation = cachesB.filter((o) => o.manifest.location === c.manifest.location);
        if (sameLocation.length === 0) {
          problems.push(`${c.dir} (${c.manifest.location}) has no ${c.manifest.location} cache to match in ${roots[b]}`);
          continue;
        }
        // The nearest key of the other source: the one with the fewest differing fields.
        const diffs = sameLocation.map((o) => ({ o, d: keyDifferences(c.manifest.key, o.manifest.key) })).sort((x, y) => x.d.length - y.d.length);
        const { o, d } = diffs[0];
        problems.push(`${c.dir} and ${o.dir} (${c.manifest.location}) have different cache keys: ${d.slice(0, 6).join('; ')}${d.length > 6 ? `; and ${d.length - 6} more` : ''}`);
      }
    }
  }
  if (problems.length === 0) return;
  const unique = [...new Set(problems)];
  throw new CacheMergeError(
    `refused: the sources' activation caches were not made by shards of one extraction (same dataset, model folder path and files, options); nothing was merged:\n  ${unique.join('\n  ')}\n` +
      'Run every shard with the same dataset file, the same --model path (with the same files: copy them with their modification times, e.g. rsync -a) and the same run options.',
  );
}

/** "model.files[model.onnx].mtimeMs: 1700000000000 vs 1700000001234", one per differing leaf. */
export function keyDifferences(a: unknown, b: unknown, at = ''): string[] {
  if (canonicalJson(a) === canonicalJson(b)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object';
  if (Array.isArray(a) && Array.isArray(b)) {
    // Files are listed by name: compare them by name, so one extra file does not shift every index.
    const named = (v: unknown[]): boolean => v.every((e) => isObject(e) && typeof e.name === 'string');
    if (named(a) && named(b)) {
      const byName = (v: unknown[]): Map<string, unknown> => new Map(v.map((e) => [(e as { name: string }).name, e]));
      const ma = byName(a);
      const mb = byName(b);
      return [...new Set([...ma.keys(), ...mb.keys()])].flatMap((n) => keyDifferences(ma.get(n), mb.get(n), `${at}[${n}]`));
    }
    if (a.length === b.length) return a.flatMap((e, i) => keyDifferences(e, b[i], `${at}[${i}]`));
  }
  if (isObject(a) && isObject(b) && !Array.isArray(a) && !Array.isArray(b)) {
    return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort().flatMap((k) => keyDifferences(a[k], b[k], at ? `${at}.${k}` : k));
  }
  const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));
  return [`${at || 'key'}: ${show(a)} vs ${show(b)}`];
}

function chunkDims(m: CacheManifest): ChunkDims {
  return { location: m.location, numLayers: m.numLayers, hiddenSize: m.hiddenSize, dtype: m.dtype, keyHash: m.keyHash };
}

function describeRows(rows: number[]): string {
  return rows.length <= 6 ? rows.join(', ') : `${rows.slice(0, 5).join(', ')} … (${rows.length} rows)`;
}

async function mergeKey(group: SourceCache[], verified: Map<SourceCache, LoadedChunk[]>, target: string, log: (line: string) => void): Promise<MergedKey> {
  const { manifest: first } = group[0];
  const folder = path.join(target, cacheFolderName(first.key));
  // No probe run reads or writes the target folder while it is merged into.
  const lock = await acquireRunLock(path.join(folder, CACHE_LOCK_FILE), `the merged ${first.location} activation cache`, 'merge', { log });
  try {
    const existing = readManifest(folder, first.key);
    if (existing.problem) throw new CacheMergeError(`${folder}: ${existing.problem}; merge into an empty folder, or clear this one (layer-probe cache ${target} --clear)`);
    const have = new Set(existing.manifest?.chunks.flatMap((c) => c.rows) ?? []);
    const rowsBefore = have.size;
    const added: ChunkEntry[] = [];
    const stats = { copied: 0, rewritten: 0, skipped: 0 };
    for (const source of group) {
      // Newest first: a row extracted twice in one source (after its tokenization changed) is valid in the later chunk.
      for (const chunk of [...verified.get(source)!].reverse()) {
        const slots = chunk.entry.rows.flatMap((row, slot) => (have.has(row) ? [] : [slot]));
        if (slots.length === 0) {
          stats.skipped++;
          continue;
        }
        const entry = slots.length === chunk.entry.rows.length ? copyChunk(chunk, folder) : rewriteChunk(chunk, slots, folder);
        stats[slots.length === chunk.entry.rows.length ? 'copied' : 'rewritten']++;
        for (const row of entry.rows) have.add(row);
        added.push(entry);
      }
    }
    if (added.length > 0) {
      withManifestLock(folder, () => {
        const now = readManifest(folder, first.key).manifest;
        const manifest: CacheManifest = now ?? { ...first, chunks: [] };
        manifest.chunks.push(...added);
        writeManifestAtomically(folder, manifest);
      });
    }
    const result = {
      folder,
      location: first.location,
      rowsBefore,
      rowsAdded: have.size - rowsBefore,
      chunksCopied: stats.copied,
      chunksRewritten: stats.rewritten,
      chunksSkipped: stats.skipped,
    };
    log(`${folder}: ${result.rowsAdded} rows added to ${rowsBefore} (${stats.copied} chunks copied, ${stats.rewritten} rewritten without rows already present, ${stats.skipped} skipped)`);
    return result;
  } finally {
    lock.release();
  }
}

const newChunkName = (): string => `chunk-${Date.now()}-${crypto.randomBytes(4).toString('hex')}.safetensors`;

/** Byte for byte (through a temp name), checked against the verified source's size. */
function copyChunk(chunk: LoadedChunk, folder: string): ChunkEntry {
  const file = fs.existsSync(path.join(folder, chunk.entry.file)) ? newChunkName() : chunk.entry.file;
  const target = path.join(folder, file);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(chunk.path, tmp);
  const fd = fs.openSync(tmp, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (fs.statSync(tmp).size !== chunk.entry.bytes) {
    fs.rmSync(tmp, { force: true });
    throw new CacheMergeError(`${chunk.path} changed while it was copied; run the merge again`);
  }
  fs.renameSync(tmp, target);
  return { ...chunk.entry, file };
}

/** A new chunk holding only `slots` of `chunk`: every tensor's rows picked, metadata kept. */
function rewriteChunk(chunk: LoadedChunk, slots: number[], folder: string): ChunkEntry {
  const n = chunk.entry.rows.length;
  const fd = fs.openSync(chunk.path, 'r');
  const tensors: TensorToWrite[] = [];
  try {
    for (const [name, info] of chunk.header.tensors) {
      const bytes = readBytesAt(fd, info.end - info.start, info.start, chunk.path);
      if (info.shape[0] !== n) throw new CacheMergeError(`${chunk.path}: tensor ${name} has ${info.shape[0]} rows, the chunk ${n}`);
      const rowBytes = bytes.length / n;
      const out = new Uint8Array(slots.length * rowBytes);
      slots.forEach((s, i) => out.set(bytes.subarray(s * rowBytes, (s + 1) * rowBytes), i * rowBytes));
      tensors.push({ name, dtype: info.dtype, shape: [slots.length, ...info.shape.slice(1)], data: out });
    }
  } finally {
    fs.closeSync(fd);
  }
  const file = newChunkName();
  const { sha256, bytes } = writeSafetensorsAtomically(path.join(folder, file), tensors, chunk.header.metadata);
  return { ...chunk.entry, file, rows: slots.map((s) => chunk.entry.rows[s]), sha256, bytes };
}
