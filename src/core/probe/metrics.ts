// The seven per-cell numbers of the reference heatmaps (`compute_metrics_probing(…, pos_label=0)`,
// llmsknow-pipeline.md §3.2), from held-out labels (1 correct, 0 error) and the probe's P(correct).
import type { MetricName } from '../../contract/types';
import { rocAuc } from './auc';

export type CellMetrics = Record<MetricName, number | null>;

/** Every metric null: the cell is undefined (a side of the split holds a single class). */
export function undefinedCellMetrics(): CellMetrics {
  return { auc: null, acc: null, baseline_acc: null, acc_diff_from_baseline: null, precision: null, recall: null, f1: null };
}

/**
 * - auc: ROC AUC of P(correct) with correct as positive, equal to the reference's AUC of P(error)
 *   with pos_label=0; null when the labels hold a single class.
 * - acc: predicted class = correct iff P(correct) > ½, as sklearn's predict (decision function > 0;
 *   they differ only for |margin| < 1e-16, where σ rounds to exactly ½).
 * - baseline_acc = max(mean y, 1 − mean y); acc_diff_from_baseline = acc − baseline_acc.
 * - precision, recall, f1 for the ERROR class (pos_label=0), with sklearn's default
 *   zero_division="warn" behaviour: a ratio whose denominator is 0 (no predicted errors for
 *   precision, no actual errors for recall, neither for f1) is 0, not undefined — so the heatmaps
 *   match the reference's.
 * Null only for an empty label set (every metric) and for auc with a single class.
 */
export function cellMetrics(labels: ArrayLike<number>, pCorrect: ArrayLike<number>): CellMetrics {
  const n = labels.length;
  if (pCorrect.length !== n) throw new RangeError(`${n} labels but ${pCorrect.length} scores`);
  if (n === 0) return undefinedCellMetrics();
  let correct = 0;
  let hits = 0;
  let tpError = 0; // predicted error, was error
  let fpError = 0; // predicted error, was correct
  let fnError = 0; // predicted correct, was error
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    if (y !== 0 && y !== 1) throw new RangeError(`label ${i} is ${y}, expected 0 or 1`);
    const predicted = pCorrect[i] > 0.5 ? 1 : 0;
    correct += y;
    if (predicted === y) hits++;
    if (predicted === 0 && y === 0) tpError++;
    else if (predicted === 0) fpError++;
    else if (y === 0) fnError++;
  }
  const acc = hits / n;
  const meanY = correct / n;
  const baseline = Math.max(meanY, 1 - meanY);
  const ratio = (num: number, den: number): number => (den === 0 ? 0 : num / den);
  return {
    auc: rocAuc(labels, pCorrect),
    acc,
    baseline_acc: baseline,
    acc_diff_from_baseline: acc - baseline,
    precision: ratio(tpError, tpError + fpError),
    recall: ratio(tpError, tpError + fnError),
    f1: ratio(2 * tpError, 2 * tpError + fpError + fnError),
  };
}
