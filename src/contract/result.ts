// The result file (result.json) and what the panel shows of it. `parseProbeResult` is the one way any
// runtime reads a result it did not just compute: it checks the schema version and the shape, so a
// stale or hand-edited file is refused with a message instead of drawing a wrong heatmap.
import type { ColumnMapping } from './columns';
import { LayerProbeError } from './errors';
import { isProbeLocation, type ProbeLocation } from './locations';
import type { RunOptions } from './runOptions';
import { METRIC_NAMES, type MetricMatrix, type MetricName, TOKEN_POSITIONS, type TokenPositionName } from './types';

/** Bump when a field changes meaning or shape; readers refuse other versions. */
export const RESULT_SCHEMA_VERSION = 2;

/** Everything one probing run produced; written as result.json and sent to the panel. */
export interface ProbeResult {
  schemaVersion: typeof RESULT_SCHEMA_VERSION;
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
    /** Rows this run ran through the model; 0 when every activation came from the cache (absent in older results). */
    forwardPassRows?: number;
    blockKind: 'sequential' | 'parallel';
    /** How text rows were turned into token sequences (documented in the README). */
    sequenceRule: string;
  };
  settings: {
    /** Every run option as this run used it (`location` is this result's location). */
    options: RunOptions;
    /** Rows sampled before the split, 0 = all: `options.sampleLimit`, or its default for the split source. */
    sampleLimit: number;
    splitSource: 'column' | 'seeded';
    /** The probe: scikit-learn's objective at C, solved until ‖∇f‖∞ ≤ tol·‖∇f(0)‖∞ or maxNewtonIterations. */
    probe: { solver: string; C: number; tol: number; maxNewtonIterations: number };
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
  /** Newton iterations each cell's solver used, and whether it converged within maxNewtonIterations. */
  iterations: number[][];
  converged: boolean[][];
  /**
   * The paper's baselines on the same test rows as the probes (absent when turned off): the number a
   * probe cell must beat for the heatmap to say more than the model's own confidence.
   */
  baselines?: BaselineResults;
  /** Where the probed answers came from, when Layer Probe generated them from a benchmark file. */
  answers?: AnswersProvenance;
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
    /**
     * What the examples list shows of each test row, each cut to TEST_TEXT_LIMIT characters (absent in
     * results written before these fields): the question (the bare `raw_question` when the file has
     * one, else the prompt), the gold answer (a `gold_answer`/`correct_answer` column, when there is
     * one), the model's answer and its exact answer (when the dataset has exact answers).
     */
    question?: string[];
    goldAnswer?: string[];
    modelAnswer?: string[];
    exactAnswer?: string[];
  };
}

/** The per-row text fields of `ProbeResult.test`, in the order the examples list shows them. */
export const TEST_TEXT_FIELDS = ['question', 'goldAnswer', 'modelAnswer', 'exactAnswer'] as const;
export type TestTextField = (typeof TEST_TEXT_FIELDS)[number];
/** Longest text kept per field and row in result.json (longer ones end in '…'). */
export const TEST_TEXT_LIMIT = 2000;

/** How an answers file was generated from a raw benchmark (shown in the panel header). */
export interface AnswersProvenance {
  /** The raw benchmark file (never written to). */
  benchmarkFile: string;
  kind: string;
  /** Why that kind: 'given', or the columns that identified it. */
  kindReason: string;
  modelKind: 'base' | 'instruct';
  /** The prompt format, in words (chat template or plain text). */
  promptFormat: string;
  correctnessRule: string;
  stopRule: string;
  /** How exact answers were found: the kind's rule, the gold in the answer, an extraction model, or the heuristic. */
  exactAnswers: string;
  /** Greedy with or without the KV cache, and why. */
  decoding: string;
  /** Share of answers judged correct. */
  accuracy: number;
}

/** One baseline detector scored on the result's test rows. */
export interface BaselineScore {
  /**
   * The reference's name: logprob `logits_min` … `probas_after_last_token` (§7.1), prefixed `exact_answer.`
   * when aggregated over the exact-answer span; p(True) `p_true` and `p_true_reversed` (§7.2).
   */
  name: string;
  family: 'logprob' | 'p_true';
  /** Test AUC with the score read as P(correct) (the reference's pos_label=1); null for a single-class test set. */
  auc: number | null;
  /** Seeded bootstrap 95 % interval, the same resamples as the cells'. */
  aucInterval: [number, number] | null;
  /** The score of each test row, `test` order. */
  scores: number[];
}

export interface BaselineResults {
  /**
   * How the chosen tokens' logits and probabilities were obtained: 'generation' — recorded by `generate`
   * in the answers file, as the reference's saved `scores`; 'teacher-forced' — one forward pass over each
   * row's token ids (answers from elsewhere); 'mixed' — some rows each way.
   */
  tokenScores: 'generation' | 'teacher-forced' | 'mixed';
  entries: BaselineScore[];
  /** The entry with the highest AUC (p(True): the better order, as the reference's `_max`). */
  best: string | null;
  /** p(True)'s better option order, the reference's `_max`. */
  pTrueMax: 'p_true' | 'p_true_reversed' | null;
  /** `exact_answer.probas_after_last_token` scored with pos_label=0, as the reference's bug does. */
  afterLastSignBug: boolean;
  /** Baselines that could not be scored, and why (e.g. p(True) prompts longer than the model's positions). */
  notes?: string[];
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
  /** The row's text fields, when the result has them (`ProbeResult.test.question` …). */
  question?: string;
  goldAnswer?: string;
  modelAnswer?: string;
  exactAnswer?: string;
}

// ── reading a result file ─────────────────────────────────────────────────────────────────────────

