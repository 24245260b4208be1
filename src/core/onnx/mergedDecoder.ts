// optimum "merged" decoders (decoder_model_merged.onnx) put the whole decoder inside one If node on the
// boolean input `use_cache_branch`: then_branch = the decoder with past keys/values, else_branch = the
// decoder without. The layer walk and the rewrite work on one flat graph, so the no-cache branch is
// inlined: its nodes replace the If node in place (the node list stays topologically sorted, since the
// If already came after everything its branches read), its initializers and value_info join the main
// graph, and branch outputs named differently from the If's outputs are connected by Identity nodes.
// Inputs that only the If read (use_cache_branch, the past caches) are dropped: nothing to feed.
// Like the rewrite, this copies every other byte verbatim (unknown fields included).

import { OnnxGraphError } from './errors';
import { describeNode, type OnnxGraph, type OnnxNode, parseModel, parseNode, parseTensorRef, parseValueInfo } from './graph';
import { ATTR_G, ATTR_NAME, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_NODE, GRAPH_OUTPUT, GRAPH_QUANTIZATION_ANNOTATION, GRAPH_SPARSE_INITIALIZER, GRAPH_VALUE_INFO, MODEL_GRAPH, NODE_ATTRIBUTE, SPARSE_VALUES } from './protoFields';
import { concatBytes, fields, lenField, readString, stringField, WIRE_LEN } from './wire';

/** The condition inputs optimum (and hand-made exports following it) use to switch the cache on. */
const CACHE_SWITCH = /^use_cache(_branch)?$/;
/** Taken when the switch is false: optimum's no-past decoder. */
const NO_CACHE_BRANCH = 'else_branch';

export interface DecoderGraph {
  graph: OnnxGraph;
  /** Names of the If nodes whose no-cache branch now sits in the main graph (empty for plain graphs). */
  inlinedIf: string[];
  /** Graph inputs dropped because only the inlined If nodes read them. */
  droppedInputs: string[];
}

/** Parses a decoder file, inlining the no-cache branch of a merged decoder. */
export function parseDecoderGraph(bytes: Uint8Array, fileLabel: string): DecoderGraph {
  const graph = parseModel(bytes, fileLabel);
  const inlined = inlineNoCacheBranches(graph);
  if (!inlined) return { graph, inlinedIf: [], droppedInputs: [] };
  return { graph: parseModel(inlined.bytes, fileLabel), inlinedIf: inlined.ifNodes, droppedInputs: inlined.droppedInputs };
}

/** If nodes switched by a `use_cache_branch` graph input. */
export function cacheSwitches(graph: OnnxGraph): OnnxNode[] {
  const inputs = new Set(graph.inputs.filter((i) => !graph.initializers.has(i.name)).map((i) => i.name));
  return graph.nodes.filter(
    (n) => n.opType === 'If' && (n.domain === '' || n.domain === 'ai.onnx') && inputs.has(n.inputs[0]) && CACHE_SWITCH.test(n.inputs[0]),
  );
}

interface Branch {
  /** Whole `node` fields, copied as they are (same field number in any GraphProto). */
  nodes: Uint8Array[];
  /** Whole initializer / sparse_initializer / value_info / quantization_annotation fields. */
  extras: Uint8Array[];
  outputs: string[];
  defined: string[];
  reads: string[];
}

