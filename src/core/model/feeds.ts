// Input tensors for one forward pass of a decoder graph over a batch of token-id rows.
// Rows are right-padded to the longest one: with left padding, GroupQueryAttention graphs give wrong
// activations, while right padding is exact on the real positions (causal attention never looks right).

import { Tensor } from 'onnxruntime-node';

import { LayerProbeError } from '../../contract/errors';
import { ELEM_BOOL, ELEM_FLOAT, ELEM_FLOAT16, ELEM_INT32, ELEM_INT64, elemTypeName } from '../onnx/elemTypes';
import type { OnnxGraph, OnnxValueInfo } from '../onnx/graph';

export class ModelInputError extends LayerProbeError {
  override name = 'ModelInputError';
}

export interface BatchFeeds {
  feeds: Record<string, Tensor>;
  /** Padded length (longest row). */
  seqLen: number;
  /** Real length of each row. */
  lengths: number[];
}

/** What feeding a graph needs to know: its inputs (and how to name it in errors), not its weights. */
export interface FeedSpec {
  fileLabel: string;
  inputs: OnnxValueInfo[];
}

/** The graph's real inputs; old-IR files also list every weight as an input, with an initializer. */
export function feedSpecOf(graph: OnnxGraph): FeedSpec {
  return { fileLabel: graph.fileLabel, inputs: graph.inputs.filter((i) => !graph.initializers.has(i.name)) };
}

/** Token id written into padding: any valid id works, the attention mask hides it. */
const PAD_ID = 0;

/** optimum merged decoders' switch between their with-past and no-past branches. */
const CACHE_SWITCH = 'use_cache_branch';

/** Inputs that carry token ids; the rest are built from the rows' lengths. */
const FEEDABLE = ['input_ids', 'attention_mask', 'position_ids', CACHE_SWITCH];

/**
 * Refuses, before any session is created, a graph this tool cannot feed: one that takes embeddings
 * instead of token ids, or an input it does not know how to fill.
 */
export function checkFeedable(spec: FeedSpec): void {
  const label = spec.fileLabel;
  const names = spec.inputs.map((i) => i.name);
  if (!names.includes('input_ids')) {
    const embeds = names.find((n) => /embed/i.test(n));
    const listed = names.map((n) => `'${n}'`).join(', ') || 'none';
    throw new ModelInputError(
      embeds !== undefined
        ? `${label}: the graph takes '${embeds}' (embeddings) instead of 'input_ids': this tool feeds token ids; ` +
            `export the model with its embedding layer (the default of optimum and onnxruntime-genai)`
        : `${label}: the graph has no 'input_ids' input (inputs: ${listed})`,
    );
  }
  for (const input of spec.inputs) {
    if (!FEEDABLE.includes(input.name) && !input.name.startsWith('past')) {
      throw new ModelInputError(
        `${label}: graph input '${input.name}' is not one this tool can feed ` +
          `(expected input_ids, attention_mask, position_ids and past_* caches)`,
      );
    }
  }
}

/**
 * Builds every graph input: `input_ids`, `attention_mask` (1 on real tokens), `position_ids` when the
 * graph has it, empty caches for `past_*` inputs (no previous tokens), and `use_cache_branch` = false. Integer inputs use the
 * type the graph declares (int32 or int64). `vocabSize` bounds the ids (the embedding's row count).
 */
