// Checks the demo's premise independently of the pipeline: run the demo model on the demo dataset with
// its block tensors exposed as outputs, take the 15 reference positions per row (computed here from the
// known answer layout), fit one logistic probe per (location, layer, position) on an 80/20 split and
// report held-out AUC. Used by the premise test; also handy as a tuning script.

import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';

import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { OnnxDataType, OnnxModelBuilder } from '../../../src/core/onnx/writer';
import { type DemoAssetsOptions, demoModelConfig } from '../../../src/demo/createDemoAssets';
import { buildDemoDataset, type DemoDatasetOptions } from '../../../src/demo/demoDataset';
import { buildDemoModel, type DemoLayerTensors } from '../../../src/demo/demoModel';
import { buildDemoTokenizer } from '../../../src/demo/demoTokenizer';
import { Rng } from '../../../src/demo/prng';

export type CheckLocation = keyof DemoLayerTensors;

export interface PremiseRow {
  ids: number[];
  label: 0 | 1;
  /** One absolute index per TOKEN_POSITIONS entry. */
  positions: number[];
}

/** Tokenizes the demo dataset and places the 15 positions, following the reference arithmetic. */
export function preparePremiseRows(dataset: DemoDatasetOptions = {}): PremiseRow[] {
  const files = buildDemoTokenizer();
  const tokenizer = new Tokenizer(files.tokenizer, files.tokenizerConfig);
  return buildDemoDataset(dataset).map((row) => {
    const prompt = tokenizer.encode(row.question).ids;
    const answer = tokenizer.encode(row.model_answer, { add_special_tokens: false }).ids;
    const ids = [...prompt, ...answer];
    const q = prompt.length;
    const wordTokens = tokenizer.encode(' ' + row.exact_answer, { add_special_tokens: false }).ids.length;
    // Answer layout: " The", " answer", " is", word tokens…, ".", "\n".
    const first = q + 3;
    const last = first + wordTokens - 1;
    const n = ids.length;
    const positions = [q - 1, q, q + 1, first - 1, first, Math.min(n - 1, last), Math.min(n - 1, last + 1)];
    for (let k = 8; k >= 1; k--) positions.push(n - k);
    return { ids, label: row.correct, positions };
  });
}

/** features[location][layer][position] = row-major N × hidden. */
export type PremiseFeatures = Record<string, Float32Array[][]>;

export async function extractPremiseFeatures(
  rows: readonly PremiseRow[],
  assets: DemoAssetsOptions,
  locations: readonly CheckLocation[],
  batchSize = 200,
): Promise<{ features: PremiseFeatures; hidden: number; layers: number }> {
  const config = demoModelConfig(assets);
  const built = buildDemoModel(config, { exposeActivations: true });
  const session = await ort.InferenceSession.create(built.bytes);
  const h = config.hiddenSize;
  const P = TOKEN_POSITIONS.length;
  const features: PremiseFeatures = {};
  for (const loc of locations) {
    features[loc] = built.layers.map(() => Array.from({ length: P }, () => new Float32Array(rows.length * h)));
  }
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const S = Math.max(...batch.map((r) => r.ids.length));
    const ids = new BigInt64Array(batch.length * S);
    const mask = new BigInt64Array(batch.length * S);
    const pos = new BigInt64Array(batch.length * S);
    batch.forEach((r, b) => {
      for (let t = 0; t < S; t++) {
        ids[b * S + t] = BigInt(t < r.ids.length ? r.ids[t] : config.eosTokenId); // right padding
        mask[b * S + t] = t < r.ids.length ? 1n : 0n;
        pos[b * S + t] = BigInt(t);
      }
    });
    const dims = [batch.length, S];
    const fetches = locations.flatMap((loc) => built.layers.map((l) => l[loc]));
    const out = await session.run(
      {
        input_ids: new ort.Tensor('int64', ids, dims),
        attention_mask: new ort.Tensor('int64', mask, dims),
        position_ids: new ort.Tensor('int64', pos, dims),
      },
      fetches,
    );
    for (const loc of locations) {
      built.layers.forEach((l, layer) => {
        const data = out[l[loc]].data as Float32Array;
        batch.forEach((r, b) => {
          r.positions.forEach((t, p) => {
            features[loc][layer][p].set(data.subarray((b * S + t) * h, (b * S + t + 1) * h), (start + b) * h);
          });
        });
      });
    }
  }
  await session.release();
  return { features, hidden: h, layers: built.layers.length };
}

/**
 * L2-regularised logistic regression with an unpenalised intercept, sklearn's objective
 * C·Σ logloss + ½‖w‖² (C = 1), solved by Newton's method to convergence. The Hessian Xᵀ·diag(s)·X, the
 * only costly step, runs as an onnxruntime MatMul (a graph from our own writer): plain JS loops take
 * ~50 ms per Hessian at 2400 × 97 on these machines, MLAS under 1 ms.
 */
export class LogisticProbeFitter {
  private constructor(private readonly gram: ort.InferenceSession) {}

  static async create(): Promise<LogisticProbeFitter> {
    const b = new OnnxModelBuilder();
    b.addInput('a', OnnxDataType.DOUBLE, ['d', 'n']).addInput('b', OnnxDataType.DOUBLE, ['n', 'd']);
    b.addOutput('c', OnnxDataType.DOUBLE, ['d', 'd']);
    b.addNode({ opType: 'MatMul', inputs: ['a', 'b'], outputs: ['c'], name: 'gram' });
    return new LogisticProbeFitter(await ort.InferenceSession.create(b.toBytes()));
  }

