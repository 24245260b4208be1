// Greedy decoding with the graph's own KV cache: the prompt runs once (prefill), then one token per step,
// each step feeding the `present.*` outputs back as `past_key_values.*`, and only the last position's
// logits are read. Prompts are batched only with prompts of exactly the same token length: every row then
// ends at the last column, the attention mask is all ones, positions are the same for every row and the
// cache has no padding in it — which is exact on every graph kind (GroupQueryAttention included, where
// left padding is wrong and right padding would need per-row cache offsets). A row that produces a stop
// id (or reaches maxNewTokens) leaves the batch: its cache rows are dropped, the others are untouched.
//
// Cutting the logits to the last position before they leave onnxruntime (decode/lastPositionLogits.ts)
// spares copying B × T × vocab floats after each prefill and, where the lm_head is found, computing them.
// It needs a session on a rewritten copy of the graph. openGreedySession opens only that copy (for callers
// that only generate); beside a caller's plain session a second one would hold the weights twice, so
// sliceLogits 'auto' opens it only when the largest prefill's logits would take more memory than the
// weights, and otherwise reads the last position from the caller's session's full logits.

import * as path from 'node:path';

import type { InferenceSession, Tensor } from 'onnxruntime-node';

import { boolSwitch, buildFeeds, type FeedSpec, feedSpecOf, intMatrix } from '../model/feeds';
import { readModelGraph, resolveModelFolder } from '../model/modelFolder';
import { createOrtSession, type OriginalSession } from '../model/ortSession';
import { tensorToFloat32 } from '../model/tensorData';
import { checkExternalData } from '../onnx/externalData';
import { type OnnxGraph, parseModel } from '../onnx/graph';
import { type CacheLayout, cacheLayoutOf, isCacheLayout } from './decode/cacheLayout';
import { GenerationError } from './decode/errors';
import { keepBatchRows } from './decode/keepBatchRows';
import { type LastPositionMethod, sliceLogitsToLastPosition } from './decode/lastPositionLogits';
import { type ChosenToken, greedyChooser, type TokenChooser } from './decode/scores';

/** A session ready for cached decoding, and what was done to get it. */
export interface CachedGreedyModel {
  session: InferenceSession;
  /** True when `session` is this module's copy (released by releaseCachedGreedyModel). */
  ownsSession: boolean;
  layout: CacheLayout;
  feedSpec: FeedSpec;
  logitsName: string;
  vocabSize: number | undefined;
  label: string;
  /** How the logits are cut to the last position before leaving onnxruntime ('none': read from all). */
  logitsSlice: LastPositionMethod | 'none';
  /** Why `logitsSlice` is 'none'. */
  sliceNote?: string;
}

export interface CachedGreedyModelOptions {
  /**
   * Run a rewritten copy whose logits hold only the last position: true, false, or 'auto' (default): only
   * when `prefillLogitsBytes` (what the largest prefill's full logits take) exceeds the weights' bytes.
   * Ignored for a GreedySession, which is sliced already where it can be.
   */
  sliceLogits?: boolean | 'auto';
  prefillLogitsBytes?: number;
}

/**
 * A session for greedy decoding only (openGreedySession): `graph` is the model as exported (for feeds and
 * the cache layout), but `session` runs the copy whose logits are cut to the last position when
 * `logitsSlice` is not 'none'; such a session cannot serve the no-cache path, nor anything that reads
 * the logits of every position.
 */
export interface GreedySession extends OriginalSession {
  logitsSlice: LastPositionMethod | 'none';
  /** Why `logitsSlice` is 'none' for a graph with a KV cache. */
  sliceNote?: string;
}

export function isGreedySession(session: OriginalSession): session is GreedySession {
  return 'logitsSlice' in session;
}

const NOT_SLICEABLE = 'the logits are not computed by a node of the main graph that nothing else reads, or the opset is below 11';

/**
 * Opens a model folder for generation: a graph with a KV cache runs from the in-memory copy whose logits
 * hold only the last position (one session: the weights are loaded once); other graphs as exported.
 */
