// Runs one bad-input case against the real CLI (dist/cli.js) in a folder of its own, with its own empty
// HOME, under a timeout, and says what went wrong: a hang, a stack trace, an input changed, a file
// written outside the run's out/ and cache/ folders, the wrong exit status, a message that does not
// name the file (and line/row/column or node), or a raw errno as the message.
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ortDebugLogWatch } from '../helpers/ortDebugLog';

export const CLI = path.resolve('dist', 'cli.js');

/** One situation: files made in the case folder, then `layer-probe <args>` run there. */
export interface BadCase {
  /** Unique, `group/name`. */
  id: string;
  /** Makes the case's files in `dir` (the run's working directory; HOME is `dir/home`). */
  setup?: (dir: string) => void;
  /** CLI arguments (after `node dist/cli.js`), given the case folder. */
  args: (dir: string) => string[];
  /** Refused (exit status not 0), or accepted (exit 0) — accepted cases are listed in the README. */
  expect: 'refused' | 'accepted';
  /** Each must match the run's stderr: the file's name, the line/row/column or node, the flag. */
  says: (string | RegExp)[];
  /** Paths (relative to the case folder) a run may create besides out/ and cache/. */
  mayWrite?: string[];
  /** A product failure left open (README table): only a hang, a stack trace or a changed input fail. */
  known?: string;
  /** Seconds before the run counts as a hang. */
  timeoutS?: number;
}

export interface CaseOutcome {
  /** Failures that make the test fail even for a known case. */
  hard: string[];
  /** Other failures. */
  soft: string[];
  status: number | null;
  stderr: string;
}

type Entry = { kind: 'file'; digest: string } | { kind: 'dir' } | { kind: 'link'; target: string } | { kind: 'other'; mode: number };

// Files this large are sparse or generated in bulk: their size, inode and mtime stand for their bytes.
const HASH_LIMIT = 64 * 1024 * 1024;

function digestOf(file: string, st: fs.Stats): string {
  if (st.size > HASH_LIMIT) return `size ${st.size} ino ${st.ino} mtime ${st.mtimeMs}`;
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Every path under `dir` (symlinks not followed; FIFOs and sockets never opened). */
export function snapshot(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (rel: string): void => {
    const abs = path.join(dir, rel);
    const st = fs.lstatSync(abs);
    if (st.isSymbolicLink()) out.set(rel, { kind: 'link', target: fs.readlinkSync(abs) });
    else if (st.isFile()) out.set(rel, { kind: 'file', digest: digestOf(abs, st) });
    else if (st.isDirectory()) {
      if (rel) out.set(rel, { kind: 'dir' });
      for (const name of fs.readdirSync(abs)) walk(path.join(rel, name));
    } else out.set(rel, { kind: 'other', mode: st.mode });
  };
  walk('');
  return out;
}

const under = (rel: string, prefixes: string[]): boolean => prefixes.some((p) => rel === p || rel.startsWith(`${p}${path.sep}`));

/** What changed between two snapshots: changed or removed inputs, and new paths outside `allowed`. */
export function compareSnapshots(before: Map<string, Entry>, after: Map<string, Entry>, allowed: string[]): { changed: string[]; strays: string[] } {
  const changed: string[] = [];
  const strays: string[] = [];
  for (const [rel, entry] of before) {
    const now = after.get(rel);
    if (!now) changed.push(`${rel} was removed`);
    else if (JSON.stringify(now) !== JSON.stringify(entry)) changed.push(`${rel} was changed`);
  }
  for (const rel of after.keys()) if (!before.has(rel) && !under(rel, allowed)) strays.push(rel);
  return { changed, strays };
}

// node's raw errno text ("ENOENT: no such file or directory, open 'x'") unless quoted in parentheses
// after a message in words.
const RAW_ERRNO = /(^|[^(])\bE[A-Z]{3,}: [a-z][^,]*, [a-z]+ /;

/** The lines the CLI prints for a refusal: `layer-probe: …`, or its usage text. */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('layer-probe: '));
}