  /** Returns [w…, intercept] for the rows `idx` of the row-major N × d matrix X. */
  async fit(X: Float32Array, y: readonly number[], idx: readonly number[], d: number, C = 1): Promise<Float64Array> {
    const n = idx.length;
    const D = d + 1; // last column = 1, for the intercept
    const rowsT = new Float64Array(D * n); // [D, n]
    idx.forEach((i, r) => {
      for (let j = 0; j < d; j++) rowsT[j * n + r] = X[i * d + j];
      rowsT[d * n + r] = 1;
    });
    const w = new Float64Array(D);
    const weightedRows = new Float64Array(n * D); // [n, D], row r scaled by s_r
    for (let iter = 0; iter < 100; iter++) {
      const grad = new Float64Array(D);
      for (let j = 0; j < d; j++) grad[j] = w[j];
      for (let r = 0; r < n; r++) {
        let z = 0;
        for (let j = 0; j < D; j++) z += w[j] * rowsT[j * n + r];
        const p = 1 / (1 + Math.exp(-z));
        const residual = C * (p - y[idx[r]]);
        const s = C * p * (1 - p);
        for (let j = 0; j < D; j++) {
          const x = rowsT[j * n + r];
          grad[j] += residual * x;
          weightedRows[r * D + j] = s * x;
        }
      }
      const out = await this.gram.run({
        a: new ort.Tensor('float64', rowsT, [D, n]),
        b: new ort.Tensor('float64', weightedRows, [n, D]),
      });
      const hess = Float64Array.from(out.c.data as Float64Array);
      for (let j = 0; j < d; j++) hess[j * D + j] += 1;
      const step = solveSpd(hess, grad, D);
      let maxStep = 0;
      for (let j = 0; j < D; j++) {
        w[j] -= step[j];
        maxStep = Math.max(maxStep, Math.abs(step[j]));
      }
      if (maxStep < 1e-7) break;
    }
    return w;
  }

  async release(): Promise<void> {
    await this.gram.release();
  }
}

/** Solves A x = b for symmetric positive definite A (Cholesky). */
function solveSpd(A: Float64Array, b: Float64Array, n: number): Float64Array {
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = A[i * n + j];
      for (let k = 0; k < j; k++) sum -= L[i * n + k] * L[j * n + k];
      L[i * n + j] = i === j ? Math.sqrt(Math.max(sum, 1e-300)) : sum / L[j * n + j];
    }
  }
  const z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= L[i * n + k] * z[k];
    z[i] = sum / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = z[i];
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i] * x[k];
    x[i] = sum / L[i * n + i];
  }
  return x;
}

/** Exact ROC AUC with ties counted as half (as sklearn's roc_auc_score). */
export function rocAuc(scores: readonly number[], labels: readonly number[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]] === scores[order[i]]) j++;
    const midRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) {
      if (labels[order[k]] === 1) {
        rankSumPos += midRank;
        nPos++;
      }
    }
    i = j;
  }
  const nNeg = labels.length - nPos;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export interface PremiseResult {
  /** auc[location][layer][position index in TOKEN_POSITIONS]; NaN where the position was not probed. */
  auc: Record<string, number[][]>;
}

export interface PremiseCheckOptions {
  locations?: readonly CheckLocation[];
  /** Indices into TOKEN_POSITIONS to probe (all 15 unless told). */
  positions?: readonly number[];
  splitSeed?: number;
}

/** Probes every (location, layer, position) on a seeded 80/20 split and returns held-out AUCs. */
export async function runPremiseCheck(assets: DemoAssetsOptions, options: PremiseCheckOptions = {}): Promise<PremiseResult> {
  const locations = options.locations ?? ['mlpOut', 'residPost'];
  const probed = new Set(options.positions ?? TOKEN_POSITIONS.map((_, p) => p));
  const rows = preparePremiseRows(assets.dataset);
  const { features, hidden, layers } = await extractPremiseFeatures(rows, assets, locations);
  const order = new Rng(options.splitSeed ?? 0).shuffle(rows.map((_, i) => i));
  const nTest = Math.ceil(rows.length * 0.2);
  const test = order.slice(0, nTest);
  const train = order.slice(nTest);
  const y = rows.map((r) => r.label);
  const testLabels = test.map((i) => y[i]);
  const auc: Record<string, number[][]> = {};
  const fitter = await LogisticProbeFitter.create();
  for (const loc of locations) {
    auc[loc] = [];
    for (let layer = 0; layer < layers; layer++) {
      auc[loc].push(
        await mapAsync(TOKEN_POSITIONS, async (_, p) => {
          if (!probed.has(p)) return NaN;
          const X = features[loc][layer][p];
          const w = await fitter.fit(X, y, train, hidden);
          const scores = test.map((i) => {
            let z = w[hidden];
            for (let j = 0; j < hidden; j++) z += w[j] * X[i * hidden + j];
            return z;
          });
          return rocAuc(scores, testLabels);
        }),
      );
    }
  }
  await fitter.release();
  return { auc };
}

async function mapAsync<T, R>(items: readonly T[], fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) out.push(await fn(items[i], i));
  return out;
}

export function formatAucTable(auc: number[][]): string {
  const head = ['layer', ...TOKEN_POSITIONS.map((p) => p.replace('exact_answer', 'ea'))];
  const lines = [head.join('\t'), ...auc.map((row, l) => [String(l), ...row.map((v) => (Number.isNaN(v) ? '–' : v.toFixed(2)))].join('\t'))];
  return lines.join('\n');
}
