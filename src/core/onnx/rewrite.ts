// Builds, in memory, a copy of the model whose outputs are the activations to probe.
// Untouched fields are copied byte for byte (unknown fields and weights included). The requested
// tensors become graph outputs; `logits` is dropped unless asked for, and so is every node that no kept
// output needs — onnxruntime computes every node otherwise, and lm_head (plus any layer after the last
// probed one) is 20–30 % of the time. A fused final norm may be re-emitted with its residual-sum output.
// The user's files are never written.

import { OnnxGraphError } from './errors';
import type { OnnxGraph } from './graph';
import type { LayerMap } from './layers';
import { GRAPH_INITIALIZER, GRAPH_NODE, GRAPH_OUTPUT, GRAPH_VALUE_INFO, MODEL_GRAPH, NODE_OUTPUT, VALUE_INFO_NAME } from './protoFields';
import { concatBytes, encodeVarint, fields, lenField, stringField, tag, WIRE_LEN } from './wire';

export interface RewriteOptions {
  /** Tensor names to expose as graph outputs (duplicates ignored). */
  tensors: string[];
  /** Also keep the `logits` output (costs the lm_head MatMul). */
  keepLogits: boolean;
}

/** Serialized ModelProto exposing `tensors` (and logits if asked) and computing nothing else. */
export function rewriteForActivations(graph: OnnxGraph, layerMap: LayerMap, options: RewriteOptions): Uint8Array {
  const { bytes } = graph;
  const reemitted = new Map(layerMap.reemit.map((r) => [r.node, r.outputs]));
  const producerOf = new Map(graph.producerOf);
  for (const [node, outputs] of reemitted) for (const o of outputs) if (o !== '') producerOf.set(o, node);

  const outputNames = [...new Set([...options.tensors, ...(options.keepLogits ? [layerMap.logits] : [])])];
  if (outputNames.length === 0) {
    throw new OnnxGraphError(`${graph.fileLabel}: nothing to compute (no tensors requested and no logits)`);
  }
  const graphInputs = new Set(graph.inputs.map((i) => i.name));
  for (const name of outputNames) {
    if (!producerOf.has(name) && !graphInputs.has(name) && !graph.initializers.has(name)) {
      throw new OnnxGraphError(`${graph.fileLabel}: cannot expose tensor '${name}': no node of the graph computes it`);
    }
  }

  const kept = neededNodes(graph, producerOf, outputNames);
  const keptTensors = new Set<string>();
  for (const n of kept) {
    const node = graph.nodes[n];
    for (const t of [...node.inputs, ...node.implicitInputs, ...(reemitted.get(n) ?? node.outputs)]) keptTensors.add(t);
  }

  // Declared types for the new outputs where the file has them (original outputs, value_info);
  // a name alone is enough for onnxruntime, which infers the rest.
  const declared = new Map<string, Uint8Array>();
  for (const info of [...graph.valueInfo, ...graph.outputs]) declared.set(info.name, fieldPayload(bytes, info.range.start));
  const initializerAt = new Map([...graph.initializers.values()].map((t) => [t.range?.start, t.name]));
  const valueInfoAt = new Map(graph.valueInfo.map((v) => [v.range.start, v.name]));
  const outputAt = new Map(graph.outputs.map((o) => [o.range.start, o.name]));
  // Requested outputs come first, in request order; see GRAPH_OUTPUT below for the others kept.
  const newOutputs = outputNames.map((name) => lenField(GRAPH_OUTPUT, declared.get(name) ?? stringField(VALUE_INFO_NAME, name)));
  const exposed = new Set(outputNames);

  const graphParts: Uint8Array[] = [];
  let outputsWritten = false;
  const writeOutputs = (): void => {
    if (!outputsWritten) graphParts.push(...newOutputs);
    outputsWritten = true;
  };
  let nodeIndex = 0;
  for (const f of fields(bytes, graph.graphPayload.start, graph.graphPayload.end)) {
    const whole = bytes.subarray(f.start, f.end);
    if (f.wireType !== WIRE_LEN) {
      graphParts.push(whole);
      continue;
    }
    switch (f.field) {
      case GRAPH_NODE: {
        const n = nodeIndex++;
        if (!kept.has(n)) break;
        const outputs = reemitted.get(n);
        graphParts.push(outputs ? reemitNode(bytes, f.dataStart, f.dataEnd, outputs) : whole);
        break;
      }
      case GRAPH_INITIALIZER: {
        // Unused weights would only cost memory (and a warning from onnxruntime); inputs keep theirs.
        const name = initializerAt.get(f.start) ?? '';
        if (keptTensors.has(name) || graphInputs.has(name) || exposed.has(name)) graphParts.push(whole);
        break;
      }
      case GRAPH_OUTPUT: {
        writeOutputs();
        // An original output that a kept node computes anyway (the KV cache `present.*` of a kept
        // attention node) stays an output: it costs no compute, and dropping it lets onnxruntime plan
        // to reuse the empty `past` buffer for it, which fails at run time on GroupQueryAttention
        // ("Shape mismatch attempting to re-use buffer"). Callers simply do not fetch it.
        const name = outputAt.get(f.start) ?? '';
        if (name !== layerMap.logits && !exposed.has(name) && keptTensors.has(name)) {
          graphParts.push(whole);
        }
        break;
      }
      case GRAPH_VALUE_INFO: {
        const name = valueInfoAt.get(f.start) ?? '';
        // Exposed tensors carry their declaration as outputs now; stale ones describe dropped nodes.
        if (keptTensors.has(name) && !exposed.has(name)) graphParts.push(whole);
        break;
      }
      default:
        graphParts.push(whole);
    }
  }
  writeOutputs();

  // One allocation for the whole model: with weights embedded in the graph, building the graph payload,
  // then its field, then the model (three copies) held 3.5× the model file at once.
  let graphLength = 0;
  for (const p of graphParts) graphLength += p.length;
  const modelParts: Uint8Array[] = [];
  for (const f of fields(bytes)) {
    if (f.field === MODEL_GRAPH && f.wireType === WIRE_LEN) {
      modelParts.push(tag(MODEL_GRAPH, WIRE_LEN), encodeVarint(graphLength));
      for (const p of graphParts) modelParts.push(p);
    } else modelParts.push(bytes.subarray(f.start, f.end));
  }
  return concatBytes(modelParts);
}

