// An in-memory copy of a decoder whose `logits` output holds only the last position, [batch, 1, vocab],
// so that onnxruntime never copies batch × sequence × vocab floats back after a prefill (and, where the
// lm_head can be found, never computes them either). The user's file is never written.
//
// - 'lm_head-input': `Gather(x, [-1], axis 1)` on the activation input of the lm_head (a MatMul or
//   MatMulNBits by a constant), when only element-wise steps with constant operands (Identity, Cast,
//   bias Add, soft-capping Div/Tanh/Mul, …) lie between it and `logits`: the lm_head then runs on one
//   position per row. The activations feeding it are [batch, seq, hidden] in every exporter we know; the
//   caller checks the output shape at run time anyway.
// - 'logits-output': otherwise (e.g. merged decoders, where the lm_head sits inside If branches), the
//   same Gather on the logits tensor itself: the lm_head still runs on every position, but only the last
//   one is copied out.
//
// The Gather takes the last position of the padded row, so it is exact only for batches whose rows all
// end at the last column: the cached path batches prompts of equal length.
// Like rewrite.ts, every untouched field is copied byte for byte.

import type { OnnxGraph, OnnxNode } from '../../onnx/graph';
import { ATTR_I, ATTR_NAME, ATTR_T, GRAPH_NODE, GRAPH_OUTPUT, GRAPH_VALUE_INFO, MODEL_GRAPH, NODE_ATTRIBUTE, NODE_INPUT, NODE_NAME, NODE_OP_TYPE, NODE_OUTPUT, VALUE_INFO_NAME } from '../../onnx/protoFields';
import { concatBytes, fields, lenField, stringField, varintField, WIRE_LEN } from '../../onnx/wire';
import { encodeTensor, OnnxDataType } from '../../onnx/writer';

export type LastPositionMethod = 'lm_head-input' | 'logits-output';

export interface LastPositionRewrite {
  bytes: Uint8Array;
  method: LastPositionMethod;
  /** The MatMul whose input is gathered ('lm_head-input'), or the node producing the logits. */
  node: string;
}

/** AttributeProto.type values (onnx.proto). */
const ATTR_TYPE_FIELD = 20;
const ATTR_TYPE_INT = 2;
const ATTR_TYPE_TENSOR = 4;

/** Element-wise ops that keep the [batch, seq, vocab] layout when their other operand is a constant. */
const PASS_THROUGH = new Set(['Identity', 'Cast', 'Add', 'Sub', 'Mul', 'Div', 'Tanh', 'Softcap']);

/**
 * The rewritten model, or undefined when `logits` is not computed by a node of the main graph, is read
 * by another node, or the default-domain opset is older than 11 (Gather with a negative index).
 */
