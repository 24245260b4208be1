// The precision a model's weights are stored in, read from its graph's initializers (headers only, the
// weights are not decoded), and the activation cache dtype `auto` chooses from it: activations computed
// from fp16, bf16 or int4 weights carry no more than half precision (the reference itself runs in bf16),
// so caching them as float32 would double the cache for nothing; fp32 models keep exact float32.

import * as fs from 'node:fs';

import type { CacheDtype, CacheDtypeChoice } from '../../contract/runOptions';
import { ELEM_BFLOAT16, ELEM_DOUBLE, ELEM_FLOAT, ELEM_FLOAT16, parseModel } from '../onnx/graph';
import { readModelGraph } from './modelFolder';

export type WeightPrecision = 'float32' | 'float16' | 'bfloat16' | 'int4';

export interface ResolvedCacheDtype {
  dtype: CacheDtype;
  /** Why, for the log: 'auto: float16 weights' or 'set'. */
  reason: string;
}

/** Element counts per floating-point weight type, and whether 4-bit MatMulNBits nodes hold the matmuls. */
export interface WeightCensus {
  floatElements: Partial<Record<WeightPrecision, number>>;
  matMulNBits: number;
}

const FLOAT_TYPES: Record<number, WeightPrecision> = {
  [ELEM_FLOAT]: 'float32',
  [ELEM_DOUBLE]: 'float32',
  [ELEM_FLOAT16]: 'float16',
  [ELEM_BFLOAT16]: 'bfloat16',
};

export function weightCensus(bytes: Uint8Array, fileLabel: string): WeightCensus {
  const graph = parseModel(bytes, fileLabel);
  const floatElements: Partial<Record<WeightPrecision, number>> = {};
  for (const t of graph.initializers.values()) {
    const kind = FLOAT_TYPES[t.dataType];
    if (kind) floatElements[kind] = (floatElements[kind] ?? 0) + t.dims.reduce((a, b) => a * b, 1);
  }
  const matMulNBits = graph.nodes.filter((n) => n.opType === 'MatMulNBits').length;
  return { floatElements, matMulNBits };
}

/**
 * int4 when any matmul is MatMulNBits (its scales may well be fp32: the weights are still 4-bit);
 * otherwise the float type holding most weight elements (fp16 exports keep a few fp32 tables, e.g.
 * rotary caches). No float weights at all: float32, the exact choice.
 */
export function weightPrecisionOf(census: WeightCensus): WeightPrecision {
  if (census.matMulNBits > 0) return 'int4';
  let best: WeightPrecision = 'float32';
  let most = 0;
  for (const [kind, count] of Object.entries(census.floatElements) as [WeightPrecision, number][]) {
    if (count > most) [best, most] = [kind, count];
  }
  return best;
}

export function cacheDtypeFor(precision: WeightPrecision): CacheDtype {
  return precision === 'float32' ? 'float32' : 'float16';
}

// Keyed by path, size and mtime: every cache key of a run (one per location, the planner's too) asks.
const resolved = new Map<string, WeightPrecision>();

/** The weight precision of the graph file `modelFile`; the graph is read once per file version. */
export function modelWeightPrecision(modelFile: string): WeightPrecision {
  const st = fs.statSync(modelFile);
  const id = `${modelFile}\0${st.size}\0${st.mtimeMs}`;
  let precision = resolved.get(id);
  if (precision === undefined) {
    precision = weightPrecisionOf(weightCensus(readModelGraph(modelFile), modelFile));
    resolved.set(id, precision);
  }
  return precision;
}

/** The dtype the cache is written in: the choice itself, or for `auto` the model's weight precision's. */
export function resolveCacheDtype(choice: CacheDtypeChoice, modelFile: string): ResolvedCacheDtype {
  if (choice !== 'auto') return { dtype: choice, reason: 'set' };
  const precision = modelWeightPrecision(modelFile);
  return { dtype: cacheDtypeFor(precision), reason: `auto: ${precision} weights` };
}
