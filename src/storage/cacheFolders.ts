// Listing, measuring and clearing the activation caches under a root folder (the CLI `cache` command and
// "Layer Probe: Clear Activation Caches"). Only folders that are recognisably ours are touched, so a
// mistyped root can never delete someone else's files. Node's fs only: the extension host uses it too,
// and must not load the pipeline (src/core) or onnxruntime to list a folder.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { CACHE_LOCK_FILE, describeHolder, liveLockHolder, SHARD_LOCK_PATTERN } from './runLock';

/** The manifest's name in every cache folder, and the `format` it declares (core/cache/manifest.ts writes it). */
export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_FORMAT = 'layer-probe-activations';

/** The few manifest fields a listing shows; the full type is core/cache/manifest.ts's CacheManifest. */
interface ManifestSummary {
  format: string;
  location?: string;
  dtype?: string;
  updatedAt?: string;
  key?: { model?: { modelFile?: string } };
  chunks: { rows: number[] }[];
}

export interface CacheFolderInfo {
  dir: string;
  /** Activations (chunks + manifest), or the baselines' per-row scores. */
  kind: 'activations' | 'baselines';
  /** All bytes in the folder, including chunks a killed run wrote but never listed. */
  bytes: number;
  /** Rows listed by the manifest (0 when it has none). */
  rows: number;
  chunks: number;
  location?: string;
  dtype?: string;
  modelFile?: string;
  updatedAt?: string;
  /** The live run holding the folder's lock ("pid 12, started …"), if any. */
  inUseBy?: string;
}

// Activation chunks and their manifest, or the baselines' per-row scores (core/baselines/baselineCache.ts),
// and the lock of the run using the folder (storage/runLock.ts).
// Shards of one extraction hold shard-<i>-of-<n>.lock instead, and manifest.lock while listing a chunk.
const OUR_FILE = /^((manifest\.json|chunk-[\w-]+\.safetensors|baselines\.json)(\.\d+\.tmp)?|(run|shard-\d+-of-\d+)\.lock(\.takeover)?|manifest\.lock)$/;

function readOurManifest(dir: string): ManifestSummary | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as ManifestSummary;
    return m.format === MANIFEST_FORMAT && Array.isArray(m.chunks) ? m : undefined;
  } catch {
    return undefined;
  }
}

/** A cache folder: one with our manifest, or holding nothing but files named like ours (a run killed early). */
function isCacheFolder(dir: string): boolean {
  const names = fs.readdirSync(dir);
  if (names.includes(MANIFEST_FILE)) return readOurManifest(dir) !== undefined;
  return names.length > 0 && names.every((n) => OUR_FILE.test(n) && fs.statSync(path.join(dir, n)).isFile());
}

export function listCacheFolders(root: string): CacheFolderInfo[] {
  if (!fs.existsSync(root) || !fs.statSync(root).isDirectory()) return [];
  const infos: CacheFolderInfo[] = [];
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    const dir = path.join(root, entry.name);
    if (!entry.isDirectory() || !isCacheFolder(dir)) continue;
    const bytes = fs.readdirSync(dir).reduce((sum, n) => sum + fs.statSync(path.join(dir, n)).size, 0);
    const m = readOurManifest(dir);
    const baselines = fs.existsSync(path.join(dir, 'baselines.json'));
    const holder = [CACHE_LOCK_FILE, ...fs.readdirSync(dir).filter((n) => SHARD_LOCK_PATTERN.test(n))]
      .map((n) => liveLockHolder(path.join(dir, n)))
      .find((h) => h !== undefined);
    infos.push({
      dir,
      kind: baselines && !m ? 'baselines' : 'activations',
      bytes,
      rows: new Set(m?.chunks.flatMap((c) => c.rows) ?? []).size,
      chunks: m?.chunks.length ?? 0,
      location: m?.location,
      dtype: m?.dtype,
      modelFile: m?.key?.model?.modelFile,
      updatedAt: m?.updatedAt,
      ...(holder ? { inUseBy: describeHolder(holder) } : {}),
    });
  }
  return infos.sort((a, b) => a.dir.localeCompare(b.dir));
}

/**
 * Deletes every cache folder under `root` (and `root` itself once empty) but those a live run holds
 * (`inUse`); returns what was freed.
 */
export function clearCacheFolders(root: string): { folders: number; bytes: number; inUse: CacheFolderInfo[] } {
  const infos = listCacheFolders(root);
  const free = infos.filter((i) => i.inUseBy === undefined);
  for (const info of free) fs.rmSync(info.dir, { recursive: true, force: true });
  if (fs.existsSync(root) && fs.readdirSync(root).length === 0) fs.rmdirSync(root);
  return { folders: free.length, bytes: free.reduce((s, i) => s + i.bytes, 0), inUse: infos.filter((i) => i.inUseBy !== undefined) };
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
