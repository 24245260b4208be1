// A brief lock around one read-merge-write of a cache folder's manifest.json. Shards of one extraction
// (`layer-probe extract --shard`) write into the same folder at once, from several machines on a shared
// file system; each lists its chunks by reading the manifest on disk, adding its own and renaming a new
// one into place. Without this lock two such updates could interleave and the later would forget the
// earlier's chunk. An update takes milliseconds, so waiting is synchronous (it runs inside the cache
// sink's write) and a lock older than MANIFEST_LOCK_STALE_MS was left by a process that died in one.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { LayerProbeError } from '../../contract/errors';

export const MANIFEST_LOCK_FILE = 'manifest.lock';

export const MANIFEST_LOCK_STALE_MS = 30_000;
// Longer than the stale age: a waiter always outlives a dead holder's lock.
const WAIT_MS = 2 * MANIFEST_LOCK_STALE_MS;
const POLL_MS = 20;

export class ManifestLockError extends LayerProbeError {
  override name = 'ManifestLockError';
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Runs `update` while holding `dir`'s manifest lock; waits (polling) while another process holds it. */
export function withManifestLock<T>(dir: string, update: () => T): T {
  const file = path.join(dir, MANIFEST_LOCK_FILE);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = fs.openSync(file, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, hostname: os.hostname(), at: new Date().toISOString() }));
      } finally {
        fs.closeSync(fd);
      }
      break;
    }
    let age = 0;
    try {
      age = Date.now() - fs.statSync(file).mtimeMs;
    } catch {
      continue; // Released between our attempt and the look.
    }
    // A rare race remains (two waiters judging the same dead lock); it needs a crash inside an update first.
    if (age > MANIFEST_LOCK_STALE_MS) {
      fs.rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new ManifestLockError(
        `${file}: another process has held this activation cache's manifest lock for ${Math.round(age / 1000)} s; ` +
          'if no Layer Probe run is writing this cache, delete the file and run again',
      );
    }
    Atomics.wait(sleeper, 0, 0, POLL_MS);
  }
  try {
    return update();
  } finally {
    fs.rmSync(file, { force: true });
  }
}
