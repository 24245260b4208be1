// Finds the transformer blocks of any exported decoder graph without per-architecture tables:
// walk back from `logits` over residual steps `sum = r + f(r)` — a plain Add or a fused
// Skip(Simplified)LayerNormalization whose output[3] is the sum — deciding which input is the residual
// r by node dependency (r's producer is an ancestor of f(r)'s producer). 2L steps are sequential
// blocks (attention step, then MLP step); L steps are parallel blocks (attention and MLP side by side),
// summed either as `r + (a + m)` (also a fused norm's skip input) or as `(r + a) + m` in any operand
// order. The count is checked against the config and against layer indices in node names.

import { GraphDependencies } from './dependencies';
import { LayerStructureError } from './errors';
import { describeNode, type OnnxGraph } from './graph';
import { checkLayerNames } from './layerNames';

export { LayerStructureError } from './errors';

export type BlockKind = 'sequential' | 'parallel';

/**
 * The two branches of a parallel block and the order the graph adds them in, which fixes the float
 * rounding: 'branches-first' = `r + (a + m)`, 'attn-first' = `(r + a) + m`, 'mlp-first' = `(r + m) + a`.
 */
export interface ParallelBranches {
  attn: string;
  mlp: string;
  order: 'branches-first' | 'attn-first' | 'mlp-first';
}

/** One residual connection: `sum = residual + branch (+ bias)`. */
export interface ResidualStep {
  /** Index of the Add / Skip*Norm node in graph.nodes (the outer Add of `(r + a) + m`). */
  node: number;
  residual: string;
  /** What the step node adds to the residual; for `(r + a) + m` the outer Add's other input. */
  branch: string;
  /** The sum tensor; a generated name when a fused final norm lacks output[3] (see LayerMap.reemit). */
  sum: string;
  /** Bias a fused SkipLayerNormalization adds into the sum (its input[4]), not part of `branch`. */
  bias?: string;
  /** The branch contains attention (fused attention op or a Softmax). */
  hasAttention: boolean;
  /** Set when the step adds an attention branch and an MLP branch side by side (a parallel block). */
  parallel?: ParallelBranches;
}

/** Tensor names of one block, TransformerLens-style. */
export interface LayerTensors {
  residPre: string;
  residPost: string;
  /**
   * Undefined only for parallel blocks whose sum could not be split into an attention and an MLP
   * branch (then only the residual stream can be probed).
   */
  attnOut?: string;
  /** Sequential blocks only: the stream between attention and MLP. */
  residMid?: string;
  /**
   * Data input of the MLP's first weight multiplication: the post-attention norm output, or in a
   * parallel block the MLP's input norm (often the norm it shares with attention).
   */
  mlpIn?: string;
  mlpOut?: string;
  /** Bias initializers fused into the residual sums (GPT-2 style SkipLayerNormalization input[4]). */
  attnOutBias?: string;
  mlpOutBias?: string;
  /** Parallel blocks: a bias a fused norm adds into the block's sum (input[4]). */
  parallelBias?: string;
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
  const layers =
    blockKind === 'sequential' ? sequentialLayers(graph, deps, steps, label) : parallelLayers(graph, deps, steps, label);
  checkLayerNames(graph, deps, steps, blockKind, label);
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
  if (isPlainAdd(graph, n)) {
    sum = node.outputs[0];
  } else if (SKIP_NORMS.has(node.opType)) {
    sum = node.outputs[SKIP_SUM_OUTPUT] ?? '';
    bias = node.inputs[4] || undefined;
  } else return undefined;
  const [a, b] = node.inputs;
  if (!a || !b || deps.isConstant(a) || deps.isConstant(b)) return undefined;

  let residual: string;
  let branch: string;
  if (isResidualOf(deps, a, b)) [residual, branch] = [a, b];
  else if (isResidualOf(deps, b, a)) [residual, branch] = [b, a];
  else return isPlainAdd(graph, n) ? nestedParallelStep(graph, deps, n, sum) : undefined;

  const scan = deps.scanBranch(branch, deps.producer(residual));
  if (!scan.hasMatMul) return undefined;
  const parallel = splitBranches(graph, deps, branch, residual);
  return { node: n, residual, branch, sum, bias, hasAttention: scan.hasAttention, parallel };
}

function isPlainAdd(graph: OnnxGraph, n: number): boolean {
  const node = graph.nodes[n];
  return node.opType === 'Add' && (node.domain === '' || node.domain === 'ai.onnx');
}

/** `r` is the residual that `other` was computed from (node level: see dependsOnNode). */
function isResidualOf(deps: GraphDependencies, r: string, other: string): boolean {
  const pr = deps.producer(r);
  const po = deps.producer(other);
  if (po === undefined) return false;
  // Node level on purpose: a fused norm feeds the branch through output[0] and the residual via output[3].
  return pr === undefined ? deps.dependsOnTensor(po, r) : pr !== po && deps.dependsOnNode(po, pr);
}

/**
 * Attention and MLP branches of two tensors computed side by side from residual `r`: exactly one of
 * them contains attention, and both multiply by weights. Undefined otherwise (e.g. a mixture-of-experts
 * MLP adding a shared expert: two MLP branches).
 */
