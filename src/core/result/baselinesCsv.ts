// baselines.csv: one row per baseline detector on the probes' test rows, with its bootstrap interval.
import type { ProbeResult } from '../../contract/result';

export function baselinesCsv(result: ProbeResult): string | undefined {
  const baselines = result.baselines;
  if (!baselines) return undefined;
  const lines = ['baseline,family,auc,auc_low,auc_high,best'];
  for (const e of baselines.entries) {
    const [low, high] = e.aucInterval ?? [null, null];
    const num = (v: number | null): string => (v === null ? '' : String(v));
    lines.push([e.name, e.family, num(e.auc), num(low), num(high), e.name === baselines.best ? '1' : '0'].join(','));
  }
  return lines.join('\n') + '\n';
}
