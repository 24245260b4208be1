// Greedy decoding of prompts with the model as exported, as the reference's `model.generate(do_sample=False)`.
//
// Two paths, chosen per graph (GreedyOptions.kvCache):
// - KV cache (cachedGreedy.ts), when the graph has cache inputs and outputs (optimum with-past and merged
//   decoders, onnxruntime-genai exports, fused GPT-2): one prefill per batch of equal-length prompts,
//   then one token per step, reading only the last position's logits.
// - No cache, for every other graph the probing side accepts: every step re-runs the whole right-padded
//   batch from the first token and reads the logits at each row's last real position. The cost grows with
//   the square of the sequence length, which is fine for short answers on small models.
// Rows that have stopped leave the batch, so a long answer does not make the short ones pay. Both paths
// also return, per generated token, its logit and its softmax probability and log-probability.

import type { InferenceSession, Tensor } from 'onnxruntime-node';

import { buildFeeds, type FeedSpec, feedSpecOf } from '../model/feeds';
import type { OriginalSession } from '../model/ortSession';
import { tensorToFloat32 } from '../model/tensorData';
import {
  type CachedGreedyModel,
  decodeEqualLengthBatch,
  isGreedySession,
  logitsNameOf,
  openCachedGreedyModel,
  releaseCachedGreedyModel,
} from './cachedGreedy';
import { type CacheGraphKind, cacheLayoutOf, isCacheLayout } from './decode/cacheLayout';
import { GenerationError } from './decode/errors';
import type { LastPositionMethod } from './decode/lastPositionLogits';
import { sampleChosenToken, type SamplingOptions, uniformsFor } from './decode/sampling';
import { type ChosenToken, greedyChooser, type TokenChooser } from './decode/scores';

export { type GreedySession, openGreedySession } from './cachedGreedy';
export { GenerationError } from './decode/errors';
export { REFERENCE_EXTRACTION_SAMPLING, rowSeed, type SamplingOptions } from './decode/sampling';
export { argmax, chooseToken, type ChosenToken } from './decode/scores';

export interface GreedyOptions {
  /** Generation stops after this many new tokens (the reference: 100, 200 for math). */
  maxNewTokens: number;
  /** A row stops when it produces one of these (kept in its output, as HF `generate` does). */
  stopIds: readonly number[];
  /** Rows per forward pass (default 16). Rows are grouped by prompt length to limit padding. */
  batchSize?: number;
  /** Called after each batch with the number of prompts finished so far. */
  onProgress?: (done: number, total: number) => void;
  /**
   * 'auto' (default): the KV-cache path when the graph has a usable cache, else the no-cache path (and
   * the no-cache path also when the cached one fails on the first batch: `decoding.note` says why).
   * 'on': the KV-cache path or a GenerationError saying why not. 'off': the no-cache path.
   */
  kvCache?: 'auto' | 'on' | 'off';
  /**
   * KV-cache path on a session from openOriginalSession: run an in-memory copy whose logits hold only the
   * last position. That copy is a second onnxruntime session (the weights are held twice while
   * generating), so 'auto' (default) opens it only when the largest prefill's full logits would take more
   * bytes than the weights; false reads the last position from the caller's session's full logits. A
   * session from openGreedySession is sliced already (one session) and ignores this.
   */
  sliceLogits?: boolean | 'auto';
  /**
   * Sample each token instead of taking the argmax (`generate(do_sample=True)`: temperature, top_k),
   * each prompt from its own seeded generator, so a row's tokens do not depend on batching.
   */
  sampling?: SamplingOptions;
}

/** How the prompts were decoded. */
export interface GreedyDecoding {
  path: 'kv-cache' | 'no-cache';
  /** KV-cache path: the graph kind. */
  cacheKind?: CacheGraphKind;
  /** KV-cache path: how the logits are cut to the last position ('none': read from all positions). */
  logitsSlice?: LastPositionMethod | 'none';
  /** Why the graph was decoded without a cache, or without slicing. */
  note?: string;
}

/** Per prompt (input order), per generated token: the id and its scores. */
export interface GreedyResult {
  ids: number[][];
  /** The chosen token's logit. */
  logits: number[][];
  /** Its log-probability under the softmax of the whole logit row (float64 log-sum-exp). */
  logprobs: number[][];
  /** exp(logprob). */
  probs: number[][];
  decoding: GreedyDecoding;
}

