// Cross-check of the layers found by the residual walk against the layer indices exporters write into
// node names (`/model/layers.7/mlp/down_proj/MatMul`, `/transformer/h.3/attn/...`). The walk never
// reads names; when names carry indices they are an independent witness: a walk that stopped early
// (a block it could not recognise) finds fewer layers than the names count, and is refused instead of
// giving a heatmap with missing or shifted rows.

import type { GraphDependencies } from './dependencies';
import { LayerStructureError } from './errors';
import type { OnnxGraph } from './graph';
import type { BlockKind, ResidualStep } from './layers';

/** `layers.N`, `layer.N`, `h.N`, `blocks.N`, `block.N` as a path or dotted-name component. */
const LAYER_INDEX = /(?:^|[/.])(?:layers|layer|h|blocks|block)[._](\d+)(?=[/._]|$)/;

export function layerIndexOfName(name: string): number | undefined {
  const m = LAYER_INDEX.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * Throws when node names number the layers differently from what the walk found. Each found layer is
 * named by the most common index among the nodes of its branches (a branch may also pick up shared
 * nodes, such as a rotary table computed under layer 0's scope); these must run from the smallest
 * index in the graph upwards, one per layer, and no node may name a layer beyond the last one found
 * plus one (onnxruntime-genai files the final norm under `layers.L`).
 */
export function checkLayerNames(
  graph: OnnxGraph,
  deps: GraphDependencies,
  steps: ResidualStep[],
  blockKind: BlockKind,
  label: string,
): void {
  let min = Infinity;
  let max = -Infinity;
  let maxName = '';
  for (const node of graph.nodes) {
    const index = layerIndexOfName(node.name);
    if (index === undefined) continue;
    min = Math.min(min, index);
    if (index > max) [max, maxName] = [index, node.name];
  }
  if (max < 0) return; // names carry no layer indices

  const layerSteps = blockKind === 'sequential' ? pairs(steps) : steps.map((s) => [s]);
  const named = layerSteps.map((group) => modeIndex(graph, deps, group));
  const found = layerSteps.length;
  const mismatch = named.findIndex((index, i) => index !== undefined && index !== min + i);
  if (mismatch < 0 && max <= min + found) return;
  const list = named.map((index) => (index === undefined ? '?' : String(index))).join(', ');
  throw new LayerStructureError(
    `${label}: node names number the layers ${min}…${max} (e.g. '${maxName}'), but the residual walk ` +
      `found ${found} layer${found === 1 ? '' : 's'} whose nodes are named layers ${list}` +
      (mismatch >= 0 ? ` (layer ${mismatch} of the walk is named ${named[mismatch]}, expected ${min + mismatch})` : '') +
      `: some blocks were not recognised as residual blocks`,
  );
}

function pairs(steps: ResidualStep[]): ResidualStep[][] {
  const out: ResidualStep[][] = [];
  for (let i = 0; i < steps.length; i += 2) out.push(steps.slice(i, i + 2));
  return out;
}

/** Most common layer index among the names of the nodes on a layer's branches (ties: the smaller). */
function modeIndex(graph: OnnxGraph, deps: GraphDependencies, group: ResidualStep[]): number | undefined {
  const counts = new Map<number, number>();
  for (const step of group) {
    const branches = step.parallel ? [step.parallel.attn, step.parallel.mlp] : [step.branch];
    const floor = deps.producer(step.residual);
    const nodes = new Set(branches.flatMap((b) => deps.scanBranch(b, floor).nodes));
    for (const n of nodes) {
      const index = layerIndexOfName(graph.nodes[n].name);
      if (index !== undefined) counts.set(index, (counts.get(index) ?? 0) + 1);
    }
  }
  let best: number | undefined;
  let bestCount = 0;
  for (const [index, count] of counts) {
    if (count > bestCount || (count === bestCount && best !== undefined && index < best)) [best, bestCount] = [index, count];
  }
  return best;
}
