// Does a decoder graph carry a KV cache that greedy decoding can feed back, and how is it laid out?
// Recognised: optimum `with-past` decoders (past_key_values.N.key/value → present.N.key/value),
// optimum merged decoders (the same, inside an If on `use_cache_branch`), onnxruntime-genai exports
// (GroupQueryAttention or MultiHeadAttention, same names), and onnxruntime.transformers' fused GPT-2
// (`past_N` [2, batch, heads, past, head_dim] → `present_N`). Every cache input needs its present output,
// a batch axis and a sequence axis: fixed-size recurrent states (e.g. a convolution state) are not KV
// caches, and such graphs are decoded without a cache.

import { ELEM_FLOAT, ELEM_FLOAT16, elemTypeName } from '../../onnx/elemTypes';
import type { OnnxGraph, OnnxValueInfo } from '../../onnx/graph';
import { cacheSwitches } from '../../onnx/mergedDecoder';

/** One cache tensor: fed as `input`, read back from `output` at the next step. */
export interface CacheEntry {
  input: string;
  output: string;
  /** Axis of the batch (the first symbolic dimension, as buildFeeds assumes for empty caches). */
  batchAxis: number;
  /** Axis that grows by one per token (the second symbolic dimension). */
  seqAxis: number;
  /** ELEM_FLOAT or ELEM_FLOAT16. */
  elemType: number;
}

/** What kind of graph the cached path runs (for reports and tests; the decoding is the same). */
export type CacheGraphKind = 'with-past' | 'merged' | 'group-query-attention' | 'fused-gpt2';

export interface CacheLayout {
  kind: CacheGraphKind;
  entries: CacheEntry[];
  /** optimum merged decoders: the bool input that picks the with-past branch (false at prefill). */
  cacheSwitch?: string;
  idsInput: OnnxValueInfo;
  attentionMask?: OnnxValueInfo;
  positionIds?: OnnxValueInfo;
}

const TOKEN_INPUTS = new Set(['input_ids', 'attention_mask', 'position_ids']);

/** The present output a cache input is read back from, by the exporters' naming conventions. */
export function presentNameOf(pastName: string): string | undefined {
  if (pastName.startsWith('past_key_values')) return `present${pastName.slice('past_key_values'.length)}`;
  if (pastName.startsWith('past')) return `present${pastName.slice('past'.length)}`;
  return undefined;
}

/** The graph's cache layout, or why it has none usable (a clause without the file, for messages). */
export function cacheLayoutOf(graph: OnnxGraph): CacheLayout | { reason: string } {
  const inputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  const outputs = new Map(graph.outputs.map((o) => [o.name, o]));
  const idsInput = inputs.find((i) => i.name === 'input_ids');
  if (!idsInput) return { reason: `the graph has no 'input_ids' input` };
  const switches = cacheSwitches(graph);
  const switchInputs = new Set(switches.map((n) => n.inputs[0]));
  const entries: CacheEntry[] = [];
  for (const input of inputs) {
    if (TOKEN_INPUTS.has(input.name) || switchInputs.has(input.name)) continue;
    const output = presentNameOf(input.name);
    if (output === undefined) return { reason: `input '${input.name}' is neither a token input nor a cache` };
    if (!outputs.has(output)) return { reason: `cache input '${input.name}' has no '${output}' output to feed back` };
    if (input.elemType !== ELEM_FLOAT && input.elemType !== ELEM_FLOAT16) {
      return { reason: `cache input '${input.name}' has type ${elemTypeName(input.elemType)}, expected float32 or float16` };
    }
    const symbolic = (input.dims ?? []).flatMap((d, axis) => (d.value === undefined ? [axis] : []));
    if (symbolic.length < 2) {
      return {
        reason: `cache input '${input.name}' has no batch and sequence axes ` +
          `(shape [${(input.dims ?? []).map((d) => d.value ?? d.param ?? '?').join(', ')}]): not a key/value cache`,
      };
    }
    const rank = input.dims?.length;
    const outDims = outputs.get(output)?.dims;
    if (outDims !== undefined && outDims.length !== rank) {
      return { reason: `'${output}' has rank ${outDims.length} but '${input.name}' has rank ${rank}` };
    }
    entries.push({ input: input.name, output, batchAxis: symbolic[0], seqAxis: symbolic[1], elemType: input.elemType });
  }
  if (entries.length === 0) return { reason: `the graph has no KV-cache inputs (past_key_values.*)` };
  const kind: CacheGraphKind =
    switches.length > 0
      ? 'merged'
      : graph.nodes.some((n) => n.opType === 'GroupQueryAttention')
        ? 'group-query-attention'
        : graph.nodes.some((n) => n.opType === 'Attention' && n.domain === 'com.microsoft')
          ? 'fused-gpt2'
          : 'with-past';
  return {
    kind,
    entries,
    cacheSwitch: switches[0]?.inputs[0],
    idsInput,
    attentionMask: inputs.find((i) => i.name === 'attention_mask'),
    positionIds: inputs.find((i) => i.name === 'position_ids'),
  };
}

export function isCacheLayout(layout: CacheLayout | { reason: string }): layout is CacheLayout {
  return 'entries' in layout;
}