/** What a no-cache greedy step needs from a model session: how to feed it and which output holds the logits. */
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
 * change the answers on the toy-facts model, and that the KV-cache path gives the no-cache path's tokens.
 */
export async function generateGreedy(
  original: OriginalSession,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions,
): Promise<number[][]> {
  return (await decode(original, prompts, options, false)).ids;
}

/**
 * generateGreedy with, per generated token, its logit, log-probability and probability (the softmax over
 * the whole vocabulary, in JS: on small models it costs about as much as a decode step).
 */
export async function generateGreedyWithScores(
  original: OriginalSession,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions,
): Promise<GreedyResult> {
  return decode(original, prompts, options, true);
}

async function decode(
  original: OriginalSession,
  prompts: readonly (readonly number[])[],
  options: GreedyOptions,
  scores: boolean,
): Promise<GreedyResult> {
  const { maxNewTokens } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0) {
    throw new GenerationError(`maxNewTokens must be a non-negative integer, got ${maxNewTokens}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new GenerationError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const mode = options.kvCache ?? 'auto';
  if (mode !== 'auto' && mode !== 'on' && mode !== 'off') throw new GenerationError(`kvCache must be 'auto', 'on' or 'off', got '${String(mode)}'`);
  const chosen: ChosenToken[][] = prompts.map(() => []);
  const layout = cacheLayoutOf(original.graph);
  const fresh = (): TokenChooser => chooserOf(prompts.length, options.sampling, scores);
  const run = { prompts, options, batchSize, chosen, choose: fresh(), fresh };
  const sliced = isGreedySession(original) && original.logitsSlice !== 'none';
  let decoding: GreedyDecoding;
  if (mode === 'off') {
    if (sliced) {
      throw new GenerationError(
        `${original.folder.modelFile}: this session's logits hold the last position only (openGreedySession); ` +
          `the no-cache path needs every position (openOriginalSession)`,
      );
    }
    decoding = await noCachePath(original, run);
  } else if (!isCacheLayout(layout)) {
    if (mode === 'on') throw new GenerationError(`${original.folder.modelFile}: cannot decode with a KV cache: ${layout.reason}`);
    decoding = { ...(await noCachePath(original, run)), note: layout.reason };
  } else {
    decoding = await cachedPath(original, run, mode === 'auto' && !sliced);
  }
  return {
    ids: chosen.map((row) => row.map((c) => c.id)),
    logits: chosen.map((row) => row.map((c) => c.logit)),
    logprobs: chosen.map((row) => row.map((c) => c.logprob)),
    probs: chosen.map((row) => row.map((c) => c.prob)),
    decoding,
  };
}

interface Run {
  prompts: readonly (readonly number[])[];
  options: GreedyOptions;
  batchSize: number;
  /** Per prompt: the choices so far (written in place). */
  chosen: ChosenToken[][];
  /** Picks a token for a prompt (by its index in `prompts`). */
  choose: TokenChooser;
  /** A new chooser, its generators at their seeds (for a restart without the cache). */
  fresh: () => TokenChooser;
}

function chooserOf(count: number, sampling: SamplingOptions | undefined, scores: boolean): TokenChooser {
  if (!sampling) return greedyChooser(scores);
  if (sampling.seeds.length !== count) throw new GenerationError(`sampling needs one seed per prompt: ${sampling.seeds.length} seeds for ${count} prompts`);
  const uniforms = uniformsFor(sampling.seeds);
  return (prompt, values, offset, vocab, label) => sampleChosenToken(values, offset, vocab, sampling, uniforms[prompt], label, scores);
}

