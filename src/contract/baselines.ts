// What the heatmap shows of the baselines: the best one, and which probe cells beat it beyond doubt.

import type { BaselineResults, BaselineScore } from './result';

/** The entry `best` names (p(True) counted in its better order only), if any. */
export function bestBaseline(baselines: BaselineResults | undefined): BaselineScore | undefined {
  return baselines?.best ? baselines.entries.find((e) => e.name === baselines.best) : undefined;
}

/**
 * Cells whose AUC bootstrap interval lies wholly above the best baseline's AUC: there the probe reads
 * more from the activations than the best score the model's own output gives, beyond test-set noise.
 */
export function cellsAboveBaseline(aucInterval: ([number, number] | null)[][], best: number | null | undefined): boolean[][] {
  return aucInterval.map((row) => row.map((interval) => best !== null && best !== undefined && interval !== null && interval[0] > best));
}
