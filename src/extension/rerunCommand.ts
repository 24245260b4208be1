// Rerunning a shown result from its panel with another location, seed, sample limit or test fraction:
// first what it would cost (read from the cache manifests in the worker, no model load), then the run
// itself — a new run folder and panel, from the activation cache when the rows are there.

import * as path from 'node:path';

import { changesRun, type RerunFields, rerunOptions } from '../contract/rerun';
import type { ProbeResult } from '../contract/result';
import { activationCacheRoots, probeAndShow, type ProbeContext, type ProbeOutcome, reportRunError } from './probeCommand';
import { planInWorker } from './workerRun';

const neverCancelled = { onCancellationRequested: (): void => undefined };

/** "from the activation cache: no forward pass (240 rows)", or "needs forward passes (N of M rows)". */
export async function planRerun(ctx: ProbeContext, result: ProbeResult, fields: RerunFields): Promise<{ text: string; problem: boolean }> {
  const base = result.settings.options;
  let options;
  try {
    options = rerunOptions(base, fields);
  } catch (err) {
    return { text: (err as Error).message, problem: true };
  }
  if (!changesRun(base, options)) return { text: 'the same settings as this run', problem: false };
  try {
    const plan = await planInWorker(
      path.join(ctx.context.extensionUri.fsPath, 'dist'),
      { datasetFile: result.dataset.file, options, cacheDir: activationCacheRoots(ctx.context)[0], columns: result.dataset.columns },
      { onProgress: () => undefined, log: (line) => ctx.output.info(line), resolveColumns: () => Promise.resolve(undefined) },
      neverCancelled,
    );
    const missing = plan.uncached[options.location] ?? plan.rows;
    if (plan.cache === 'off') return { text: `needs forward passes (${plan.rows} rows): the activation cache is off`, problem: false };
    if (missing === 0) return { text: `from the activation cache: no forward pass (${plan.rows} rows)`, problem: false };
    return { text: `needs forward passes (${missing === plan.rows ? `${missing} rows` : `${missing} of ${plan.rows} rows`})`, problem: false };
  } catch (err) {
    return { text: (err as Error).message, problem: true };
  }
}

export async function rerun(ctx: ProbeContext, result: ProbeResult, fields: RerunFields): Promise<ProbeOutcome | undefined> {
  try {
    const options = rerunOptions(result.settings.options, fields);
    ctx.output.info(`Rerun of ${result.dataset.file}: ${JSON.stringify(fields)}`);
    return await probeAndShow(ctx, { datasetFile: result.dataset.file, options, answers: result.answers, columns: result.dataset.columns });
  } catch (err) {
    reportRunError(err, ctx.output);
    return undefined;
  }
}

