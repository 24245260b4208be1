// A small hand-made ProbeResult (3 layers × the 15 tokens, 4 held-out examples) for the result,
// protocol and webview tests. Values are chosen so every ordering and mark can be checked by eye.
import { type ProbeResult, RESULT_SCHEMA_VERSION } from '../../../src/contract/result';
import { runOptions } from '../../../src/contract/runOptions';
import { METRIC_NAMES, type MetricMatrix, type MetricName, TOKEN_POSITIONS } from '../../../src/contract/types';

export const LAYERS = 3;
export const TOKENS = TOKEN_POSITIONS.length;

/** AUC of cell (layer, token) = 0.5 + layer/10 + token/100, except (1, 2) which is undefined. */
export function sampleAuc(layer: number, token: number): number | null {
  return layer === 1 && token === 2 ? null : 0.5 + layer / 10 + token / 100;
}

function matrix(cell: (layer: number, token: number) => number | null): MetricMatrix {
  return Array.from({ length: LAYERS }, (_, layer) => Array.from({ length: TOKENS }, (_, token) => cell(layer, token)));
}

/**
 * Example i has pieces ["<s>", "Q", "?", " A", "nswer", "</s>"] with qLength 3, except example 3
 * whose text holds a script-breaking string. Positions: last_q=2, first_answer=3, …, -1 = 5.
 */
export function sampleResult(overrides: { texts?: string[][] } = {}): ProbeResult {
  const pieces = overrides.texts ?? [
    ['<s>', 'Q1', '?', ' Paris', '.', '</s>'],
    ['<s>', 'Q2', '?', ' Rome', '.', '</s>'],
    ['<s>', 'Q3', '?', ' Oslo', '.', '</s>'],
    ['<s>', 'Q4', '?', ' </script><script>alert(1)</script>', '<!--', '</s>'],
  ];
  // last_q, first_answer, second_answer, before_first, first, last, after_last, -8…-1
  const positions = pieces.map(() => [2, 3, 4, 2, 3, 3, 4, -2, -1, 0, 1, 2, 3, 4, 5]);
  const metrics = Object.fromEntries(
    METRIC_NAMES.map((name) => [name, name === 'auc' ? matrix(sampleAuc) : matrix((l, t) => (l === 1 && t === 2 ? null : (l + t) / 100))]),
  ) as Record<MetricName, MetricMatrix>;
  // Scores: in every cell, example 0 (label 1) 0.9, example 1 (label 0) 0.2, example 2 (label 1)
  // 0.3 → misclassified, example 3 (label 0) 0.6 → misclassified; layer 2 is 0.05 higher on each.
  const scores = Array.from({ length: LAYERS }, (_, layer) =>
    Array.from({ length: TOKENS }, () => (layer === 2 ? [0.95, 0.25, 0.35, 0.65] : [0.9, 0.2, 0.3, 0.6])),
  );
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    createdAt: '2026-11-21T10:00:00.000Z',
    tool: { name: 'layer-probe', version: '0.1.0', onnxruntime: '1.30.0' },
    dataset: {
      file: '/data/answers.jsonl',
      format: 'jsonl',
      contentHash: 'abc123',
      columns: { prompt: 'question', answer: 'model_answer', correct: 'automatic_correctness' },
      rowsRead: 12,
      rowsUsed: 10,
      dropped: [{ reason: 'invalid exact answer', count: 2 }],
    },
    model: {
      dir: '/models/tiny',
      name: 'tiny-llama',
      numLayers: LAYERS,
      hiddenSize: 16,
      location: 'mlp_out',
      provider: 'cpu',
      providersTried: ['cuda', 'cpu'],
      blockKind: 'sequential',
      sequenceRule: 'chat template, no generation prompt',
    },
    settings: {
      options: runOptions({ modelFolder: '/models/tiny' }),
      sampleLimit: 1000,
      splitSource: 'seeded',
      probe: { solver: 'newton-gram', C: 1, tol: 1e-8, maxNewtonIterations: 100 },
    },
    layers: [0, 1, 2],
    tokens: [...TOKEN_POSITIONS],
    nTrain: 6,
    nTest: 4,
    metrics,
    aucInterval: metrics.auc.map((row) => row.map((v) => (v === null ? null : ([Math.max(0, v - 0.1), Math.min(1, v + 0.1)] as [number, number])))),
    iterations: matrix((l) => (l === 0 ? 100 : 12)) as number[][],
    converged: Array.from({ length: LAYERS }, (_, l) => Array.from({ length: TOKENS }, () => l !== 0)),
    test: {
      rowIndex: [7, 2, 5, 9],
      line: [8, 3, 6, 10],
      label: [1, 0, 1, 0],
      pieces,
      qLength: pieces.map(() => 3),
      positions,
      scores,
    },
  };
}

export const SAMPLE_CITIES = ['Paris', 'Rome', 'Oslo', 'Madrid', 'Berlin', 'Lisbon'] as const;

/**
 * The sample result with `n` held-out examples that carry question, gold, model and exact answers.
 * Example i: label 0 (a wrong answer) when i % 3 = 0, else 1; P(correct) (i + 0.5) / n in every cell
 * (so i ≥ n/2 are predicted correct); gold SAMPLE_CITIES[i % 6], the model answering the next city
 * when wrong, in "The answer is <city>." with the city as exact answer; rows 100 + i, lines 2 + i.
 */
export function sampleResultWithTexts(n: number): ProbeResult {
  const result = sampleResult();
  const ids = Array.from({ length: n }, (_, i) => i);
  const label = ids.map((i) => (i % 3 === 0 ? 0 : 1) as 0 | 1);
  const gold = ids.map((i) => SAMPLE_CITIES[i % 6]!);
  const answered = ids.map((i) => SAMPLE_CITIES[(i + (label[i] === 0 ? 1 : 0)) % 6]!);
  const pieces = ids.map((i) => ['<s>', `Q${i}`, '?', ` ${answered[i]}`, '.', '</s>']);
  const score = ids.map((i) => (i + 0.5) / n);
  result.nTest = n;
  result.test = {
    rowIndex: ids.map((i) => 100 + i),
    line: ids.map((i) => 2 + i),
    label,
    pieces,
    qLength: ids.map(() => 3),
    positions: ids.map(() => [2, 3, 4, 2, 3, 3, 4, -2, -1, 0, 1, 2, 3, 4, 5]),
    scores: Array.from({ length: LAYERS }, () => Array.from({ length: TOKENS }, () => [...score])),
    question: ids.map((i) => `Question ${i}: which city is the capital of land ${i}?`),
    goldAnswer: gold,
    modelAnswer: answered.map((city) => `The answer is ${city}.`),
    exactAnswer: answered.map((city) => city.toLowerCase()),
  };
  return result;
}