export async function openGreedySession(dir: string, executionProviders?: string[]): Promise<GreedySession> {
  const folder = resolveModelFolder(dir);
  const bytes = readModelGraph(folder.modelFile);
  const graph = parseModel(bytes, folder.modelFile);
  const modelDir = path.dirname(folder.modelFile);
  checkExternalData(graph, modelDir);
  let sliceNote: string | undefined;
  if (isCacheLayout(cacheLayoutOf(graph))) {
    const rewrite = sliceLogitsToLastPosition(graph, logitsNameOfGraph(graph, folder.modelFile));
    if (rewrite) {
      try {
        const handle = await createOrtSession(rewrite.bytes, modelDir, folder.modelFile, executionProviders, graph);
        return { ...handle, folder, graph, logitsSlice: rewrite.method };
      } catch (err) {
        sliceNote = `the sliced copy did not load (${(err as Error).message})`;
      }
    } else sliceNote = NOT_SLICEABLE;
  }
  const handle = await createOrtSession(bytes, modelDir, folder.modelFile, executionProviders, graph);
  return { ...handle, folder, graph, logitsSlice: 'none', sliceNote };
}

export function logitsNameOf(original: OriginalSession): string {
  return logitsNameOfGraph(original.graph, original.folder.modelFile);
}

function logitsNameOfGraph(graph: OnnxGraph, label: string): string {
  const name = graph.outputs.find((o) => o.name === 'logits')?.name ?? graph.outputs[0]?.name;
  if (name === undefined) throw new GenerationError(`${label}: the graph has no outputs`);
  return name;
}

const ELEMENT_BYTES: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

/** Bytes of the graph's initializers (embedded or external): what a second session loads again. */
export function weightBytes(graph: OnnxGraph): number {
  let total = 0;
  for (const t of graph.initializers.values()) total += t.dims.reduce((a, b) => a * b, 1) * (ELEMENT_BYTES[t.dataType] ?? 1);
  return total;
}

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * Prepares cached decoding on `original`'s graph; throws GenerationError when the graph has no usable
 * KV cache. A sliced copy is loaded on the same execution provider when options.sliceLogits says so; if
 * it cannot be made, the caller's session is used and `sliceNote` says why.
 */
export async function openCachedGreedyModel(original: OriginalSession, options: CachedGreedyModelOptions = {}): Promise<CachedGreedyModel> {
  const { graph, folder } = original;
  const label = folder.modelFile;
  const layout = cacheLayoutOf(graph);
  if (!isCacheLayout(layout)) throw new GenerationError(`${label}: cannot decode with a KV cache: ${layout.reason}`);
  const logitsName = logitsNameOf(original);
  const logitsDim = graph.outputs.find((o) => o.name === logitsName)?.dims?.at(-1)?.value;
  const base = { layout, feedSpec: feedSpecOf(graph), logitsName, vocabSize: folder.vocabSize ?? logitsDim, label };
  const unsliced = (sliceNote?: string): CachedGreedyModel => ({ ...base, session: original.session, ownsSession: false, logitsSlice: 'none', sliceNote });
  if (isGreedySession(original)) return { ...unsliced(original.sliceNote), logitsSlice: original.logitsSlice };
  const slice = options.sliceLogits ?? 'auto';
  if (slice === false) return unsliced('not sliced (sliceLogits: false)');
  if (slice === 'auto') {
    const weights = weightBytes(graph);
    const logits = options.prefillLogitsBytes ?? 0;
    if (logits <= weights) {
      return unsliced(`not sliced: a sliced copy would load the weights (${mib(weights)}) a second time to spare the largest prefill's logits (${mib(logits)}); openGreedySession slices without a second session`);
    }
  }
  const rewrite = sliceLogitsToLastPosition(graph, logitsName);
  if (!rewrite) return unsliced(NOT_SLICEABLE);
  try {
    const handle = await createOrtSession(rewrite.bytes, path.dirname(folder.modelFile), label, [original.provider]);
    return { ...base, session: handle.session, ownsSession: true, logitsSlice: rewrite.method };
  } catch (err) {
    return unsliced(`the sliced copy did not load (${(err as Error).message})`);
  }
}

export async function releaseCachedGreedyModel(model: CachedGreedyModel): Promise<void> {
  if (model.ownsSession) await model.session.release();
}

/**
 * Greedy continuation of `rows` (token ids, all of the same length) in one batch: per row, the chosen
 * tokens in order, ending with the stop token when one was produced. `choose` picks each token (its
 * `prompt` argument is the row's index in `rows`); `true`/`false` are the greedy choice with or without
 * the scores (the softmax over the vocabulary costs about as much as a small model's decode step).
 */
