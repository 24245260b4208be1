// Listing, measuring and clearing the activation caches under a root folder (the CLI `cache` command and
// "Layer Probe: Clear Activation Caches"). Only folders that are recognisably ours are touched, so a
// mistyped root can never delete someone else's files.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { MANIFEST_FILE, MANIFEST_FORMAT, type CacheManifest } from './manifest';

export interface CacheFolderInfo {
  dir: string;
  /** All bytes in the folder, including chunks a killed run wrote but never listed. */
  bytes: number;
  /** Rows listed by the manifest (0 when it has none). */
  rows: number;
  chunks: number;
  location?: string;
  dtype?: string;
  modelFile?: string;
  updatedAt?: string;
}

const OUR_FILE = /^(manifest\.json|chunk-[\w-]+\.safetensors)(\.\d+\.tmp)?$/;

function readOurManifest(dir: string): CacheManifest | undefined {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')) as CacheManifest;
    return m.format === MANIFEST_FORMAT ? m : undefined;
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
    infos.push({
      dir,
      bytes,
      rows: new Set(m?.chunks.flatMap((c) => c.rows) ?? []).size,
      chunks: m?.chunks.length ?? 0,
      location: m?.location,
      dtype: m?.dtype,
      modelFile: m?.key.model.modelFile,
      updatedAt: m?.updatedAt,
    });
  }
  return infos.sort((a, b) => a.dir.localeCompare(b.dir));
}

/** Deletes every cache folder under `root` (and `root` itself once empty); returns what was freed. */
export function clearCacheFolders(root: string): { folders: number; bytes: number } {
  const infos = listCacheFolders(root);
  for (const info of infos) fs.rmSync(info.dir, { recursive: true, force: true });
  if (fs.existsSync(root) && fs.readdirSync(root).length === 0) fs.rmdirSync(root);
  return { folders: infos.length, bytes: infos.reduce((s, i) => s + i.bytes, 0) };
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