function classifyBranches(
  deps: GraphDependencies,
  x: string,
  y: string,
  r: string,
): { attn: string; mlp: string } | undefined {
  const floor = deps.producer(r);
  const sx = deps.scanBranch(x, floor);
  const sy = deps.scanBranch(y, floor);
  if (!sx.hasMatMul || !sy.hasMatMul || sx.hasAttention === sy.hasAttention) return undefined;
  return sx.hasAttention ? { attn: x, mlp: y } : { attn: y, mlp: x };
}

/** `r + (a + m)`: the branch is a plain Add of an attention and an MLP branch, both reading `r`. */
function splitBranches(graph: OnnxGraph, deps: GraphDependencies, branch: string, r: string): ParallelBranches | undefined {
  const p = deps.producer(branch);
  if (p === undefined || !isPlainAdd(graph, p)) return undefined;
  const [x, y] = graph.nodes[p].inputs;
  if (!x || !y || deps.isConstant(x) || deps.isConstant(y)) return undefined;
  if (!isResidualOf(deps, r, x) || !isResidualOf(deps, r, y)) return undefined;
  const both = classifyBranches(deps, x, y, r);
  return both && { ...both, order: 'branches-first' };
}

/** `(r + a) + m` in any operand order: one input of the outer Add is an inner Add holding the residual. */
function nestedParallelStep(graph: OnnxGraph, deps: GraphDependencies, n: number, sum: string): ResidualStep | undefined {
  const [a, b] = graph.nodes[n].inputs;
  for (const [inner, outer] of [
    [a, b],
    [b, a],
  ]) {
    const p = deps.producer(inner);
    if (p === undefined || !isPlainAdd(graph, p)) continue;
    const [x, y] = graph.nodes[p].inputs;
    if (!x || !y || deps.isConstant(x) || deps.isConstant(y)) continue;
    for (const [r, first] of [
      [x, y],
      [y, x],
    ]) {
      if (!isResidualOf(deps, r, first) || !isResidualOf(deps, r, outer)) continue;
      const both = classifyBranches(deps, first, outer, r);
      if (!both) continue;
      const order = both.attn === first ? 'attn-first' : 'mlp-first';
      return { node: n, residual: r, branch: outer, sum, hasAttention: true, parallel: { ...both, order } };
    }
  }
  return undefined;
}

function classify(graph: OnnxGraph, steps: ResidualStep[], expected: number | undefined, label: string): BlockKind {
  const n = steps.length;
  const where =
    `${n} residual connection${n === 1 ? '' : 's'} (from node ${describeNode(graph.nodes[steps[0].node])} ` +
    `to ${describeNode(graph.nodes[steps[n - 1].node])})`;
  // What the structure says on its own: each step adds attention and MLP together, or they alternate.
  const alternates = n % 2 === 0 && steps.every((s, i) => s.hasAttention === (i % 2 === 0) && !s.parallel);
  const structural: BlockKind | undefined = steps.every((s) => s.parallel)
    ? 'parallel'
    : alternates
      ? 'sequential'
      : steps.every((s) => s.hasAttention)
        ? 'parallel'
        : undefined;
  if (expected !== undefined) {
    if (n === 2 * expected && structural !== 'parallel') return 'sequential';
    if (n === expected && structural !== 'sequential') return 'parallel';
    const seen =
      structural === 'sequential'
        ? `, i.e. ${n / 2} sequential blocks (attention then MLP)`
        : structural === 'parallel'
          ? `, i.e. ${n} parallel blocks (attention and MLP side by side)`
          : '';
    throw new LayerStructureError(
      `${label}: found ${where}${seen}, but the model config says num_hidden_layers = ${expected}, ` +
        `which needs ${2 * expected} (attention then MLP) or ${expected} (parallel blocks)`,
    );
  }
  if (structural) return structural;
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
    const mlpIn = firstMatMulInput(deps, mlp.branch, mlp.residual);
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

function parallelLayers(graph: OnnxGraph, deps: GraphDependencies, steps: ResidualStep[], label: string): LayerTensors[] {
  return steps.map((s, i) => {
    if (!s.parallel) return { residPre: s.residual, residPost: s.sum };
    const mlpIn = firstMatMulInput(deps, s.parallel.mlp, s.residual);
    if (mlpIn === undefined) {
      throw new LayerStructureError(
        `${label}: layer ${i}: no weight multiplication found on the MLP branch '${s.parallel.mlp}' of node ` +
          `${describeNode(graph.nodes[s.node])}`,
      );
    }
    return {
      residPre: s.residual,
      attnOut: s.parallel.attn,
      mlpIn,
      mlpOut: s.parallel.mlp,
      residPost: s.sum,
      parallelBias: s.bias,
    };
  });
}

/** The activation the first weight multiplication of a branch reads (the branch's input norm output). */
function firstMatMulInput(deps: GraphDependencies, branch: string, residual: string): string | undefined {
  const scan = deps.scanBranch(branch, deps.producer(residual));
  return scan.firstMatMul === undefined ? undefined : deps.dataInput(scan.firstMatMul);
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
