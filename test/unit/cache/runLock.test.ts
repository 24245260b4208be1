import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { isRunCancelled } from '../../../src/contract/errors';
import { acquireRunLock, acquireRunLocks, liveLockHolder, type LockHolder } from '../../../src/storage/runLock';

const tempDir = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-lock-'));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The pid of a process that has exited (and been reaped). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  assert.equal(child.status, 0);
  return child.pid;
}

function writeLock(file: string, holder: Partial<LockHolder>, ageMs = 0): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid, hostname: os.hostname(), startedAt: new Date().toISOString(), purpose: 'probe', token: 'theirs', ...holder }));
  if (ageMs > 0) {
    const t = new Date(Date.now() - ageMs);
    fs.utimesSync(file, t, t);
  }
}

describe('one run per cache folder (run.lock)', () => {
  it('a second run waits, saying for whom, and gets the lock when the first releases it', async () => {
    const file = path.join(tempDir(), 'cache', 'run.lock');
    const first = await acquireRunLock(file, 'the mlp_out activation cache', 'probe');
    assert.equal(first.waited, false);
    const holder = JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
    assert.equal(holder.pid, process.pid);
    assert.equal(holder.hostname, os.hostname());
    assert.ok(!Number.isNaN(Date.parse(holder.startedAt)));

    const lines: string[] = [];
    const waiting: string[] = [];
    let got = false;
    const second = acquireRunLock(file, 'the mlp_out activation cache', 'probe', { log: (l) => lines.push(l), onWaiting: (m) => waiting.push(m), pollMs: 20 }).then((lock) => {
      got = true;
      return lock;
    });
    await sleep(200);
    assert.equal(got, false, 'the second run waits while the first holds the lock');
    assert.ok(waiting.length >= 3, 'the wait is reported at every poll');
    assert.match(waiting[0], new RegExp(`^waiting for another Layer Probe run on the mlp_out activation cache \\(pid ${process.pid}, started \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d\\)$`));
    assert.equal(lines.length, 1, 'logged once, not at every poll');
    first.release();
    const lock = await second;
    assert.equal(lock.waited, true);
    assert.match(lines.at(-1)!, /the mlp_out activation cache: the other run is done after \d+ s; continuing/);
    lock.release();
    assert.equal(fs.existsSync(file), false, 'released: the lock file is gone');
    lock.release();
  });

  it('a lock left by a process that died is taken over at once, with a log line', async () => {
    const file = path.join(tempDir(), 'run.lock');
    const pid = deadPid();
    writeLock(file, { pid });
    assert.equal(liveLockHolder(file), undefined);
    const lines: string[] = [];
    const waiting: string[] = [];
    const lock = await acquireRunLock(file, 'the mlp_out activation cache', 'probe', { log: (l) => lines.push(l), onWaiting: (m) => waiting.push(m) });
    assert.equal(lock.waited, false);
    assert.deepEqual(waiting, []);
    assert.deepEqual(lines, [`the mlp_out activation cache: took over the lock of a run that ended without releasing it (pid ${pid} on ${os.hostname()} is no longer running)`]);
    assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder).pid, process.pid);
    lock.release();
  });

  it('a lock from another host is believed while its heartbeat is fresh, taken over when it stopped long ago', async () => {
    const dir = tempDir();
    const fresh = path.join(dir, 'fresh.lock');
    writeLock(fresh, { hostname: 'gpu-box-7', pid: 1 });
    assert.equal(liveLockHolder(fresh)?.hostname, 'gpu-box-7');
    const abort = new AbortController();
    const waiting: string[] = [];
    const refused = acquireRunLock(fresh, 'x', 'probe', { signal: abort.signal, pollMs: 20, onWaiting: (m) => waiting.push(m) });
    await sleep(100);
    abort.abort();
    await assert.rejects(refused, (err) => isRunCancelled(err));
    assert.match(waiting[0], /\(pid 1 on gpu-box-7, started /);

    const old = path.join(dir, 'old.lock');
    writeLock(old, { hostname: 'gpu-box-7', pid: 1 }, 2 * 60 * 60 * 1000);
    const lines: string[] = [];
    const lock = await acquireRunLock(old, 'x', 'probe', { log: (l) => lines.push(l) });
    assert.match(lines[0], /took over .*\(pid 1 on gpu-box-7 has not touched it for 120 min\)/);
    lock.release();
  });

  it('the holder touches its lock (heartbeat), so a long run is not taken for a dead one', async () => {
    const file = path.join(tempDir(), 'run.lock');
    const lock = await acquireRunLock(file, 'x', 'probe', { heartbeatMs: 30 });
    const t = new Date(Date.now() - 60 * 60 * 1000);
    fs.utimesSync(file, t, t);
    await sleep(150);
    assert.ok(Date.now() - fs.statSync(file).mtimeMs < 5000, 'the heartbeat brought the mtime back to now');
    assert.ok(liveLockHolder(file, 10 * 60 * 1000));
    lock.release();
  });

  it('an unreadable lock is waited for while fresh (being written), taken over when old', async () => {
    const file = path.join(tempDir(), 'run.lock');
    fs.writeFileSync(file, '');
    const abort = new AbortController();
    const waiting: string[] = [];
    const p = acquireRunLock(file, 'x', 'probe', { signal: abort.signal, pollMs: 20, onWaiting: (m) => waiting.push(m) });
    await sleep(80);
    abort.abort();
    await assert.rejects(p, (err) => isRunCancelled(err));
    assert.match(waiting[0], /\(a run starting right now\)/);
    const t = new Date(Date.now() - 5 * 60 * 1000);
    fs.utimesSync(file, t, t);
    const lock = await acquireRunLock(file, 'x', 'probe');
    lock.release();
  });

  it('cancelling while waiting rejects with RunCancelled at once and leaves the holder\'s lock alone', async () => {
    const file = path.join(tempDir(), 'run.lock');
    const first = await acquireRunLock(file, 'the answers file a.jsonl', 'generate');
    const abort = new AbortController();
    const started = Date.now();
    const second = acquireRunLock(file, 'the answers file a.jsonl', 'generate', { signal: abort.signal, pollMs: 60_000 });
    await sleep(50);
    abort.abort();
    await assert.rejects(second, (err: Error) => isRunCancelled(err) && /cancelled while waiting for another Layer Probe run on the answers file a\.jsonl/.test(err.message));
    assert.ok(Date.now() - started < 5000, 'the abort wakes the poll');
    assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder).pid, process.pid);
    first.release();
    assert.equal(fs.existsSync(file), false);
  });

  it('locks of different folders do not block each other; a set is taken in sorted order', async () => {
    const dir = tempDir();
    const a = await acquireRunLock(path.join(dir, 'a', 'run.lock'), 'a', 'probe');
    const b = await acquireRunLock(path.join(dir, 'b', 'run.lock'), 'b', 'probe', { onWaiting: () => assert.fail('b waits for nothing') });
    a.release();
    b.release();
    const files = ['z', 'm', 'a'].map((n) => ({ file: path.join(dir, n, 'run.lock'), subject: n }));
    const set = await acquireRunLocks(files, 'probe');
    assert.deepEqual(
      set.map((l) => path.basename(path.dirname(l.file))),
      ['a', 'm', 'z'],
    );
    for (const l of set) l.release();
  });

  it('a lock its holder lost (taken over) is not removed by that holder\'s release', async () => {
    const file = path.join(tempDir(), 'run.lock');
    const mine = await acquireRunLock(file, 'x', 'probe');
    writeLock(file, { token: 'someone-else' });
    mine.release();
    assert.equal((JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder).token, 'someone-else');
  });

  it('processes racing for one lock (a dead holder\'s, then each other\'s) hold it one at a time', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'run.lock');
    writeLock(file, { pid: deadPid() });
    const log = path.join(dir, 'log.txt');
    // Each child takes the lock, appends "in", holds it a little, appends "out", releases.
    const script = `
      const fs = require('node:fs');
      require('tsx/cjs');
      const { acquireRunLock } = require(${JSON.stringify(path.resolve('src/storage/runLock.ts'))});
      (async () => {
        const lock = await acquireRunLock(${JSON.stringify(file)}, 'x', 'probe', { pollMs: 10 });
        fs.appendFileSync(${JSON.stringify(log)}, 'in ' + process.pid + '\\n');
        await new Promise((r) => setTimeout(r, 80));
        fs.appendFileSync(${JSON.stringify(log)}, 'out ' + process.pid + '\\n');
        lock.release();
      })();`;
    const children = Array.from({ length: 4 }, () => spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', 'pipe'] }));
    const codes = await Promise.all(
      children.map(
        (c) =>
          new Promise<number | null>((resolve) => {
            let err = '';
            c.stderr.on('data', (d: Buffer) => (err += d.toString()));
            c.on('exit', (code) => resolve(code === 0 ? 0 : (assert.fail(err) as never)));
          }),
      ),
    );
    assert.deepEqual(codes, [0, 0, 0, 0]);
    const events = fs.readFileSync(log, 'utf8').trim().split('\n');
    assert.equal(events.length, 8);
    for (let i = 0; i < events.length; i += 2) {
      const [inTag, pid] = events[i].split(' ');
      assert.equal(inTag, 'in');
      assert.equal(events[i + 1], `out ${pid}`, `no overlap: ${events.join(', ')}`);
    }
    assert.equal(fs.existsSync(file), false);
  });
});