export function buildFeeds(spec: FeedSpec, batch: number[][], vocabSize: number | undefined): BatchFeeds {
  const label = spec.fileLabel;
  if (batch.length === 0) throw new ModelInputError(`${label}: empty batch (no token rows to run)`);
  batch.forEach((row, r) => {
    if (row.length === 0) throw new ModelInputError(`${label}: batch row ${r} has no tokens`);
    row.forEach((id, p) => {
      if (!Number.isInteger(id) || id < 0 || (vocabSize !== undefined && id >= vocabSize)) {
        const range = vocabSize === undefined ? 'a non-negative integer' : `in 0…${vocabSize - 1}`;
        throw new ModelInputError(
          `${label}: token id ${id} (batch row ${r}, position ${p}) is outside the model's vocabulary: ` +
            `ids must be ${range} (the tokenizer may be larger than the model's embedding)`,
        );
      }
    });
  });
  const lengths = batch.map((row) => row.length);
  const seqLen = Math.max(...lengths);
  const rows = batch.length;

  const feeds: Record<string, Tensor> = {};
  for (const input of spec.inputs) {
    const cell = (fill: (r: number, p: number) => number): Tensor => intMatrix(label, input, rows, seqLen, fill);
    switch (input.name) {
      case 'input_ids':
        feeds[input.name] = cell((r, p) => (p < lengths[r] ? batch[r][p] : PAD_ID));
        break;
      case 'attention_mask':
        feeds[input.name] = cell((r, p) => (p < lengths[r] ? 1 : 0));
        break;
      case 'position_ids':
        // Padding positions keep counting; they are masked out and never read.
        feeds[input.name] = cell((_r, p) => p);
        break;
      case CACHE_SWITCH:
        // false: the branch that runs without a cache (the past inputs get empty tensors anyway).
        feeds[input.name] = boolSwitch(label, input, false);
        break;
      default:
        if (!input.name.startsWith('past')) {
          throw new ModelInputError(
            `${label}: graph input '${input.name}' is not one this tool can feed ` +
              `(expected input_ids, attention_mask, position_ids and past_* caches)`,
          );
        }
        feeds[input.name] = emptyCache(label, input, rows);
    }
  }
  if (!feeds.input_ids) throw new ModelInputError(`${label}: the graph has no 'input_ids' input`);
  return { feeds, seqLen, lengths };
}

/**
 * A [rows, cols] int32 or int64 tensor, the type the graph declares for `input` (the prefill feeds here;
 * the one-token steps of cached decoding).
 */
export function intMatrix(label: string, input: OnnxValueInfo, rows: number, cols: number, value: (r: number, c: number) => number): Tensor {
  const dims = [rows, cols];
  if (input.elemType === ELEM_INT64) {
    const data = new BigInt64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = BigInt(value(r, c));
    return new Tensor('int64', data, dims);
  }
  if (input.elemType === ELEM_INT32) {
    const data = new Int32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = value(r, c);
    return new Tensor('int32', data, dims);
  }
  throw new ModelInputError(`${label}: graph input '${input.name}' has type ${elemTypeName(input.elemType)}, expected int32 or int64`);
}

/** The bool switch of a merged decoder (`use_cache_branch`), shaped as declared (usually [1]). */
export function boolSwitch(label: string, input: OnnxValueInfo, value: boolean): Tensor {
  if (input.elemType !== ELEM_BOOL) {
    throw new ModelInputError(`${label}: graph input '${input.name}' has type ${elemTypeName(input.elemType)}, expected bool`);
  }
  const dims = (input.dims ?? [{ value: 1 }]).map((d) => d.value ?? 1);
  return new Tensor('bool', new Uint8Array(dims.reduce((a, b) => a * b, 1)).fill(value ? 1 : 0), dims);
}

/** A cache with no past tokens: the first symbolic dim is the batch, other symbolic dims are 0. */
function emptyCache(label: string, input: OnnxValueInfo, rows: number): Tensor {
  if (!input.dims) throw new ModelInputError(`${label}: graph input '${input.name}' declares no shape`);
  let batchSeen = false;
  const dims = input.dims.map((d) => {
    if (d.value !== undefined) return d.value;
    if (!batchSeen) {
      batchSeen = true;
      return rows;
    }
    return 0;
  });
  const size = dims.reduce((a, b) => a * b, 1);
  // Zero-filled: empty for KV caches; the initial state for fixed-size caches (e.g. convolution state).
  if (input.elemType === ELEM_FLOAT) return new Tensor('float32', new Float32Array(size), dims);
  if (input.elemType === ELEM_FLOAT16) return new Tensor('float16', new Uint16Array(size), dims);
  throw new ModelInputError(
    `${label}: cache input '${input.name}' has type ${elemTypeName(input.elemType)}, expected float32 or float16`,
  );
}
