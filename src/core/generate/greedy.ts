// Greedy decoding with the model exactly as exported (no rewrite), as the reference's
// `model.generate(do_sample=False)`.
//
// There is no KV cache: every step re-runs the whole right-padded batch from the first token and reads
// the logits at each row's last real position. The cost grows with the square of the sequence length,
// which is fine for short answers (a few to a few dozen tokens) on small models, and it works for every
// graph the probing side accepts, including those with no cache inputs or outputs. Rows that have
// stopped leave the batch, so a long answer does not make the short ones pay.

import type { InferenceSession, Tensor } from 'onnxruntime-node';

import { LayerProbeError } from '../../contract/errors';
import { buildFeeds, type FeedSpec, feedSpecOf } from '../model/feeds';
import type { OriginalSession } from '../model/ortSession';
import { tensorToFloat32 } from '../model/tensorData';

export class GenerationError extends LayerProbeError {
  override name = 'GenerationError';
}

export interface GreedyOptions {
  /** Generation stops after this many new tokens (the reference: 100, 200 for math). */
  maxNewTokens: number;
  /** A row stops when it produces one of these (kept in its output, as HF `generate` does). */
  stopIds: readonly number[];
  /** Rows per forward pass (default 16). Rows are grouped by prompt length to limit padding. */
  batchSize?: number;
  /** Called after each batch with the number of prompts finished so far. */
  onProgress?: (done: number, total: number) => void;
}

/** What a greedy step needs from a model session: how to feed it and which output holds the logits. */
interface GreedyModel {
  session: InferenceSession;
  feedSpec: FeedSpec;
  logitsName: string;
  vocabSize: number | undefined;
  label: string;
}

const DEFAULT_BATCH_SIZE = 16;

/**
 * Greedy continuation of each prompt (token ids, BOS included): the generated ids per prompt, in input
 * order, ending with the stop token when one was produced. Ties in the argmax go to the lowest id, as
 * `torch.argmax`. Deterministic for a given batch size; the tests check that the batch size does not
 * change the answers on the toy-facts model.
 */
export async function generateGreedy(
  original: OriginalSession,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions,
): Promise<number[][]> {
  const { maxNewTokens, stopIds } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new GenerationError(`maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new GenerationError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const model = greedyModelOf(original);
  const generated: number[][] = prompts.map(() => []);
  // Stable sort by length: neighbours in a batch need little padding, and equal lengths keep file order.
  const order = prompts.map((_, i) => i).sort((a, b) => prompts[a].length - prompts[b].length);
  let done = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const members = order.slice(start, start + batchSize);
    await generateBatch(model, members, prompts, generated, maxNewTokens, stopIds);
    done += members.length;
    options.onProgress?.(done, prompts.length);
  }
  return generated;
}

function greedyModelOf(original: OriginalSession): GreedyModel {
  const { graph, folder, session } = original;
  const label = folder.modelFile;
  const logitsName = graph.outputs.find((o) => o.name === 'logits')?.name ?? graph.outputs[0]?.name;
  if (logitsName === undefined) throw new GenerationError(`${label}: the graph has no outputs`);
  const logitsDim = graph.outputs.find((o) => o.name === logitsName)?.dims?.at(-1)?.value;
  return { session, feedSpec: feedSpecOf(graph), logitsName, vocabSize: folder.vocabSize ?? logitsDim, label };
}

/** Decodes the prompts `members` (indices into `prompts`) together, writing into `generated`. */
async function generateBatch(
  model: GreedyModel,
  members: readonly number[],
  prompts: readonly (readonly number[])[],
  generated: number[][],
  maxNewTokens: number,
  stopIds: readonly number[],
): Promise<void> {
  const sequences = new Map(members.map((i) => [i, [...prompts[i]]]));
  let active = maxNewTokens > 0 ? [...members] : [];
  while (active.length > 0) {
    const batch = active.map((i) => sequences.get(i) as number[]);
    const next = await nextTokens(model, batch);
    active = active.filter((i, r) => {
      (sequences.get(i) as number[]).push(next[r]);
      generated[i].push(next[r]);
      return !stopIds.includes(next[r]) && generated[i].length < maxNewTokens;
    });
  }
}

/** One forward pass; the argmax of the logits at each row's last real position. */
async function nextTokens(model: GreedyModel, batch: number[][]): Promise<number[]> {
  const { feeds, seqLen, lengths } = buildFeeds(model.feedSpec, batch, model.vocabSize);
  // Fetching only the logits spares copying any cache outputs the graph also has.
  const outputs = await model.session.run(feeds, [model.logitsName]);
  const logitsTensor: Tensor = outputs[model.logitsName];
  const dims = logitsTensor.dims;
  if (dims.length !== 3 || dims[0] !== batch.length || dims[1] !== seqLen) {
    throw new GenerationError(
      `${model.label}: output '${model.logitsName}' has shape [${dims.join(', ')}], ` +
        `expected [${batch.length}, ${seqLen}, vocab] (logits for every position)`,
    );
  }
  const vocab = dims[2];
  const logits = tensorToFloat32(logitsTensor, `${model.label}: ${model.logitsName}`);
  return lengths.map((length, r) => argmax(logits, (r * seqLen + length - 1) * vocab, vocab, model.label));
}

/** Index of the largest of `count` values from `offset`; the first one wins a tie (as torch.argmax). */
export function argmax(values: Float32Array, offset: number, count: number, label = 'logits'): number {
  let best = 0;
  let bestValue = values[offset];
  for (let v = 0; v < count; v++) {
    const value = values[offset + v];
    // NaN would never win a comparison and silently yield some id; torch would pick the NaN.
    if (value !== value) throw new GenerationError(`${label}: the model produced NaN logits`);
    if (value > bestValue) {
      bestValue = value;
      best = v;
    }
  }
  return best;
}
