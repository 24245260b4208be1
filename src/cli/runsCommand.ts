// `layer-probe runs [<dir>]`: the runs under a runs root, newest first, with what tells them apart.

import * as path from 'node:path';
import { parseArgs } from 'node:util';

import { DEFAULT_RUNS_DIR_NAME, listRuns, type RunSummary } from '../storage/runFolders';
import { requireFolderIfThere, UsageError } from './usageError';

export const RUNS_USAGE = `Usage: layer-probe runs [<runs-dir>]

Lists the probing runs under <runs-dir> (default ./${DEFAULT_RUNS_DIR_NAME}: where \`probe\` writes a folder
per run), newest first: date, model, dataset, location, test rows, best cell, best baseline, folder.
`;

function row(run: RunSummary): string[] {
  const best = run.best ? `${run.best.auc.toFixed(3)} L${run.best.layer} ${run.best.token}` : '—';
  const baseline = run.bestBaseline ? `${run.bestBaseline.auc.toFixed(3)} ${run.bestBaseline.name}` : '—';
  return [run.createdAt.slice(0, 19).replace('T', ' '), run.model, run.dataset, run.location, String(run.nTest), best, baseline, path.basename(run.dir)];
}

export function runRunsCommand(argv: string[], write: (text: string) => void = (t) => process.stdout.write(t)): number {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { help: { type: 'boolean', short: 'h', default: false } } });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (parsed.values.help) {
    write(RUNS_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) throw new UsageError(`runs takes one runs folder; unexpected argument ${parsed.positionals.slice(1).map((a) => `"${a}"`).join(' ')}`);
  const root = path.resolve(parsed.positionals[0] ?? DEFAULT_RUNS_DIR_NAME);
  requireFolderIfThere(root, 'a runs folder (where the CLI writes its run folders)');
  const { runs, unreadable } = listRuns(root);
  if (runs.length === 0 && unreadable.length === 0) {
    write(`no runs in ${root}\n`);
    return 0;
  }
  const table = [['date (UTC)', 'model', 'dataset', 'location', 'test', 'best cell (AUC)', 'best baseline', 'folder'], ...runs.map(row)];
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  for (const r of table) write(`${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ')}\n`);
  for (const u of unreadable) write(`unreadable: ${path.basename(u.dir)}: ${u.reason}\n`);
  write(`${runs.length} run${runs.length === 1 ? '' : 's'} in ${root}\n`);
  return 0;
}
