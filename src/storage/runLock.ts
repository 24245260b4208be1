// One Layer Probe run at a time on a cache folder or an answers file: a lock file created with
// O_CREAT|O_EXCL (`wx`) that names its holder (pid, host, start time) and is touched every few seconds.
// Another run waits, polling, and says whom it waits for; a lock whose holder died is taken over: its
// pid is gone on this host, or its heartbeat stopped long ago (another host, a reused pid). Node's fs
// only: the host reads locks too (clearing caches keeps the folders a live run holds).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { RunCancelled } from '../contract/errors';

/** The lock's name inside a cache folder (activations or baselines). */
export const CACHE_LOCK_FILE = 'run.lock';

/**
 * The lock of shard `index` (0-based) of `count` in a cache folder: shards of one extraction write the
 * same folder at once, so each holds only its own lock (the same shard started twice still waits).
 */
export const shardLockFile = (index: number, count: number): string => `shard-${index}-of-${count}.lock`;
export const SHARD_LOCK_PATTERN = /^shard-\d+-of-\d+\.lock$/;

export interface LockHolder {
  pid: number;
  hostname: string;
  /** ISO time the holder took the lock. */
  startedAt: string;
  /** What it is doing ("probe", "generate"). */
  purpose: string;
  /** Tells this lock from a later one at the same path (a takeover re-checks it). */
  token: string;
}

/** How often a holder touches its lock, and how long an untouched lock is believed. */
export const HEARTBEAT_MS = 10_000;
// Generous: a native onnxruntime call (model load, a long batch) blocks the heartbeat timer meanwhile.
export const STALE_AFTER_MS = 30 * 60 * 1000;
// A lock file still empty this long after its creation: the holder died between creating and writing it.
const UNWRITTEN_STALE_MS = 60_000;
// A takeover takes milliseconds; a takeover marker this old was left by a process that died during one.
const TAKEOVER_STALE_MS = 30_000;

export interface LockWaitHooks {
  /** Once when a wait starts (and when the holder changes), once when it ends, and on a takeover. */
  log?: (line: string) => void;
  /** Every poll while waiting: the progress message. */
  onWaiting?: (message: string) => void;
  /** Aborting ends the wait with RunCancelled (the lock is not taken). */
  signal?: AbortSignal;
  /** Poll interval (ms); default 1000. */
  pollMs?: number;
  /** Heartbeat interval (ms); default HEARTBEAT_MS. */
  heartbeatMs?: number;
  /** Age (ms) of an untouched lock taken as stale; default STALE_AFTER_MS. */
  staleAfterMs?: number;
}

export interface HeldLock {
  readonly file: string;
  /** Whether this run waited for another first. */
  readonly waited: boolean;
  /** Removes the lock (only if it is still ours); safe to call twice. */
  release(): void;
}

/** What is known about a lock on disk: its holder, or that it is unreadable (being written, or junk). */
type Observed = { holder: LockHolder; mtimeMs: number } | { holder: undefined; mtimeMs: number } | undefined;

function observe(file: string): Observed {
  let mtimeMs: number;
  let text: string;
  try {
    mtimeMs = fs.statSync(file).mtimeMs;
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed = JSON.parse(text) as Partial<LockHolder>;
    if (typeof parsed.pid === 'number' && typeof parsed.hostname === 'string' && typeof parsed.token === 'string') {
      return { holder: { startedAt: '', purpose: '', ...parsed } as LockHolder, mtimeMs };
    }
  } catch {
    // An empty or partly written file: judged by its age.
  }
  return { holder: undefined, mtimeMs };
}

/** Whether `pid` is a live process on this machine (EPERM: alive, someone else's). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the lock at `file` no longer belongs to a live run, or undefined while it does. */
function staleReason(seen: NonNullable<Observed>, staleAfterMs: number, now = Date.now()): string | undefined {
  const age = now - seen.mtimeMs;
  const { holder } = seen;
  if (!holder) return age > UNWRITTEN_STALE_MS ? `an unreadable lock untouched for ${Math.round(age / 1000)} s` : undefined;
  const who = `pid ${holder.pid} on ${holder.hostname}`;
  if (holder.hostname === os.hostname() && !processAlive(holder.pid)) return `${who} is no longer running`;
  if (age > staleAfterMs) return `${who} has not touched it for ${Math.round(age / 60_000)} min`;
  return undefined;
}

/**
 * The lock at `file` when a live run holds it (for listings and refusals); undefined when free or stale.
 */
export function liveLockHolder(file: string, staleAfterMs = STALE_AFTER_MS): LockHolder | undefined {
  const seen = observe(file);
  if (!seen || staleReason(seen, staleAfterMs)) return undefined;
  // An unreadable but fresh lock: someone is writing it right now.
  return seen.holder ?? { pid: 0, hostname: '?', startedAt: new Date(seen.mtimeMs).toISOString(), purpose: '', token: '' };
}