export function sliceLogitsToLastPosition(graph: OnnxGraph, logitsName = 'logits'): LastPositionRewrite | undefined {
  const opset = graph.opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  if (opset < 11) return undefined;
  const producer = graph.producerOf.get(logitsName);
  if (producer === undefined || !graph.outputs.some((o) => o.name === logitsName)) return undefined;
  // A node reading the logits would see them sliced too.
  if ((graph.consumersOf.get(logitsName) ?? []).length > 0) return undefined;

  const taken = new Set<string>([...graph.producerOf.keys(), ...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  for (const n of graph.nodes) n.inputs.forEach((i) => taken.add(i));
  const fresh = (base: string): string => {
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  };
  const indexName = fresh('layer_probe/last_position/index');
  const indexNode = constantNode(indexName, fresh('layer_probe/last_position/Constant'));

  const lmHead = findLmHead(graph, logitsName);
  // Per node index: fields to write before it, instead of it, and after it.
  const before = new Map<number, Uint8Array[]>();
  const replace = new Map<number, Uint8Array>();
  const after = new Map<number, Uint8Array[]>();
  let method: LastPositionMethod;
  let node: OnnxNode;
  const stale = new Set<string>([logitsName]);
  if (lmHead) {
    method = 'lm_head-input';
    node = lmHead.matmul;
    const x = node.inputs[0];
    const gathered = fresh(`${x}/layer_probe_last_position`);
    before.set(node.index, [indexNode, gatherNode(x, indexName, gathered, fresh('layer_probe/last_position/Gather'))]);
    replace.set(node.index, renamedNode(graph.bytes, node, (kind, i, name) => (kind === 'input' && i === 0 ? gathered : name)));
    lmHead.chain.forEach((t) => stale.add(t));
  } else {
    method = 'logits-output';
    node = graph.nodes[producer];
    const all = fresh(`${logitsName}/layer_probe_all_positions`);
    replace.set(node.index, renamedNode(graph.bytes, node, (kind, _i, name) => (kind === 'output' && name === logitsName ? all : name)));
    after.set(node.index, [indexNode, gatherNode(all, indexName, logitsName, fresh('layer_probe/last_position/Gather'))]);
  }

  const { bytes } = graph;
  const valueInfoAt = new Map(graph.valueInfo.map((v) => [v.range.start, v.name]));
  const outputAt = new Map(graph.outputs.map((o) => [o.range.start, o.name]));
  const parts: Uint8Array[] = [];
  let nodeIndex = 0;
  for (const f of fields(bytes, graph.graphPayload.start, graph.graphPayload.end)) {
    const whole = bytes.subarray(f.start, f.end);
    if (f.wireType !== WIRE_LEN) {
      parts.push(whole);
      continue;
    }
    if (f.field === GRAPH_NODE) {
      const n = nodeIndex++;
      parts.push(...(before.get(n) ?? []), replace.get(n) ?? whole, ...(after.get(n) ?? []));
    } else if (f.field === GRAPH_OUTPUT && outputAt.get(f.start) === logitsName) {
      // Its declared [batch, sequence, vocab] would now be wrong: a name alone lets onnxruntime infer it.
      parts.push(lenField(GRAPH_OUTPUT, stringField(VALUE_INFO_NAME, logitsName)));
    } else if (f.field === GRAPH_VALUE_INFO && stale.has(valueInfoAt.get(f.start) ?? '')) {
      continue;
    } else parts.push(whole);
  }
  const newGraph = concatBytes(parts);
  const model: Uint8Array[] = [];
  for (const f of fields(bytes)) {
    model.push(f.field === MODEL_GRAPH && f.wireType === WIRE_LEN ? lenField(MODEL_GRAPH, newGraph) : bytes.subarray(f.start, f.end));
  }
  return { bytes: concatBytes(model), method, node: node.name || node.outputs[0] };
}

/**
 * The lm_head: walking back from `logits` over element-wise steps with a constant operand, the first
 * MatMul (or MatMulNBits) by a constant. `chain` lists the tensors from its output to the logits, each
 * read only by the next step (so gathering before it changes nothing else).
 */
function findLmHead(graph: OnnxGraph, logitsName: string): { matmul: OnnxNode; chain: string[] } | undefined {
  const constant = constantTensors(graph);
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const chain: string[] = [];
  let t = logitsName;
  for (let steps = 0; steps < 16; steps++) {
    const p = graph.producerOf.get(t);
    if (p === undefined) return undefined;
    const node = graph.nodes[p];
    if (node.outputs.filter((o) => o !== '').length !== 1 || node.implicitInputs.length > 0) return undefined;
    if (t !== logitsName) {
      // An intermediate read by anything else (or exposed) would change shape under that reader.
      if ((graph.consumersOf.get(t) ?? []).length !== 1 || outputs.has(t)) return undefined;
    }
    chain.push(t);
    const variable = node.inputs.filter((i) => i !== '' && !constant.has(i));
    const isMatMul = (node.opType === 'MatMul' && (node.domain === '' || node.domain === 'ai.onnx')) ||
      (node.opType === 'MatMulNBits' && node.domain === 'com.microsoft');
    if (isMatMul) {
      return variable.length === 1 && variable[0] === node.inputs[0] ? { matmul: node, chain } : undefined;
    }
    if (!PASS_THROUGH.has(node.opType) || variable.length !== 1) return undefined;
    t = variable[0];
  }
  return undefined;
}

/** Tensors that depend on no graph input: initializers and what only they (or Constant nodes) feed. */
function constantTensors(graph: OnnxGraph): Set<string> {
  const inputs = new Set(graph.inputs.filter((i) => !graph.initializers.has(i.name)).map((i) => i.name));
  const constant = new Set<string>(graph.initializers.keys());
  // Nodes are topologically sorted: one pass decides every tensor.
  for (const node of graph.nodes) {
    const reads = [...node.inputs, ...node.implicitInputs].filter((i) => i !== '');
    if (reads.every((i) => constant.has(i) && !inputs.has(i))) node.outputs.forEach((o) => o !== '' && constant.add(o));
  }
  return constant;
}

/** A node field with its input/output names mapped; every other field copied as it is. */
function renamedNode(bytes: Uint8Array, node: OnnxNode, rename: (kind: 'input' | 'output', index: number, name: string) => string): Uint8Array {
  const parts: Uint8Array[] = [];
  let inputIndex = 0;
  let outputIndex = 0;
  const outer = fields(bytes, node.range.start, node.range.end).next().value;
  if (!outer) throw new Error(`node ${node.name} has no bytes`);
  for (const f of fields(bytes, outer.dataStart, outer.dataEnd)) {
    if (f.wireType === WIRE_LEN && f.field === NODE_INPUT) {
      parts.push(stringField(NODE_INPUT, rename('input', inputIndex, node.inputs[inputIndex])));
      inputIndex++;
    } else if (f.wireType === WIRE_LEN && f.field === NODE_OUTPUT) {
      parts.push(stringField(NODE_OUTPUT, rename('output', outputIndex, node.outputs[outputIndex])));
      outputIndex++;
    } else parts.push(bytes.subarray(f.start, f.end));
  }
  return lenField(GRAPH_NODE, concatBytes(parts));
}

function constantNode(output: string, name: string): Uint8Array {
  const value = encodeTensor('', { dataType: OnnxDataType.INT64, dims: [1], data: [-1] });
  const attribute = concatBytes([stringField(ATTR_NAME, 'value'), lenField(ATTR_T, value), varintField(ATTR_TYPE_FIELD, ATTR_TYPE_TENSOR)]);
  return lenField(
    GRAPH_NODE,
    concatBytes([stringField(NODE_OUTPUT, output), stringField(NODE_NAME, name), stringField(NODE_OP_TYPE, 'Constant'), lenField(NODE_ATTRIBUTE, attribute)]),
  );
}

/** Gather(data, index [-1], axis 1): [batch, seq, …] → [batch, 1, …]. */
function gatherNode(data: string, index: string, output: string, name: string): Uint8Array {
  const axis = concatBytes([stringField(ATTR_NAME, 'axis'), varintField(ATTR_I, 1), varintField(ATTR_TYPE_FIELD, ATTR_TYPE_INT)]);
  return lenField(
    GRAPH_NODE,
    concatBytes([
      stringField(NODE_INPUT, data),
      stringField(NODE_INPUT, index),
      stringField(NODE_OUTPUT, output),
      stringField(NODE_NAME, name),
      stringField(NODE_OP_TYPE, 'Gather'),
      lenField(NODE_ATTRIBUTE, axis),
    ]),
  );
}
