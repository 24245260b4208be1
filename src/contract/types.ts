// The vocabulary every runtime shares: token positions, metrics, column roles of a run's result.
// Plain TypeScript only (no node, vscode, DOM or onnxruntime), like everything in src/contract.

/** The reference's 15 heatmap columns, in the paper's order (labels as in its CSV/plot). */
export const TOKEN_POSITIONS = [
  'last_q',
  'first_answer',
  'second_answer',
  'exact_answer_before_first',
  'exact_answer_first',
  'exact_answer_last',
  'exact_answer_after_last',
  '-8',
  '-7',
  '-6',
  '-5',
  '-4',
  '-3',
  '-2',
  '-1',
] as const;
export type TokenPositionName = (typeof TOKEN_POSITIONS)[number];

/** Per-cell metric matrices, [layer][token]; null = undefined (a side has a single class). */
export type MetricMatrix = (number | null)[][];

export const METRIC_NAMES = [
  'auc',
  'acc',
  'baseline_acc',
  'acc_diff_from_baseline',
  'precision',
  'recall',
  'f1',
] as const;
export type MetricName = (typeof METRIC_NAMES)[number];

export function isMetricName(value: unknown): value is MetricName {
  return (METRIC_NAMES as readonly unknown[]).includes(value);
}
