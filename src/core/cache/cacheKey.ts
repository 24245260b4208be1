// What a cached activation depends on, and the folder name derived from it. Anything that can change a
// row's token ids, its 15 positions or the model's function is part of the key; the row sample, the
// split and the probe settings are not (they only choose which cached rows a probe reads).

import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ColumnMapping } from '../../contract/columns';
import type { ProbeLocation } from '../../contract/locations';
import { ACTIVATION_OPTION_KEYS, type ActivationOptionKey, type CacheDtype, type RunOptions } from '../../contract/runOptions';
import { resolveModelFolder } from '../model/modelFolder';
import { resolveCacheDtype } from '../model/weightPrecision';
import { SEQUENCE_RULE } from '../tokenize/sequence';

/** Bump when the chunk layout or the meaning of a key field changes: old caches then simply miss. */
export const CACHE_FORMAT_VERSION = 2;

export interface ModelIdentity {
  /** Absolute path of the ONNX graph file. */
  modelFile: string;
  /** Weight-bearing files of the folder (graph, external data): name, size, modification time. */
  files: { name: string; size: number; mtimeMs: number }[];
  /** sha256 over the files that decide tokenization (tokenizer.json, its config, chat template). */
  tokenizerSha256: string;
}

/**
 * The run options that change token ids or activations — the options table's "changes activations"
 * column — except the model folder, which the key names by its identity instead. The dtype is the one
 * written, never `auto`: an auto run and a run that named the same dtype share one cache.
 */
export type CacheKeyOptions = Omit<Pick<RunOptions, Exclude<ActivationOptionKey, 'modelFolder'>>, 'cacheDtype' | 'encoding'> & {
  cacheDtype: CacheDtype;
  /** Absent for utf-8. */
  encoding?: RunOptions['encoding'];
};

export interface CacheKey {
  format: number;
  /** The dataset's bytes and which columns were read as prompt, answer, label, exact answer, ids. */
  dataset: { contentHash: string; columns: ColumnMapping };
  /** The model folder's graph, weights and tokenizer files (stands for the `modelFolder` option). */
  model: ModelIdentity;
  /** How text rows become token sequences (tokenize/sequence.ts); its wording versions it. */
  sequenceRule: string;
  options: CacheKeyOptions;
}

/** The key of `location`'s activations for a run with `options`; every activation-changing option is a field. */
export function cacheKeyFor(parts: {
  options: RunOptions;
  location: ProbeLocation;
  datasetHash: string;
  columns: ColumnMapping;
  model: ModelIdentity;
}): CacheKey {
  const options: Record<string, unknown> = {};
  for (const key of ACTIVATION_OPTION_KEYS) if (key !== 'modelFolder') options[key] = parts.options[key];
  options.location = parts.location;
  options.cacheDtype = resolveCacheDtype(parts.options.cacheDtype, parts.model.modelFile).dtype;
  // utf-8 keys are those of the caches written before the option existed: they still hit.
  if (options.encoding === 'utf-8') delete options.encoding;
  return {
    format: CACHE_FORMAT_VERSION,
    dataset: { contentHash: parts.datasetHash, columns: parts.columns },
    model: parts.model,
    sequenceRule: SEQUENCE_RULE,
    options: options as CacheKeyOptions,
  };
}

// Tokenization reads exactly these (see tokenize/modelTokenizer.ts and tokenizerConfig.ts).
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja'];
// Text files that do not change what the graph computes.
const NOT_WEIGHTS = /\.(json|jinja|md|txt)$/i;

/**
 * The model's identity without reading its weights: hashing GBs of weights on every run would cost more
 * than the forward passes the cache saves, so the graph and its external-data files are identified by
 * path, size and mtime (a re-export or copy changes the mtime; a cache that misses is only slower).
 * Every non-text, non-hidden file of the folder counts, so external data is covered whatever it is named.
 */
export function modelIdentity(modelDir: string): ModelIdentity {
  const folder = resolveModelFolder(modelDir);
  const dir = path.resolve(modelDir);
  const files = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && !NOT_WEIGHTS.test(e.name) && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort()
    .map((name) => {
      const st = fs.statSync(path.join(dir, name));
      return { name, size: st.size, mtimeMs: st.mtimeMs };
    });
  const hash = crypto.createHash('sha256');
  for (const name of TOKENIZER_FILES) {
    const file = path.join(dir, name);
    if (!fs.existsSync(file)) continue;
    hash.update(`${name}\0`).update(fs.readFileSync(file)).update('\0');
  }
  return { modelFile: path.resolve(folder.modelFile), files, tokenizerSha256: hash.digest('hex') };
}

/** JSON with object keys sorted, so the hash does not depend on the order fields were filled in. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function keyHash(key: CacheKey): string {
  return crypto.createHash('sha256').update(canonicalJson(key)).digest('hex');
}

/** `<location>-<first 16 hex of the key hash>`: readable, and distinct per key. */
export function cacheFolderName(key: CacheKey): string {
  return `${key.options.location}-${keyHash(key).slice(0, 16)}`;
}
