import type {
  ColumnMapping,
  MetricMatrix,
  MetricName,
  ProbeLocation,
  RunSettings,
  TokenPositionName,
} from '../types';

/** Everything one probing run produced; written as result.json and sent to the panel. */
export interface ProbeResult {
  schemaVersion: 1;
  createdAt: string;
  tool: { name: 'layer-probe'; version: string; onnxruntime: string };
  dataset: {
    file: string;
    format: 'jsonl' | 'json' | 'csv';
    contentHash: string;
    columns: ColumnMapping;
    rowsRead: number;
    rowsUsed: number;
    /** Rows dropped before probing, with the reason (invalid exact answer, too short, …). */
    dropped: { reason: string; count: number }[];
  };
  model: {
    dir: string;
    name: string;
    numLayers: number;
    hiddenSize: number;
    location: ProbeLocation;
    /** The onnxruntime execution provider that ran the forward passes. */
    provider: string;
    /** Providers tried in order, ending with the one used (a GPU provider may have been unavailable). */
    providersTried: string[];
    blockKind: 'sequential' | 'parallel';
    /** How text rows were turned into token sequences (documented in the README). */
    sequenceRule: string;
  };
  settings: RunSettings & {
    splitSource: 'column' | 'seeded';
    probe: { solver: string; C: number; tol: number; maxIter: number };
    /** Whether prompts were wrapped in the model's chat template, with or without the generation prompt. */
    promptFormat: { chatTemplate: 'auto' | 'none'; addGenerationPrompt: boolean };
  };
  /** Heatmap rows: layer indices 0…L-1 (layer 0 is drawn at the top). */
  layers: number[];
  /** Heatmap columns, TOKEN_POSITIONS order. */
  tokens: TokenPositionName[];
  nTrain: number;
  nTest: number;
  metrics: Record<MetricName, MetricMatrix>;
  /** Seeded bootstrap (1,000 resamples of the test rows) 95 % interval of each cell's AUC; null = undefined. */
  aucInterval: ([number, number] | null)[][];
  /** Solver iterations per cell, and whether each cell converged. */
  iterations: number[][];
  converged: boolean[][];
  /** The held-out examples behind every cell. */
  test: {
    rowIndex: number[];
    line: number[];
    label: (0 | 1)[];
    /** Display pieces of each example's token sequence (incremental decode; concatenation = text). */
    pieces: string[][];
    /** Prompt length (q_length) of each example. */
    qLength: number[];
    /** The 15 absolute token positions of each example, TOKEN_POSITIONS order. */
    positions: number[][];
    /** P(correct) from the cell's probe: [layer][token][example]. */
    scores: number[][][];
  };
}

/** One row of the examples list shown for a heatmap cell. */
export interface ExampleView {
  rowIndex: number;
  line: number;
  label: 0 | 1;
  /** The probe's P(correct) for this example. */
  score: number;
  /** Probe's prediction (correct iff score > 0.5, as scikit-learn's predict) disagrees with the label. */
  misclassified: boolean;
  pieces: string[];
  qLength: number;
  /** Absolute index of the probed token in `pieces`. */
  probedIndex: number;
}
