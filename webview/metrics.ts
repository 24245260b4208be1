// How each metric is labelled and coloured. Colour ranges follow the reference script:
// vmin 0.5 / vmax 1 for AUC (0.5 is chance), 0 → 1 for every other metric.
import type { MetricName } from '../src/contract/types';

export interface MetricInfo {
  /** Short label for the selector, colour bar and hover. */
  label: string;
  /** One line on what the number means. */
  description: string;
  zmin: number;
  zmax: number;
}

export const METRIC_INFO: Record<MetricName, MetricInfo> = {
  auc: { label: 'AUC', description: 'ROC AUC of the probe detecting errors; 0.5 is chance', zmin: 0.5, zmax: 1 },
  acc: { label: 'Accuracy', description: 'held-out accuracy of the probe', zmin: 0, zmax: 1 },
  baseline_acc: { label: 'Baseline accuracy', description: 'majority-class accuracy on the held-out set', zmin: 0, zmax: 1 },
  acc_diff_from_baseline: {
    label: 'Accuracy − baseline',
    description: 'probe accuracy minus majority-class accuracy',
    zmin: 0,
    zmax: 1,
  },
  precision: { label: 'Precision (errors)', description: 'precision with errors as the positive class', zmin: 0, zmax: 1 },
  recall: { label: 'Recall (errors)', description: 'recall with errors as the positive class', zmin: 0, zmax: 1 },
  f1: { label: 'F1 (errors)', description: 'F1 with errors as the positive class', zmin: 0, zmax: 1 },
};