/** "pid 123, started 2026-11-03 14:02:11" (and the host when it is another). */
export function describeHolder(holder: LockHolder): string {
  const host = holder.hostname === os.hostname() ? '' : ` on ${holder.hostname}`;
  const started = holder.startedAt ? `, started ${localTime(holder.startedAt)}` : '';
  return `pid ${holder.pid}${host}${started}`;
}

function localTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

/** Creates the lock if nobody holds it; false when it exists. */
function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    fs.writeSync(fd, JSON.stringify(holder));
  } finally {
    fs.closeSync(fd);
  }
  return true;
}

/**
 * Removes the stale lock `seen` unless it changed meanwhile. Takers serialise on a marker file, so two
 * waiters judging the same dead lock cannot remove a fresh lock the faster one has just created.
 */
function takeOver(file: string, seen: NonNullable<Observed>, staleAfterMs: number): boolean {
  const marker = `${file}.takeover`;
  try {
    fs.closeSync(fs.openSync(marker, 'wx'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    try {
      if (Date.now() - fs.statSync(marker).mtimeMs > TAKEOVER_STALE_MS) fs.rmSync(marker, { force: true });
    } catch {
      // Gone meanwhile.
    }
    return false;
  }
  try {
    const now = observe(file);
    if (!now) return true;
    const same = now.holder && seen.holder ? now.holder.token === seen.holder.token : now.holder === seen.holder && now.mtimeMs === seen.mtimeMs;
    if (!same || !staleReason(now, staleAfterMs)) return false;
    fs.rmSync(file, { force: true });
    return true;
  } finally {
    fs.rmSync(marker, { force: true });
  }
}

/**
 * Takes the lock at `file` (its folder is created), waiting while another live run holds it. `subject`
 * names what is locked in the messages ("this activation cache", "the answers file x.jsonl").
 */
export async function acquireRunLock(file: string, subject: string, purpose: string, hooks: LockWaitHooks = {}): Promise<HeldLock> {
  const log = hooks.log ?? (() => undefined);
  const staleAfterMs = hooks.staleAfterMs ?? STALE_AFTER_MS;
  const pollMs = hooks.pollMs ?? 1000;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const holder: LockHolder = { pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), purpose, token: crypto.randomBytes(8).toString('hex') };
  let waitingFor: string | undefined;
  const startedWaiting = Date.now();
  for (;;) {
    if (hooks.signal?.aborted) throw new RunCancelled(`cancelled while waiting for another Layer Probe run on ${subject}`);
    holder.startedAt = new Date().toISOString();
    if (tryCreate(file, holder)) break;
    const seen = observe(file);
    if (!seen) continue; // Released between our attempt and the look: try again at once.
    const stale = staleReason(seen, staleAfterMs);
    if (stale) {
      if (takeOver(file, seen, staleAfterMs)) log(`${subject}: took over the lock of a run that ended without releasing it (${stale})`);
      // Another waiter is taking it over: let it finish.
      else await sleep(Math.min(pollMs, 100), hooks.signal);
      continue;
    }
    const who = seen.holder ? describeHolder(seen.holder) : 'a run starting right now';
    const message = `waiting for another Layer Probe run on ${subject} (${who})`;
    if (who !== waitingFor) {
      log(message);
      waitingFor = who;
    }
    const seconds = Math.round((Date.now() - startedWaiting) / 1000);
    hooks.onWaiting?.(seconds >= 2 ? `${message}, ${seconds} s` : message);
    await sleep(pollMs, hooks.signal);
  }
  const waited = waitingFor !== undefined;
  if (waited) log(`${subject}: the other run is done after ${Math.round((Date.now() - startedWaiting) / 1000)} s; continuing`);
  const beat = setInterval(() => {
    try {
      const t = new Date();
      fs.utimesSync(file, t, t);
    } catch {
      // Removed under us (a cleared cache): nothing to keep alive.
    }
  }, hooks.heartbeatMs ?? HEARTBEAT_MS);
  beat.unref();
  let released = false;
  return {
    file,
    waited,
    release() {
      if (released) return;
      released = true;
      clearInterval(beat);
      const seen = observe(file);
      if (seen?.holder?.token === holder.token) fs.rmSync(file, { force: true });
    },
  };
}

/** Takes several locks in a fixed order (sorted paths), so two runs wanting overlapping sets cannot deadlock. */
export async function acquireRunLocks(files: { file: string; subject: string }[], purpose: string, hooks: LockWaitHooks = {}): Promise<HeldLock[]> {
  const held: HeldLock[] = [];
  try {
    for (const { file, subject } of [...files].sort((a, b) => a.file.localeCompare(b.file))) {
      if (held.some((h) => h.file === file)) continue;
      held.push(await acquireRunLock(file, subject, purpose, hooks));
    }
  } catch (err) {
    for (const h of held) h.release();
    throw err;
  }
  return held;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
