// Builders the cases share: a small valid dataset (JSONL and CSV), the probe command line, and a model
// folder of symlinks to a shared fixture with chosen files replaced (nothing large is copied).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { fixtureModel } from '../helpers/fixtures';

export const MODEL = fixtureModel('tiny-llama-unfused-extdata');
/** 128 positions: prompts over that are too long. */
export const fixtureToyFacts = fixtureModel('toy-facts-llama');

export interface Row { question: unknown; model_answer: unknown; correct: unknown; exact_answer?: unknown }

/** 40 rows the tiny model can be probed on (both classes, exact answers inside the answers). */
export function goodRows(n = 40): Row[] {
  return Array.from({ length: n }, (_, i) => ({ question: `Q: item ${i}?\nA:`, model_answer: ` ${i % 2 ? 'yes' : 'no'}\n`, correct: i % 2, exact_answer: i % 2 ? 'yes' : 'no' }));
}

export const jsonl = (rows: unknown[]): string => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;

const csvField = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** CSV text of rows (header from the first row's keys), lines ending in `eol`. */
export function csv(rows: Record<string, unknown>[], eol = '\n'): string {
  const keys = Object.keys(rows[0]);
  return [keys.join(','), ...rows.map((r) => keys.map((k) => csvField(r[k])).join(','))].join(eol) + eol;
}

/** Writes `content` at `dir/rel` (parents made). */
export function put(dir: string, rel: string, content: string | Buffer): string {
  const file = path.join(dir, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}

export const mkfifo = (file: string): void => { execFileSync('mkfifo', [file]); };

/** `probe <dataset> --model <model> --out out --cache-dir cache --no-baselines` plus `extra`. */
export function probe(dataset: string, extra: string[] = [], model = MODEL): string[] {
  return ['probe', dataset, '--model', model, '--out', 'out', '--cache-dir', 'cache', '--no-baselines', ...extra];
}

/** `dir/model`: symlinks to the fixture's files, except `replace` (content, or a function making it; undefined: left out). */
export function modelFolder(dir: string, replace: Record<string, string | Buffer | ((file: string) => void) | undefined> = {}, fixture = MODEL): string {
  const folder = path.join(dir, 'model');
  fs.mkdirSync(folder, { recursive: true });
  for (const name of fs.readdirSync(fixture)) {
    if (name in replace) continue;
    fs.symlinkSync(path.join(fixture, name), path.join(folder, name));
  }
  for (const [name, how] of Object.entries(replace)) {
    if (how === undefined) continue;
    const file = path.join(folder, name);
    if (typeof how === 'function') how(file);
    else fs.writeFileSync(file, how);
  }
  return folder;
}

/** Deterministic pseudo-random bytes (the corpus is the same every run). */
export function noise(n: number, seed = 1): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 0xff;
  }
  return b;
}

/** The first `n` bytes of a fixture file. */
export const headOf = (file: string, n: number): Buffer => fs.readFileSync(file).subarray(0, n);