/** Runs `node dist/cli.js …` in `cwd` with `home` as HOME; kills it after `timeoutS`. */
function runCli(args: string[], cwd: string, home: string, timeoutS: number): Promise<{ status: number | null; stdout: string; stderr: string; hung: boolean; pid: number | undefined }> {
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: path.join(home, '.local', 'share') };
  // The CLI must turn onnxruntime's telemetry off itself (the test runner sets the opt-out for its own process).
  delete env.ORT_DISABLE_TELEMETRY;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    // Keep the ends (a runaway message is a failure of its own, not a reason to hold megabytes).
    const keep = (s: string): string => (s.length > 200_000 ? s.slice(-200_000) : s);
    child.stdout.on('data', (d: Buffer) => { stdout = keep(stdout + d.toString()); });
    child.stderr.on('data', (d: Buffer) => { stderr = keep(stderr + d.toString()); });
    let hung = false;
    const timer = setTimeout(() => { hung = true; child.kill('SIGKILL'); }, timeoutS * 1000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, hung, pid: child.pid });
    });
  });
}

export async function runCase(c: BadCase, dir: string): Promise<CaseOutcome> {
  const home = path.join(dir, 'home');
  fs.mkdirSync(home, { recursive: true });
  c.setup?.(dir);
  const before = snapshot(dir);
  const ortLogs = ortDebugLogWatch();
  const run = await runCli(c.args(dir), dir, home, c.timeoutS ?? 60);
  const after = snapshot(dir);
  const hard: string[] = [];
  const soft: string[] = [];
  const both = `${run.stdout}\n${run.stderr}`;
  if (run.hung) hard.push(`hang: killed after ${c.timeoutS ?? 60} s`);
  const stack = both.split('\n').filter((l) => /^ {4}at /.test(l));
  if (stack.length) hard.push(`stack trace: ${stack.slice(0, 3).join(' | ')}`);
  const { changed, strays } = compareSnapshots(before, after, ['out', 'cache', ...(c.mayWrite ?? [])]);
  // A symlink replaced by a file leaves the file it pointed to intact (hashed as its own entry): a wrong
  // overwrite, but not of an input's bytes.
  const links = changed.filter((m) => before.get(m.replace(/ was (changed|removed)$/, ''))?.kind === 'link');
  const bytes = changed.filter((m) => !links.includes(m));
  if (bytes.length) hard.push(`inputs changed: ${bytes.join(', ')}`);
  if (links.length) soft.push(`symlinks replaced: ${links.join(', ')}`);
  const homeLeft = fs.existsSync(home) ? fs.readdirSync(home) : [];
  if (homeLeft.length) soft.push(`HOME not empty: ${homeLeft.join(', ')}`);
  const strayHome = strays.filter((s) => !under(s, ['home']));
  if (strayHome.length) soft.push(`written outside out/ and cache/: ${strayHome.slice(0, 5).join(', ')}`);
  if (ortLogs.wroteFor(run.pid)) soft.push(`onnxruntime wrote /tmp/mat-debug-${run.pid}.log`);
  if (!run.hung) {
    if (c.expect === 'refused' && run.status === 0) soft.push('exit status 0: accepted, expected a refusal');
    if (c.expect === 'accepted' && run.status !== 0) soft.push(`exit status ${run.status}, expected 0 (accepted)`);
  }
  for (const want of c.says) {
    const found = typeof want === 'string' ? run.stderr.includes(want) : want.test(run.stderr);
    if (!found) soft.push(`stderr does not say ${String(want)}`);
  }
  for (const line of errorLines(run.stderr)) if (RAW_ERRNO.test(line)) soft.push(`raw errno as the message: ${line}`);
  if (c.expect === 'refused' && run.status !== 0 && !run.hung && errorLines(run.stderr).length === 0 && !run.stderr.startsWith('Usage:')) soft.push('no "layer-probe: …" message');
  return { hard, soft, status: run.status, stderr: run.stderr };
}
