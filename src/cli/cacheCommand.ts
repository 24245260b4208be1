// `layer-probe cache [<dir>] [--clear]`: what the activation caches under a folder hold, and deleting them.

import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { CacheMergeError, mergeCacheRoots } from '../core/cache/mergeCaches';
import { clearCacheFolders, formatBytes, listCacheFolders } from '../storage/cacheFolders';
import { DEFAULT_RUNS_DIR_NAME } from '../storage/runFolders';
import { requireFolderIfThere, UsageError } from './usageError';

export const DEFAULT_CACHE_DIR_NAME = '.layer-probe-cache';

export const CACHE_USAGE = `Usage: layer-probe cache [<cache-dir>] [--clear]
       layer-probe cache merge <cache-dir>… --into <dir>

Lists the activation caches under <cache-dir> (default ./${DEFAULT_RUNS_DIR_NAME}/${DEFAULT_CACHE_DIR_NAME}: where
\`probe\` puts them for its default run folders) with their size, or deletes them with --clear.
Only folders written by layer-probe are touched.

merge gathers the caches that shards (layer-probe extract --shard i/n) wrote into separate folders
into --into: every chunk's sha256 is verified first, the sources must hold the same cache keys
(refused otherwise, naming the fields that differ), each row is kept once, the sources are only read.
`;

export function runCacheCommand(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): number | Promise<number> {
  if (argv[0] === 'merge') return runCacheMerge(argv.slice(1), write);
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { clear: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
  });
  if (values.help || positionals.length > 1) {
    process.stderr.write(CACHE_USAGE);
    return values.help ? 0 : 2;
  }
  const root = path.resolve(positionals[0] ?? path.join(DEFAULT_RUNS_DIR_NAME, DEFAULT_CACHE_DIR_NAME));
  requireFolderIfThere(root, 'an activation cache folder (where runs keep their caches)');
  const folders = listCacheFolders(root);
  const total = folders.reduce((s, f) => s + f.bytes, 0);
  if (values.clear) {
    const { folders: n, bytes, inUse } = clearCacheFolders(root);
    write(`cleared ${n} activation cache${n === 1 ? '' : 's'} (${formatBytes(bytes)}) in ${root}\n`);
    for (const f of inUse) write(`kept ${path.basename(f.dir)}: a Layer Probe run is using it (${f.inUseBy})\n`);
    return 0;
  }
  if (folders.length === 0) {
    write(`no activation caches in ${root}\n`);
    return 0;
  }
  for (const f of folders) {
    const model = f.modelFile ? path.basename(path.dirname(f.modelFile)) : '?';
    if (f.kind === 'baselines') {
      write(`${formatBytes(f.bytes).padStart(9)}  ${'baseline scores'.padEnd(30)}  ${path.basename(f.dir)}\n`);
      continue;
    }
    const inUse = f.inUseBy ? `  (in use: ${f.inUseBy})` : '';
    write(`${formatBytes(f.bytes).padStart(9)}  ${String(f.rows).padStart(7)} rows  ${(f.location ?? '?').padEnd(10)} ${(f.dtype ?? '?').padEnd(7)} ${model}  ${path.basename(f.dir)}${inUse}\n`);
  }
  write(`${formatBytes(total).padStart(9)}  total, ${folders.length} cache${folders.length === 1 ? '' : 's'} in ${root}\n`);
  return 0;
}

async function runCacheMerge(argv: string[], write: (text: string) => void): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { into: { type: 'string' }, help: { type: 'boolean', short: 'h', default: false } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    write(CACHE_USAGE);
    return 0;
  }
  if (positionals.length === 0) throw new UsageError('cache merge needs the cache folders to merge: layer-probe cache merge <cache-dir>… --into <dir>');
  if (values.into === undefined) throw new UsageError('cache merge needs --into <dir>: the folder the merged cache is written to (the sources are not modified)');
  let merged;
  try {
    merged = await mergeCacheRoots(positionals, values.into);
  } catch (err) {
    // A refusal is the user's input, not a crash: the words go to stderr with exit status 1.
    if (err instanceof CacheMergeError) {
      process.stderr.write(`layer-probe: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
  for (const m of merged) {
    write(`${m.location.padEnd(10)} ${String(m.rowsBefore + m.rowsAdded).padStart(7)} rows (${m.rowsAdded} added; ${m.chunksCopied} chunks copied, ${m.chunksRewritten} rewritten, ${m.chunksSkipped} already present)  ${m.folder}\n`);
  }
  return 0;
}