/** A file that is not a result this version can show; the message says which field and why. */
export class ResultFormatError extends LayerProbeError {
  override name = 'ResultFormatError';
}

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumberOrNull = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v));

/**
 * Parses result.json text (or an already-parsed value) into a ProbeResult, refusing other schema
 * versions and malformed content with a ResultFormatError naming `source` and the field.
 */
export function parseProbeResult(input: string | unknown, source = 'result'): ProbeResult {
  const fail = (what: string): never => {
    throw new ResultFormatError(`${source}: ${what}`);
  };
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      fail(`is not valid JSON (${(err as Error).message})`);
    }
  }
  if (!isObject(value)) return fail('is not a Layer Probe result (not a JSON object)');
  if (value.schemaVersion !== RESULT_SCHEMA_VERSION) {
    if (typeof value.schemaVersion !== 'number') return fail('is not a Layer Probe result (no schemaVersion)');
    return fail(
      `has result schema ${value.schemaVersion}; this version of Layer Probe reads schema ${RESULT_SCHEMA_VERSION}: probe the dataset again to get a current result`,
    );
  }
  const field = (obj: Fields, key: string, path: string): unknown => {
    if (!(key in obj)) fail(`${path}${key} is missing`);
    return obj[key];
  };
  const object = (obj: Fields, key: string, path = ''): Fields => {
    const v = field(obj, key, path);
    return isObject(v) ? v : fail(`${path}${key} must be an object`);
  };
  const string = (obj: Fields, key: string, path = ''): string => {
    const v = field(obj, key, path);
    return typeof v === 'string' ? v : fail(`${path}${key} must be a string`);
  };
  const count = (obj: Fields, key: string, path = ''): number => {
    const v = field(obj, key, path);
    return Number.isInteger(v) && (v as number) >= 0 ? (v as number) : fail(`${path}${key} must be a non-negative integer`);
  };
  const array = (obj: Fields, key: string, path = '', length?: number): unknown[] => {
    const v = field(obj, key, path);
    if (!Array.isArray(v)) return fail(`${path}${key} must be an array`);
    if (length !== undefined && v.length !== length) fail(`${path}${key} has ${v.length} entries, expected ${length}`);
    return v;
  };
  const grid = (rows: unknown, path: string, layers: number, tokens: number, cell: (v: unknown) => boolean, what: string): void => {
    if (!Array.isArray(rows) || rows.length !== layers) fail(`${path} must have one row per layer (${layers})`);
    (rows as unknown[]).forEach((row, l) => {
      if (!Array.isArray(row) || row.length !== tokens) fail(`${path}[${l}] must have one entry per token (${tokens})`);
      (row as unknown[]).forEach((v, t) => {
        if (!cell(v)) fail(`${path}[${l}][${t}] must be ${what}`);
      });
    });
  };

  string(value, 'createdAt');
  const dataset = object(value, 'dataset');
  string(dataset, 'file', 'dataset.');
  count(dataset, 'rowsRead', 'dataset.');
  const model = object(value, 'model');
  string(model, 'name', 'model.');
  const numLayers = count(model, 'numLayers', 'model.');
  if (!isProbeLocation(model.location)) fail('model.location must be a probe location');
  const settings = object(value, 'settings');
  object(settings, 'options', 'settings.');
  object(settings, 'probe', 'settings.');
  const layers = array(value, 'layers', '', numLayers);
  layers.forEach((l, i) => l === i || fail(`layers[${i}] must be ${i}`));
  const tokens = array(value, 'tokens');
  tokens.forEach((t, i) => (TOKEN_POSITIONS as readonly unknown[]).includes(t) || fail(`tokens[${i}] is not a token position`));
  const metrics = object(value, 'metrics');
  for (const name of METRIC_NAMES) grid(field(metrics, name, 'metrics.'), `metrics.${name}`, numLayers, tokens.length, isNumberOrNull, 'a number or null');
  const interval = (v: unknown): boolean => v === null || (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number'));
  grid(field(value, 'aucInterval', ''), 'aucInterval', numLayers, tokens.length, interval, 'null or [low, high]');
  grid(field(value, 'iterations', ''), 'iterations', numLayers, tokens.length, (v) => Number.isInteger(v), 'an integer');
  grid(field(value, 'converged', ''), 'converged', numLayers, tokens.length, (v) => typeof v === 'boolean', 'true or false');
  const nTest = count(value, 'nTest');
  count(value, 'nTrain');
  const test = object(value, 'test');
  array(test, 'rowIndex', 'test.', nTest);
  array(test, 'line', 'test.', nTest);
  array(test, 'label', 'test.', nTest).forEach((y, i) => y === 0 || y === 1 || fail(`test.label[${i}] must be 0 or 1`));
  array(test, 'pieces', 'test.', nTest);
  array(test, 'qLength', 'test.', nTest);
  array(test, 'positions', 'test.', nTest);
  for (const name of TEST_TEXT_FIELDS) {
    if (test[name] === undefined) continue;
    array(test, name, 'test.', nTest).forEach((v, i) => typeof v === 'string' || fail(`test.${name}[${i}] must be a string`));
  }
  const scores = array(test, 'scores', 'test.', numLayers);
  scores.forEach((row, l) => {
    if (!Array.isArray(row) || row.length !== tokens.length) fail(`test.scores[${l}] must have one entry per token`);
    (row as unknown[]).forEach((cell, t) => {
      // An undefined cell (one class on a side) has no scores.
      if (!Array.isArray(cell) || (cell.length !== nTest && cell.length !== 0)) fail(`test.scores[${l}][${t}] must hold one score per test row`);
    });
  });
  return value as unknown as ProbeResult;
}
