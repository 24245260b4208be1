// Types shared by every stage of the pipeline: dataset → model → extraction → probes → result.
// Kept free of `vscode` and of onnxruntime so the webview, the CLI and the tests can import them.

/** Where in each transformer block activations are read (TransformerLens-style names). */
export const PROBE_LOCATIONS = ['mlp_out', 'resid_post', 'mlp_in', 'attn_out'] as const;
export type ProbeLocation = (typeof PROBE_LOCATIONS)[number];

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

/** One usable dataset row after column mapping and validity filtering. */
export interface DatasetRow {
  /** 0-based index of the record in the file (header excluded). */
  rowIndex: number;
  /** 1-based line where the record starts in the file (for "reveal in editor"). */
  line: number;
  /** The full prompt the model was given (reference column `question`). */
  prompt: string;
  /** The model's answer text (reference column `model_answer`). */
  answer: string;
  /** 1 = the model's answer is correct, 0 = wrong (reference `automatic_correctness`). */
  correct: 0 | 1;
  /** Valid exact answer, or undefined when the dataset has no exact-answer column. */
  exactAnswer?: string;
  /** Explicit split from an optional `split` column. */
  split?: 'train' | 'test';
  /** Prompt + answer token ids (optional `input_output_ids` column), used instead of tokenizing. */
  inputOutputIds?: number[];
}

/** Which file column plays which role. */
export interface ColumnMapping {
  prompt: string;
  answer: string;
  correct: string;
  exactAnswer?: string;
  validExactAnswer?: string;
  split?: string;
  inputOutputIds?: string;
}

/** A token sequence ready for a forward pass, with the 15 positions indexed into it. */
export interface PreparedSequence {
  rowIndex: number;
  ids: number[];
  /** Number of prompt tokens (`q_length` in the reference). */
  qLength: number;
  /** One absolute index per TOKEN_POSITIONS entry, in that order. */
  positions: number[];
}

/** Settings a run is keyed by (together with dataset content and model identity). */
export interface RunSettings {
  location: ProbeLocation;
  /** At most this many rows are probed (seeded shuffle, as the reference's n_samples). 0 = all. */
  sampleLimit: number;
  seed: number;
  /** Fraction of rows held out for the metrics when the dataset has no `split` column. */
  testFraction: number;
}

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
