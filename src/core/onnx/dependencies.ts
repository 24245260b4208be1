// Dependency questions about a parsed graph: which tensors are constants, which node feeds which,
// what ops lie on a branch. The layer finder decides everything from these, never from node names,
// so it works on any exporter's naming (or none).

import { OnnxGraphError } from './errors';
import { describeNode, type OnnxGraph, type OnnxNode } from './graph';

/** Ops that multiply activations by weights: a residual branch without one does no real work. */
const MATMUL_LIKE = new Set([
  'MatMul',
  'Gemm',
  'MatMulNBits',
  'MatMulInteger',
  'MatMulIntegerToFloat',
  'QLinearMatMul',
  'FusedMatMul',
  'DynamicQuantizeMatMul',
  'MatMulFpQ4',
  'MatMulBnb4',
  'QGemm',
  'Einsum',
  // Fused mixture-of-experts blocks (onnxruntime contrib ops) multiply by expert weights inside.
  'MoE',
  'QMoE',
]);

/** Attention ops (fused or decomposed via Softmax): they tell an attention branch from an MLP branch. */
const ATTENTION_LIKE = new Set([
  'Softmax',
  'Attention',
  'MultiHeadAttention',
  'GroupQueryAttention',
  'QAttention',
  'PackedAttention',
  'PackedMultiHeadAttention',
  'SparseAttention',
  'PagedAttention',
  'DecoderMaskedMultiHeadAttention',
  'DecoderMaskedSelfAttention',
  'DecoderAttention',
]);

export const isMatMulLike = (node: OnnxNode): boolean => MATMUL_LIKE.has(node.opType);
export const isAttentionLike = (node: OnnxNode): boolean => ATTENTION_LIKE.has(node.opType);

/** What a backward scan of one residual branch found. */
export interface BranchScan {
  /** Nodes of the branch (ancestors of its output, after the residual's producer). */
  nodes: number[];
  hasMatMul: boolean;
  hasAttention: boolean;
  /** The weight-multiplying node that runs first (smallest topological position), if any. */
  firstMatMul?: number;
}

/** Cached dependency queries over one graph. */
export class GraphDependencies {
  /** Topological position of each node (index into graph.nodes → rank). */
  readonly position: Int32Array;
  private readonly constantMemo = new Map<string, boolean>();

  constructor(readonly graph: OnnxGraph) {
    this.position = topologicalPositions(graph);
  }

  /** Producer node index of a tensor, undefined for graph inputs, initializers and ''. */
  producer(tensor: string): number | undefined {
    return this.graph.producerOf.get(tensor);
  }

  /** Initializers, Constant outputs, and anything computed from constants only (e.g. Cast of a weight). */
  isConstant(tensor: string): boolean {
    const memo = this.constantMemo.get(tensor);
    if (memo !== undefined) return memo;
    let result = false;
    if (this.graph.initializers.has(tensor)) result = true;
    else {
      const p = this.producer(tensor);
      if (p !== undefined) {
        const node = this.graph.nodes[p];
        const inputs = node.inputs.filter((i) => i !== '');
        if (node.opType === 'Constant') result = true;
        else if (inputs.length > 0 && node.implicitInputs.length === 0) {
          // Mark first so a (malformed) cycle cannot recurse forever.
          this.constantMemo.set(tensor, false);
          result = inputs.every((i) => this.isConstant(i));
        }
      }
    }
    this.constantMemo.set(tensor, result);
    return result;
  }

  /** Tensors a node reads (explicit and from subgraphs), without omitted optionals. */
  readsOf(nodeIndex: number): string[] {
    const node = this.graph.nodes[nodeIndex];
    return [...node.inputs, ...node.implicitInputs].filter((t) => t !== '');
  }