/** Backward closure over producers from the outputs (subgraph reads included). */
function neededNodes(graph: OnnxGraph, producerOf: Map<string, number>, outputs: string[]): Set<number> {
  const kept = new Set<number>();
  const stack: string[] = [...outputs];
  while (stack.length > 0) {
    const t = stack.pop()!;
    const p = producerOf.get(t);
    if (p === undefined || kept.has(p)) continue;
    kept.add(p);
    const node = graph.nodes[p];
    for (const i of [...node.inputs, ...node.implicitInputs]) if (i !== '') stack.push(i);
  }
  return kept;
}

/** The node field rewritten with new outputs; every other field of the node is copied as is. */
function reemitNode(bytes: Uint8Array, start: number, end: number, outputs: string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let written = false;
  for (const f of fields(bytes, start, end)) {
    if (f.field === NODE_OUTPUT && f.wireType === WIRE_LEN) {
      if (!written) parts.push(...outputs.map((o) => stringField(NODE_OUTPUT, o)));
      written = true;
    } else parts.push(bytes.subarray(f.start, f.end));
  }
  if (!written) parts.push(...outputs.map((o) => stringField(NODE_OUTPUT, o)));
  return lenField(GRAPH_NODE, concatBytes(parts));
}

/** Payload of the length-delimited field starting at `start`, to re-wrap it under another field number. */
function fieldPayload(bytes: Uint8Array, start: number): Uint8Array {
  const f = fields(bytes, start).next().value;
  return f ? bytes.subarray(f.dataStart, f.dataEnd) : new Uint8Array(0);
}
