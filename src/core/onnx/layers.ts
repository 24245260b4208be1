// Finds the transformer blocks of any exported decoder graph without per-architecture tables:
// walk back from `logits` over residual steps `sum = r + f(r)` — a plain Add or a fused
// Skip(Simplified)LayerNormalization whose output[3] is the sum — deciding which input is the residual
// r by node dependency (r's producer is an ancestor of f(r)'s producer). 2L steps are sequential
// blocks (attention step, then MLP step); L steps are parallel blocks (attention and MLP side by side).

import { GraphDependencies } from './dependencies';
import { OnnxGraphError } from './errors';
import { describeNode, type OnnxGraph } from './graph';

export class LayerStructureError extends OnnxGraphError {
  override name = 'LayerStructureError';
}

export type BlockKind = 'sequential' | 'parallel';

/** One residual connection: `sum = residual + branch (+ bias)`. */
export interface ResidualStep {
  /** Index of the Add / Skip*Norm node in graph.nodes. */
  node: number;
  residual: string;
  branch: string;
  /** The sum tensor; a generated name when a fused final norm lacks output[3] (see LayerMap.reemit). */
  sum: string;
  /** Bias a fused SkipLayerNormalization adds into the sum (its input[4]), not part of `branch`. */
  bias?: string;
  /** The branch contains attention (fused attention op or a Softmax). */
  hasAttention: boolean;
}

/** Tensor names of one block, TransformerLens-style. */
export interface LayerTensors {
  residPre: string;
  residPost: string;
  /** Sequential blocks only (undefined for parallel blocks, not supported yet). */
  attnOut?: string;
  residMid?: string;
  /** Post-attention norm output: data input of the MLP's first weight multiplication. */
  mlpIn?: string;
  mlpOut?: string;
  /** Bias initializers fused into the residual sums (GPT-2 style SkipLayerNormalization input[4]). */
  attnOutBias?: string;
  mlpOutBias?: string;
}

/** A node that must be written again with these outputs (a fused final norm gaining its sum output). */
export interface NodeReemit {
  node: number;
  outputs: string[];
}

/** The token-embedding lookup reading `input_ids`, when its weight is a plain [vocab, hidden] table. */
export interface TokenEmbedding {
  node: number;
  weight: string;
  vocabSize: number;
  hiddenSize: number;
}

export interface LayerMap {
  blockKind: BlockKind;
  numLayers: number;
  layers: LayerTensors[];
  /** Residual steps in forward order. */
  steps: ResidualStep[];
  logits: string;
  reemit: NodeReemit[];
  embedding?: TokenEmbedding;
}

export interface FindLayersOptions {
  /** num_hidden_layers from config.json / genai_config.json; a different count is an error. */
  expectedLayers?: number;
  /** Names the model in errors (defaults to graph.fileLabel). */
  fileLabel?: string;
}

const LOGITS = 'logits';
const SKIP_NORMS = new Set(['SkipLayerNormalization', 'SkipSimplifiedLayerNormalization']);
/** Ops between input_ids and the embedding lookup that only change shape or type. */
const PASSTHROUGH = new Set(['Cast', 'Reshape', 'Identity', 'Unsqueeze', 'Squeeze', 'Flatten']);
/** Position of the residual sum among a fused Skip*Norm's outputs. */
const SKIP_SUM_OUTPUT = 3;