/** The model with every cache switch replaced by its no-cache branch; undefined when there is none. */
export function inlineNoCacheBranches(graph: OnnxGraph): { bytes: Uint8Array; ifNodes: string[]; droppedInputs: string[] } | undefined {
  const switches = cacheSwitches(graph);
  if (switches.length === 0) return undefined;
  const { bytes, fileLabel: label } = graph;

  // Names the main graph defines, except the outputs of the If nodes being replaced.
  const replaced = new Set(switches.map((n) => n.index));
  const defined = new Set<string>([...graph.initializers.keys(), ...graph.inputs.map((i) => i.name)]);
  for (const [name, p] of graph.producerOf) if (!replaced.has(p)) defined.add(name);

  const branches = new Map<number, Branch>();
  for (const node of switches) {
    const branch = readBranch(bytes, node, label);
    if (branch.outputs.length !== node.outputs.length) {
      throw new OnnxGraphError(
        `${label}: If node ${describeNode(node)} has ${node.outputs.length} outputs but its ${NO_CACHE_BRANCH} has ${branch.outputs.length}`,
      );
    }
    for (const name of branch.defined) {
      if (defined.has(name)) {
        throw new OnnxGraphError(
          `${label}: cannot inline the ${NO_CACHE_BRANCH} of If node ${describeNode(node)}: tensor '${name}' is ` +
            `defined both inside the branch and outside it`,
        );
      }
      defined.add(name);
    }
    node.outputs.forEach((out, i) => {
      if (out !== '' && out !== branch.outputs[i]) {
        const identity = [stringField(1, branch.outputs[i]), stringField(2, out), stringField(3, `${node.name || 'If'}/inlined/${out}`), stringField(4, 'Identity')];
        branch.nodes.push(lenField(GRAPH_NODE, concatBytes(identity)));
        branch.reads.push(branch.outputs[i]);
      }
    });
    branches.set(node.index, branch);
  }

  const reads = new Set<string>(graph.outputs.map((o) => o.name));
  for (const node of graph.nodes) if (!replaced.has(node.index)) for (const t of [...node.inputs, ...node.implicitInputs]) reads.add(t);
  for (const branch of branches.values()) branch.reads.forEach((t) => reads.add(t));
  const inputAt = new Map(graph.inputs.map((i) => [i.range.start, i.name]));
  const droppedInputs: string[] = [];

  const parts: Uint8Array[] = [];
  let nodeIndex = 0;
  for (const f of fields(bytes, graph.graphPayload.start, graph.graphPayload.end)) {
    const whole = bytes.subarray(f.start, f.end);
    if (f.wireType === WIRE_LEN && f.field === GRAPH_NODE) {
      const branch = branches.get(nodeIndex++);
      parts.push(...(branch ? branch.nodes : [whole]));
    } else if (f.wireType === WIRE_LEN && f.field === GRAPH_INPUT) {
      const name = inputAt.get(f.start) ?? '';
      if (reads.has(name) || graph.initializers.has(name)) parts.push(whole);
      else droppedInputs.push(name);
    } else parts.push(whole);
  }
  for (const branch of branches.values()) parts.push(...branch.extras);
  const newGraph = concatBytes(parts);

  const model: Uint8Array[] = [];
  for (const f of fields(bytes)) {
    model.push(f.field === MODEL_GRAPH && f.wireType === WIRE_LEN ? lenField(MODEL_GRAPH, newGraph) : bytes.subarray(f.start, f.end));
  }
  return { bytes: concatBytes(model), ifNodes: switches.map((n) => n.name), droppedInputs };
}

function readBranch(bytes: Uint8Array, node: OnnxNode, label: string): Branch {
  let graphStart = -1;
  let graphEnd = -1;
  for (const f of fields(bytes, node.range.start, node.range.end)) {
    // node.range is the whole `node` field: its payload holds the NodeProto fields.
    for (const a of fields(bytes, f.dataStart, f.dataEnd)) {
      if (a.field !== NODE_ATTRIBUTE || a.wireType !== WIRE_LEN) continue;
      let name = '';
      let g: [number, number] | undefined;
      for (const x of fields(bytes, a.dataStart, a.dataEnd)) {
        if (x.wireType !== WIRE_LEN) continue;
        if (x.field === ATTR_NAME) name = readString(bytes, x);
        else if (x.field === ATTR_G) g = [x.dataStart, x.dataEnd];
      }
      if (name === NO_CACHE_BRANCH && g) [graphStart, graphEnd] = g;
    }
  }
  if (graphStart < 0) {
    throw new OnnxGraphError(`${label}: If node ${describeNode(node)} has no ${NO_CACHE_BRANCH} subgraph`);
  }
  const branch: Branch = { nodes: [], extras: [], outputs: [], defined: [], reads: [] };
  for (const g of fields(bytes, graphStart, graphEnd)) {
    if (g.wireType !== WIRE_LEN) continue;
    const whole = bytes.subarray(g.start, g.end);
    switch (g.field) {
      case GRAPH_NODE: {
        const n = parseNode(bytes, g, -1);
        branch.nodes.push(whole);
        branch.defined.push(...n.outputs.filter((o) => o !== ''));
        branch.reads.push(...n.inputs, ...n.implicitInputs);
        break;
      }
      case GRAPH_INITIALIZER:
        branch.extras.push(whole);
        branch.defined.push(parseTensorRef(bytes, g.dataStart, g.dataEnd).name);
        break;
      case GRAPH_SPARSE_INITIALIZER:
        branch.extras.push(whole);
        for (const v of fields(bytes, g.dataStart, g.dataEnd)) {
          if (v.field === SPARSE_VALUES && v.wireType === WIRE_LEN) branch.defined.push(parseTensorRef(bytes, v.dataStart, v.dataEnd).name);
        }
        break;
      case GRAPH_VALUE_INFO:
      case GRAPH_QUANTIZATION_ANNOTATION:
        branch.extras.push(whole);
        break;
      case GRAPH_OUTPUT:
        branch.outputs.push(parseValueInfo(bytes, g).name);
        break;
      case GRAPH_INPUT:
        throw new OnnxGraphError(`${label}: the ${NO_CACHE_BRANCH} of If node ${describeNode(node)} declares inputs (If branches take none)`);
    }
  }
  return branch;
}