export async function decodeEqualLengthBatch(
  model: CachedGreedyModel,
  rows: readonly (readonly number[])[],
  maxNewTokens: number,
  stopIds: readonly number[],
  choose: boolean | TokenChooser = true,
): Promise<ChosenToken[][]> {
  const chooser = typeof choose === 'function' ? choose : greedyChooser(choose);
  const chosen: ChosenToken[][] = rows.map(() => []);
  if (rows.length === 0 || maxNewTokens === 0) return chosen;
  const promptLength = rows[0].length;
  if (rows.some((r) => r.length !== promptLength)) {
    throw new GenerationError(`${model.label}: the cached path batches prompts of one length only`);
  }
  const { layout, label, logitsName } = model;
  const fetches = [logitsName, ...layout.entries.map((e) => e.output)];
  const switchInput = layout.cacheSwitch === undefined ? undefined : model.feedSpec.inputs.find((i) => i.name === layout.cacheSwitch);

  // Prefill: buildFeeds checks the ids and gives empty caches (and use_cache_branch = false); with rows of
  // equal length its attention mask is all ones and its positions are 0 … T−1 for every row.
  let outputs = await model.session.run(buildFeeds(model.feedSpec, rows.map((r) => [...r]), model.vocabSize).feeds, fetches);
  let active = rows.map((_, i) => i);
  let seqLen = promptLength;
  let past = 0;
  while (true) {
    const picks = lastPositionChoices(model, outputs[logitsName], active, seqLen, chooser);
    past += seqLen;
    const keep: number[] = [];
    picks.forEach((pick, r) => {
      const row = active[r];
      chosen[row].push(pick);
      if (!stopIds.includes(pick.id) && chosen[row].length < maxNewTokens) keep.push(r);
    });
    if (keep.length === 0) break;

    const feeds: Record<string, Tensor> = {};
    for (const entry of layout.entries) {
      const present = outputs[entry.output];
      if (present.dims[entry.seqAxis] !== past || present.dims[entry.batchAxis] !== active.length) {
        throw new GenerationError(
          `${label}: cache output '${entry.output}' has shape [${present.dims.join(', ')}], expected ${active.length} rows ` +
            `on axis ${entry.batchAxis} and ${past} positions on axis ${entry.seqAxis}`,
        );
      }
      // Rows that stopped leave the batch: the others' cache rows are copied as they are.
      feeds[entry.input] = keep.length === active.length ? present : keepBatchRows(present, entry.batchAxis, keep);
    }
    active = keep.map((r) => active[r]);
    const next = active.map((row) => chosen[row].at(-1)!.id);
    feeds[layout.idsInput.name] = intMatrix(label, layout.idsInput, active.length, 1, (r) => next[r]);
    if (layout.attentionMask) feeds[layout.attentionMask.name] = intMatrix(label, layout.attentionMask, active.length, past + 1, () => 1);
    if (layout.positionIds) feeds[layout.positionIds.name] = intMatrix(label, layout.positionIds, active.length, 1, () => past);
    if (switchInput) feeds[switchInput.name] = boolSwitch(label, switchInput, true);
    seqLen = 1;
    outputs = await model.session.run(feeds, fetches);
  }
  return chosen;
}

/** The choice at the last position of each active row (`active`: their indices in the batch), from logits [rows, 1 or seqLen, vocab]. */
function lastPositionChoices(model: CachedGreedyModel, tensor: Tensor, active: readonly number[], seqLen: number, choose: TokenChooser): ChosenToken[] {
  const rows = active.length;
  const dims = tensor.dims;
  if (dims.length !== 3 || dims[0] !== rows || (dims[1] !== 1 && dims[1] !== seqLen)) {
    throw new GenerationError(
      `${model.label}: output '${model.logitsName}' has shape [${dims.join(', ')}], expected [${rows}, ${seqLen} or 1, vocab]`,
    );
  }
  const [, positions, vocab] = dims;
  const what = `${model.label}: ${model.logitsName}`;
  const logits = tensorToFloat32(tensor, what);
  return active.map((row, r) => choose(row, logits, (r * positions + positions - 1) * vocab, vocab, what));
}