export function findLayers(graph: OnnxGraph, options: FindLayersOptions = {}): LayerMap {
  const label = options.fileLabel ?? graph.fileLabel;
  if (!graph.outputs.some((o) => o.name === LOGITS)) {
    const names = graph.outputs.map((o) => `'${o.name}'`).join(', ') || 'none';
    throw new LayerStructureError(
      `${label}: the graph has no 'logits' output (outputs: ${names}); expected a causal language model`,
    );
  }
  const deps = new GraphDependencies(graph);
  const top = findLastStep(graph, deps, label);
  const stepsBackward = [top];
  for (;;) {
    const previous = deps.producer(stepsBackward[stepsBackward.length - 1].residual);
    if (previous === undefined) break;
    const step = residualStep(graph, deps, previous);
    if (!step || step.sum !== stepsBackward[stepsBackward.length - 1].residual) break;
    stepsBackward.push(step);
  }
  const steps = stepsBackward.reverse();

  const reemit: NodeReemit[] = [];
  if (top.sum === '') {
    // A fused final norm computed the last residual sum internally without exposing it: re-emit the
    // node with output[3] under a new name (1 and 2 are optional outputs left empty).
    const node = graph.nodes[top.node];
    top.sum = uniqueName(graph, 'layer_probe/final_resid_post');
    const outputs = [0, 1, 2].map((i) => node.outputs[i] ?? '');
    reemit.push({ node: top.node, outputs: [...outputs, top.sum] });
  }

  const blockKind = classify(graph, steps, options.expectedLayers, label);
  const layers = blockKind === 'sequential' ? sequentialLayers(graph, deps, steps, label) : parallelLayers(steps);
  return {
    blockKind,
    numLayers: layers.length,
    layers,
    steps,
    logits: LOGITS,
    reemit,
    embedding: findTokenEmbedding(graph),
  };
}

/** The residual step nearest to logits (the last block's output sum), by breadth-first search. */
function findLastStep(graph: OnnxGraph, deps: GraphDependencies, label: string): ResidualStep {
  const start = deps.producer(LOGITS);
  if (start === undefined) {
    throw new LayerStructureError(`${label}: 'logits' is not computed by any node of the graph`);
  }
  const queue = [start];
  const seen = new Set(queue);
  let last = start;
  for (let i = 0; i < queue.length; i++) {
    const n = queue[i];
    last = n;
    const step = residualStep(graph, deps, n);
    if (step) return step;
    for (const t of deps.readsOf(n)) {
      const p = deps.producer(t);
      if (p === undefined || seen.has(p) || deps.isConstant(t)) continue;
      seen.add(p);
      queue.push(p);
    }
  }
  throw new LayerStructureError(
    `${label}: does not look like a decoder-only transformer: walking back from 'logits' ` +
      `(computed by node ${describeNode(graph.nodes[start])}) the search stopped at node ` +
      `${describeNode(graph.nodes[last])} without finding a residual connection ` +
      `(Add(x, f(x)) or SkipLayerNormalization with a MatMul in f)`,
  );
}

/** The residual step computed by node `n`, or undefined if `n` is not one. */
function residualStep(graph: OnnxGraph, deps: GraphDependencies, n: number): ResidualStep | undefined {
  const node = graph.nodes[n];
  let sum: string;
  let bias: string | undefined;
  if (node.opType === 'Add' && (node.domain === '' || node.domain === 'ai.onnx')) {
    sum = node.outputs[0];
  } else if (SKIP_NORMS.has(node.opType)) {
    sum = node.outputs[SKIP_SUM_OUTPUT] ?? '';
    bias = node.inputs[4] || undefined;
  } else return undefined;
  const [a, b] = node.inputs;
  if (!a || !b || deps.isConstant(a) || deps.isConstant(b)) return undefined;

  const isResidualOf = (r: string, other: string): boolean => {
    const pr = deps.producer(r);
    const po = deps.producer(other);
    if (po === undefined) return false;
    // Node level on purpose: a fused norm feeds the branch through output[0] and the residual via output[3].
    return pr === undefined ? deps.dependsOnTensor(po, r) : pr !== po && deps.dependsOnNode(po, pr);
  };
  let residual: string;
  let branch: string;
  if (isResidualOf(a, b)) [residual, branch] = [a, b];
  else if (isResidualOf(b, a)) [residual, branch] = [b, a];
  else return undefined;

  const scan = deps.scanBranch(branch, deps.producer(residual));
  if (!scan.hasMatMul) return undefined;
  return { node: n, residual, branch, sum, bias, hasAttention: scan.hasAttention };
}

