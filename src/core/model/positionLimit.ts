import * as path from 'node:path';

import { type OnnxGraph, parseModel } from '../onnx/graph';
import { type ModelFolder, readModelGraph, resolveModelFolder } from './modelFolder';

/** The longest token sequence a model can run, and what said so (for the log and the drop reason). */
export interface PositionLimit {
  limit?: number;
  source: string;
}

// How far back from a Gather's indices to look for input_ids: position ids are a few ops from their
// input (Cast, Unsqueeze, Range, CumSum of the mask), the token ids likewise.
const CONE_LIMIT = 200;

/**
 * Rows of the graph's position tables: a 2-D initializer gathered by indices that do not come from
 * `input_ids` (GPT-2's wpe, an unfused rotary cos/sin table), or the cos cache of a contrib
 * RotaryEmbedding / GroupQueryAttention. A position past them is onnxruntime's "Gather indices out of
 * data bounds" (or silently the table's edge), so the smallest is the model's limit; undefined when the
 * graph computes positions without a table.
 */
export function graphPositionLimit(graph: OnnxGraph): number | undefined {
  const tableRows = (name: string | undefined): number | undefined => {
    const init = name === undefined ? undefined : graph.initializers.get(name);
    return init !== undefined && init.dims.length === 2 && init.dims[0] > 1 ? init.dims[0] : undefined;
  };
  let limit: number | undefined;
  const take = (rows: number | undefined): void => {
    if (rows !== undefined) limit = limit === undefined ? rows : Math.min(limit, rows);
  };
  for (const node of graph.nodes) {
    if (node.opType === 'Gather' && !readsTokenIds(graph, node.inputs[1])) take(tableRows(node.inputs[0]));
    else if (node.domain === 'com.microsoft' && node.opType === 'RotaryEmbedding') take(tableRows(node.inputs[2]));
    else if (node.domain === 'com.microsoft' && node.opType === 'GroupQueryAttention') take(tableRows(node.inputs[7]));
  }
  return limit;
}

/** Whether `tensor` is computed from the `input_ids` graph input (then its Gather is the token embedding). */
function readsTokenIds(graph: OnnxGraph, tensor: string | undefined): boolean {
  if (tensor === undefined || tensor === '') return false;
  const seen = new Set<string>();
  const queue = [tensor];
  while (queue.length > 0 && seen.size < CONE_LIMIT) {
    const name = queue.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    if (name === 'input_ids') return true;
    const producer = graph.producerOf.get(name);
    if (producer !== undefined) queue.push(...graph.nodes[producer].inputs.filter((i) => i !== ''));
  }
  // A cone too big to follow is not a position lookup.
  return seen.size >= CONE_LIMIT;
}

/**
 * The config's limit (max_position_embeddings, n_positions, context_length), else the graph's tables.
 * The graph is parsed only when the config is silent: a single-file model.onnx may be 2 GB.
 */
export function modelPositionLimit(folder: ModelFolder, graph?: OnnxGraph): PositionLimit {
  if (folder.maxPositions !== undefined) return { limit: folder.maxPositions, source: folder.configSource };
  const fromGraph = graphPositionLimit(graph ?? parseModel(readModelGraph(folder.modelFile), folder.modelFile));
  if (fromGraph !== undefined) return { limit: fromGraph, source: `the position table in ${path.basename(folder.modelFile)}` };
  return { source: 'neither the config nor the graph gives a position limit' };
}

/** The limit rows are held to before tokenising (prepareRows), said once in the run log. */
export function tokenLimitForRows(modelDir: string, log: (line: string) => void): number | undefined {
  const { limit, source } = modelPositionLimit(resolveModelFolder(modelDir));
  log(limit === undefined ? `no prompt-length limit: ${source}` : `prompt + answer limit: ${limit} tokens (from ${source})`);
  return limit;
}