  /**
   * True if node `from` depends (transitively) on node `ancestor` — on any of its outputs, which is
   * why a fused SkipLayerNorm's normalized output[0] links a branch to the residual it also emits.
   */
  dependsOnNode(from: number, ancestor: number): boolean {
    if (from === ancestor) return false;
    const floor = this.position[ancestor];
    const seen = new Set<number>([from]);
    const stack = [from];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (const t of this.readsOf(n)) {
        const p = this.producer(t);
        if (p === undefined) continue;
        if (p === ancestor) return true;
        // Nodes sorted before the ancestor cannot be its descendants.
        if (this.position[p] <= floor || seen.has(p)) continue;
        seen.add(p);
        stack.push(p);
      }
    }
    return false;
  }

  /** True if node `from` reads tensor `tensor` transitively (for residuals that are graph inputs). */
  dependsOnTensor(from: number, tensor: string): boolean {
    const seen = new Set<number>([from]);
    const stack = [from];
    while (stack.length > 0) {
      const n = stack.pop()!;
      for (const t of this.readsOf(n)) {
        if (t === tensor) return true;
        const p = this.producer(t);
        if (p === undefined || seen.has(p)) continue;
        seen.add(p);
        stack.push(p);
      }
    }
    return false;
  }

  /**
   * Scans the branch that produced `branchTensor`, back to (not including) the residual's producer.
   * Only nodes positioned after that producer can lie between it and the branch output.
   */
  scanBranch(branchTensor: string, residualProducer: number | undefined): BranchScan {
    const scan: BranchScan = { nodes: [], hasMatMul: false, hasAttention: false };
    const start = this.producer(branchTensor);
    if (start === undefined) return scan;
    const floor = residualProducer === undefined ? -1 : this.position[residualProducer];
    const seen = new Set<number>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const n = stack.pop()!;
      scan.nodes.push(n);
      const node = this.graph.nodes[n];
      if (isAttentionLike(node)) scan.hasAttention = true;
      if (isMatMulLike(node) || isAttentionLike(node)) scan.hasMatMul = true;
      if (isMatMulLike(node) && (scan.firstMatMul === undefined || this.position[n] < this.position[scan.firstMatMul])) {
        scan.firstMatMul = n;
      }
      for (const t of this.readsOf(n)) {
        const p = this.producer(t);
        if (p === undefined || p === residualProducer || seen.has(p) || this.position[p] <= floor) continue;
        if (this.isConstant(t)) continue;
        seen.add(p);
        stack.push(p);
      }
    }
    return scan;
  }

  /** First input of a node that is not a constant (the activation a MatMul multiplies). */
  dataInput(nodeIndex: number): string | undefined {
    return this.graph.nodes[nodeIndex].inputs.find((t) => t !== '' && !this.isConstant(t));
  }
}

/** Kahn's algorithm: ONNX requires sorted node lists, but nothing forces exporters to comply. */
function topologicalPositions(graph: OnnxGraph): Int32Array {
  const n = graph.nodes.length;
  const pending = new Int32Array(n);
  const dependents: number[][] = Array.from({ length: n }, () => []);
  graph.nodes.forEach((node, i) => {
    const preds = new Set<number>();
    for (const t of [...node.inputs, ...node.implicitInputs]) {
      const p = t === '' ? undefined : graph.producerOf.get(t);
      if (p !== undefined && p !== i) preds.add(p);
    }
    pending[i] = preds.size;
    preds.forEach((p) => dependents[p].push(i));
  });
  const position = new Int32Array(n).fill(-1);
  // Any valid order will do: positions are only compared to bound backward searches.
  const ready: number[] = [];
  for (let i = n - 1; i >= 0; i--) if (pending[i] === 0) ready.push(i);
  let next = 0;
  while (ready.length > 0) {
    const i = ready.pop()!;
    position[i] = next++;
    for (const d of dependents[i]) if (--pending[d] === 0) ready.push(d);
  }
  if (next < n) {
    const stuck = graph.nodes[position.findIndex((p) => p === -1)];
    throw new OnnxGraphError(`${graph.fileLabel}: the graph has a cycle through node ${describeNode(stuck)}`);
  }
  return position;
}