async function cachedPath(original: OriginalSession, run: Run, mayFallBack: boolean): Promise<GreedyDecoding> {
  const { prompts, options, batchSize, chosen } = run;
  // Equal lengths only (see cachedGreedy.ts), shortest first; within a length, file order.
  const byLength = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    const group = byLength.get(p.length);
    if (group) group.push(i);
    else byLength.set(p.length, [i]);
  });
  const batches: number[][] = [];
  for (const length of [...byLength.keys()].sort((a, b) => a - b)) {
    const group = byLength.get(length)!;
    for (let start = 0; start < group.length; start += batchSize) batches.push(group.slice(start, start + batchSize));
  }
  const logitsName = logitsNameOf(original);
  const vocab = original.graph.outputs.find((o) => o.name === logitsName)?.dims?.at(-1)?.value ?? original.folder.vocabSize ?? 0;
  const prefillLogitsBytes = Math.max(0, ...batches.map((b) => b.length * prompts[b[0]].length)) * vocab * 4;
  const model: CachedGreedyModel = await openCachedGreedyModel(original, { sliceLogits: options.sliceLogits, prefillLogitsBytes });
  const decoding: GreedyDecoding = { path: 'kv-cache', cacheKind: model.layout.kind, logitsSlice: model.logitsSlice, note: model.sliceNote };
  try {
    let done = 0;
    for (const [b, members] of batches.entries()) {
      let picks: ChosenToken[][];
      try {
        const choose: TokenChooser = (r, ...rest) => run.choose(members[r], ...rest);
        picks = await decodeEqualLengthBatch(model, members.map((i) => prompts[i]), options.maxNewTokens, options.stopIds, choose);
      } catch (err) {
        // A graph that looked cache-capable but fails when fed its own cache: in 'auto', decode everything
        // without the cache rather than not at all (only before any answer came from the cached path).
        if (!mayFallBack || b > 0) throw err;
        const note = `the KV-cache path failed on the first batch (${(err as Error).message}); decoded without the cache`;
        // Sampled rows start again from their seeds, as if the cached path had never run.
        return { ...(await noCachePath(original, { ...run, choose: run.fresh() })), note };
      }
      members.forEach((i, r) => (chosen[i] = picks[r]));
      done += members.length;
      options.onProgress?.(done, prompts.length);
    }
    return decoding;
  } finally {
    await releaseCachedGreedyModel(model);
  }
}

async function noCachePath(original: OriginalSession, run: Run): Promise<GreedyDecoding> {
  const { prompts, options, batchSize } = run;
  const model = greedyModelOf(original);
  // Stable sort by length: neighbours in a batch need little padding, and equal lengths keep file order.
  const order = prompts.map((_, i) => i).sort((a, b) => prompts[a].length - prompts[b].length);
  let done = 0;
  for (let start = 0; start < order.length; start += batchSize) {
    const members = order.slice(start, start + batchSize);
    await generateBatch(model, members, run);
    done += members.length;
    options.onProgress?.(done, prompts.length);
  }
  return { path: 'no-cache' };
}

function greedyModelOf(original: OriginalSession): GreedyModel {
  const { graph, folder, session } = original;
  const logitsName = logitsNameOf(original);
  const logitsDim = graph.outputs.find((o) => o.name === logitsName)?.dims?.at(-1)?.value;
  return { session, feedSpec: feedSpecOf(graph), logitsName, vocabSize: folder.vocabSize ?? logitsDim, label: folder.modelFile };
}

/** Decodes the prompts `members` (indices into `prompts`) together, writing into `run.chosen`. */
async function generateBatch(model: GreedyModel, members: readonly number[], run: Run): Promise<void> {
  const { prompts, chosen } = run;
  const { maxNewTokens, stopIds } = run.options;
  const sequences = new Map(members.map((i) => [i, [...prompts[i]]]));
  let active = maxNewTokens > 0 ? [...members] : [];
  while (active.length > 0) {
    const batch = active.map((i) => sequences.get(i) as number[]);
    const next = await nextTokens(model, batch, active, run.choose);
    active = active.filter((i, r) => {
      (sequences.get(i) as number[]).push(next[r].id);
      chosen[i].push(next[r]);
      return !stopIds.includes(next[r].id) && chosen[i].length < maxNewTokens;
    });
  }
}

/** One forward pass; each row's choice (`members`: the rows' prompt indices) from the logits at its last real position. */
async function nextTokens(model: GreedyModel, batch: number[][], members: readonly number[], choose: TokenChooser): Promise<ChosenToken[]> {
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
  return lengths.map((length, r) => choose(members[r], logits, (r * seqLen + length - 1) * vocab, vocab, model.label));
}