function classify(graph: OnnxGraph, steps: ResidualStep[], expected: number | undefined, label: string): BlockKind {
  const n = steps.length;
  const where =
    `${n} residual connection${n === 1 ? '' : 's'} (from node ${describeNode(graph.nodes[steps[0].node])} ` +
    `to ${describeNode(graph.nodes[steps[n - 1].node])})`;
  if (expected !== undefined) {
    if (n === 2 * expected) return 'sequential';
    if (n === expected) return 'parallel';
    throw new LayerStructureError(
      `${label}: found ${where}, but the model config says num_hidden_layers = ${expected}, ` +
        `which needs ${2 * expected} (attention then MLP) or ${expected} (parallel blocks)`,
    );
  }
  const alternates = n % 2 === 0 && steps.every((s, i) => s.hasAttention === (i % 2 === 0));
  if (alternates) return 'sequential';
  if (steps.every((s) => s.hasAttention)) return 'parallel';
  throw new LayerStructureError(
    `${label}: found ${where} that do not pair up as attention + MLP blocks, and no num_hidden_layers to check against`,
  );
}

function sequentialLayers(
  graph: OnnxGraph,
  deps: GraphDependencies,
  steps: ResidualStep[],
  label: string,
): LayerTensors[] {
  const layers: LayerTensors[] = [];
  for (let i = 0; i < steps.length; i += 2) {
    const attn = steps[i];
    const mlp = steps[i + 1];
    const scan = deps.scanBranch(mlp.branch, deps.producer(mlp.residual));
    const mlpIn = scan.firstMatMul === undefined ? undefined : deps.dataInput(scan.firstMatMul);
    if (mlpIn === undefined) {
      throw new LayerStructureError(
        `${label}: layer ${i / 2}: no weight multiplication found on the MLP branch ending at node ` +
          `${describeNode(graph.nodes[mlp.node])}`,
      );
    }
    layers.push({
      residPre: attn.residual,
      attnOut: attn.branch,
      residMid: attn.sum,
      mlpIn,
      mlpOut: mlp.branch,
      residPost: mlp.sum,
      attnOutBias: attn.bias,
      mlpOutBias: mlp.bias,
    });
  }
  return layers;
}

function parallelLayers(steps: ResidualStep[]): LayerTensors[] {
  return steps.map((s) => ({ residPre: s.residual, residPost: s.sum }));
}

/** The Gather (or fused EmbedLayerNormalization) that looks up `input_ids` in a [vocab, hidden] table. */
function findTokenEmbedding(graph: OnnxGraph): TokenEmbedding | undefined {
  const frontier = ['input_ids'];
  const seen = new Set(frontier);
  while (frontier.length > 0) {
    const ids = frontier.pop()!;
    for (const c of graph.consumersOf.get(ids) ?? []) {
      const node = graph.nodes[c];
      let weight: string | undefined;
      if (node.opType === 'Gather' && node.inputs[1] === ids) weight = node.inputs[0];
      else if (node.opType === 'EmbedLayerNormalization' && node.inputs[0] === ids) weight = node.inputs[2];
      const dims = weight === undefined ? undefined : graph.initializers.get(weight)?.dims;
      if (weight !== undefined && dims?.length === 2) {
        return { node: c, weight, vocabSize: dims[0], hiddenSize: dims[1] };
      }
      if (PASSTHROUGH.has(node.opType) && node.inputs[0] === ids && !seen.has(node.outputs[0])) {
        seen.add(node.outputs[0]);
        frontier.push(node.outputs[0]);
      }
    }
  }
  return undefined;
}

function uniqueName(graph: OnnxGraph, base: string): string {
  const taken = (name: string): boolean =>
    graph.producerOf.has(name) || graph.initializers.has(name) || graph.inputs.some((i) => i.name === name);
  let name = base;
  for (let k = 1; taken(name); k++) name = `${base}_${k}`;
  return name;
}
