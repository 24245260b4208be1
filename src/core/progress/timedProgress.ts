// Adds rate and time left to a pipeline's progress messages, once, in the core: the VS Code
// notification, the live panel and the CLI then all show the same "· 85 rows/s · about 33 s left".
import type { RunStage } from '../../contract/workerProtocol';
import { formatDuration, formatElapsed, formatRate } from './formatTiming';
import { StageRate } from './stageRate';

export type ProgressCallback = (stage: RunStage, done: number, total: number, message: string) => void;

/**
 * What one item of each long stage is called in its rate; `rate: false` where the message already
 * carries a better rate (generation: tokens/s) and only the time left is added. Stages absent here
 * (model load) have no count: they get their elapsed time when they end.
 */
const STAGE_UNITS: Partial<Record<RunStage, { unit: string; rate: boolean }>> = {
  // Counted in MiB only for large files (readingProgress); "Reading x" alone has no count.
  dataset: { unit: 'MiB', rate: true },
  tokenize: { unit: 'rows', rate: true },
  extract: { unit: 'rows', rate: true },
  probe: { unit: 'probes', rate: true },
  baselines: { unit: 'rows', rate: true },
  generate: { unit: 'answers', rate: false },
};

/** The timing suffix for one update of `stage` (empty until there is something to say). */
export function timingSuffix(stage: RunStage, done: number, total: number, timing: ReturnType<StageRate['observe']>): string {
  const units = STAGE_UNITS[stage];
  const finished = total > 0 && done >= total;
  if (!units) return finished && timing.elapsedSeconds > 0 ? ` · ${formatElapsed(timing.elapsedSeconds)}` : '';
  const parts: string[] = [];
  if (units.rate && timing.perSecond !== undefined) parts.push(formatRate(timing.perSecond, units.unit));
  if (finished) {
    if (timing.elapsedSeconds > 0) parts.push(formatElapsed(timing.elapsedSeconds));
  } else if (timing.secondsLeft !== undefined) {
    parts.push(`about ${formatDuration(timing.secondsLeft)} left`);
  }
  return parts.map((p) => ` · ${p}`).join('');
}

/**
 * Wraps `onProgress` so each message ends with its stage's rate and time left. A stage's clock starts
 * at its first update and restarts when the stage, its total, or a falling count says a new one began.
 */
export function timedProgress(onProgress: ProgressCallback, now: () => number = Date.now): ProgressCallback {
  let current: { stage: RunStage; total: number; done: number; rate: StageRate } | undefined;
  return (stage, done, total, message) => {
    if (!current || current.stage !== stage || current.total !== total || done < current.done) {
      current = { stage, total, done, rate: new StageRate(now) };
    }
    current.done = done;
    const timing = current.rate.observe(done, total);
    onProgress(stage, done, total, `${message}${timingSuffix(stage, done, total, timing)}`);
  };
}
