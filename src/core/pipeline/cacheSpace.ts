// Before extraction: the cache this run will write, per location, against the free space of its disk.
// A run that cannot fit is refused with what to change, instead of dying on ENOSPC mid-extraction with
// a half-written cache.

import * as fs from 'node:fs';

import type { ProbeLocation } from '../../contract/locations';
import { formatBytes } from '../../storage/cacheFolders';
import { cacheBytes, type CacheShape, describeCacheShape } from '../cache/cacheSize';
import { PipelineError } from './errors';

/** What fs.statfsSync gives that matters here (tests pass a full disk). */
export type StatfsLike = (dir: string) => { bsize: number; bavail: number };

// Left free beyond the cache: manifest rewrites, the log, and whatever else writes to that disk meanwhile.
export const CACHE_SPACE_MARGIN_BYTES = 256 * 1024 * 1024;

export interface CacheSpacePlan {
  dir: string;
  perLocation: { location: ProbeLocation; shape: CacheShape; bytes: number }[];
  bytes: number;
  /** Bytes a non-root process may still write there; undefined when the file system would not say. */
  free: number | undefined;
}

/** The plan for writing `shapes` (only rows not yet cached) under `dir`. */
export function planCacheSpace(dir: string, shapes: { location: ProbeLocation; shape: CacheShape }[], statfs: StatfsLike = fs.statfsSync): CacheSpacePlan {
  const perLocation = shapes.map((s) => ({ ...s, bytes: cacheBytes(s.shape) }));
  let free: number | undefined;
  try {
    const st = statfs(dir);
    free = st.bavail * st.bsize;
  } catch {
    free = undefined;
  }
  return { dir, perLocation, bytes: perLocation.reduce((a, p) => a + p.bytes, 0), free };
}

/** "writes 92.1 MB (mlp_out: 1,500 rows × …); 40.2 GB free" for the log. */
export function describeCacheSpace(plan: CacheSpacePlan): string {
  const parts = plan.perLocation.map((p) => `${p.location}: ${describeCacheShape(p.shape)} = ${formatBytes(p.bytes)}`);
  const free = plan.free === undefined ? 'free space unknown (statfs failed)' : `${formatBytes(plan.free)} free there`;
  return `activation cache ${plan.dir}: this run writes ${formatBytes(plan.bytes)} (${parts.join('; ')}); ${free}`;
}

/** "cache 92.1 MB of 40.2 GB free", for the progress line. */
export function cacheSpaceNote(plan: CacheSpacePlan): string {
  return plan.free === undefined ? `cache ${formatBytes(plan.bytes)}` : `cache ${formatBytes(plan.bytes)}, ${formatBytes(plan.free)} free`;
}

const exactly = (n: number): string => `${formatBytes(n)} (${n.toLocaleString('en-US')} bytes)`;

/** Throws when the cache and the safety margin do not fit in the free space; unknown free space passes. */
export function checkCacheSpace(plan: CacheSpacePlan): void {
  if (plan.free === undefined || plan.bytes + CACHE_SPACE_MARGIN_BYTES <= plan.free) return;
  const float32 = plan.perLocation.some((p) => p.shape.dtype === 'float32');
  const ways = [
    '--cache-dir on a disk with more room',
    ...(float32 ? ['--cache-dtype float16 (half the size)'] : []),
    'fewer --samples',
    '--no-cache (activations held in memory only, nothing written)',
  ];
  throw new PipelineError(
    `not enough disk space for the activation cache in ${plan.dir}: this run would write ${exactly(plan.bytes)} ` +
      `(${plan.perLocation.map((p) => `${p.location}: ${describeCacheShape(p.shape)}`).join('; ')}) ` +
      `and ${exactly(plan.free)} is free there, of which ${formatBytes(CACHE_SPACE_MARGIN_BYTES)} is kept spare. ` +
      `Free space there, or use ${ways.join(', or ')} (in VS Code: the settings layerProbe.cacheDtype, layerProbe.sampleLimit, layerProbe.activationCache)`,
  );
}
