// manifest.json of one activation cache folder: the key it was built for, the tensor layout, and the
// chunk files with the dataset rows each holds and their sha256. It is the only source of truth: a chunk
// file not listed here is ignored, and the manifest is replaced atomically after every chunk, so a run
// killed at any moment leaves a cache that is valid up to its last completed chunk.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { type ProbeLocation } from '../../contract/locations';
import { type CacheDtype } from '../../contract/runOptions';
import { TOKEN_POSITIONS } from '../../contract/types';
import { MANIFEST_FILE, MANIFEST_FORMAT } from '../../storage/cacheFolders';
import type { BlockKind } from '../onnx/layers';
import { CACHE_FORMAT_VERSION, type CacheKey, keyHash } from './cacheKey';


export interface ChunkEntry {
  /** File name inside the cache folder. */
  file: string;
  /** Dataset row indices (0-based records of the file), in the order of the chunk's tensors' rows. */
  rows: number[];
  sha256: string;
  bytes: number;
  /** onnxruntime execution provider that computed these activations. */
  provider: string;
  createdAt: string;
}

export interface CacheManifest {
  format: typeof MANIFEST_FORMAT;
  version: number;
  keyHash: string;
  key: CacheKey;
  location: ProbeLocation;
  dtype: CacheDtype;
  numLayers: number;
  hiddenSize: number;
  blockKind: BlockKind;
  /** The 15 position names; tensor `layer.{l}.{name}` holds that position's activations. */
  positions: string[];
  layout: string;
  chunks: ChunkEntry[];
  updatedAt: string;
}

export const CHUNK_LAYOUT =
  'Each chunk is a safetensors file: row_index I32 [n] (dataset record), length I32 [n] (tokens), ' +
  'ids_hash U32 [n] (FNV-1a of the token ids), positions I32 [n, 15] (absolute token index of each ' +
  'position), and for every layer l and position name p a tensor "layer.{l}.{p}" [n, hidden] in the ' +
  'cache dtype, row i = dataset record row_index[i].';

export function newManifest(
  key: CacheKey,
  dims: { numLayers: number; hiddenSize: number; blockKind: BlockKind },
): CacheManifest {
  return {
    format: MANIFEST_FORMAT,
    version: CACHE_FORMAT_VERSION,
    keyHash: keyHash(key),
    key,
    location: key.options.location,
    dtype: key.options.cacheDtype,
    ...dims,
    positions: [...TOKEN_POSITIONS],
    layout: CHUNK_LAYOUT,
    chunks: [],
    updatedAt: new Date().toISOString(),
  };
}

/** The manifest of `dir` if it is one of ours for exactly this key; a reason otherwise. */
export function readManifest(dir: string, key: CacheKey): { manifest?: CacheManifest; problem?: string } {
  const file = path.join(dir, MANIFEST_FILE);
  if (!fs.existsSync(file)) return {};
  let parsed: CacheManifest;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as CacheManifest;
  } catch (err) {
    return { problem: `manifest.json is not valid JSON (${(err as Error).message})` };
  }
  if (parsed.format !== MANIFEST_FORMAT || parsed.version !== CACHE_FORMAT_VERSION) return { problem: 'manifest.json has another format version' };
  if (parsed.keyHash !== keyHash(key)) return { problem: 'manifest.json was written for another key' };
  if (!Array.isArray(parsed.chunks)) return { problem: 'manifest.json lists no chunks' };
  return { manifest: parsed };
}

/** Write-then-rename (with fsync), so readers see the old manifest or the new one, never a mix. */
export function writeManifestAtomically(dir: string, manifest: CacheManifest): void {
  const file = path.join(dir, MANIFEST_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  manifest.updatedAt = new Date().toISOString();
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(manifest, null, 1));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
