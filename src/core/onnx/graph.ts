// A read-only view of an ONNX model's graph, built by walking the protobuf wire format.
// Only names, shapes and byte ranges are decoded: weights stay where they are in the buffer (parsing
// costs the same for a 40 MB or a 2 GB file), and the rewrite can copy untouched bytes (unknown fields
// included) instead of re-encoding them.

import { OnnxGraphError } from './errors';
import { ATTR_F, ATTR_G, ATTR_GRAPHS, ATTR_I, ATTR_NAME, ATTR_S, ATTR_T, DIM_PARAM, DIM_VALUE, ENTRY_KEY, ENTRY_VALUE, GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_NAME, GRAPH_NODE, GRAPH_OUTPUT, GRAPH_VALUE_INFO, MODEL_GRAPH, MODEL_OPSET_IMPORT, NODE_ATTRIBUTE, NODE_DOMAIN, NODE_INPUT, NODE_NAME, NODE_OP_TYPE, NODE_OUTPUT, OPSET_DOMAIN, OPSET_VERSION, SHAPE_DIM, TENSOR_DATA_LOCATION, TENSOR_DATA_TYPE, TENSOR_DIMS, TENSOR_EXTERNAL_DATA, TENSOR_NAME, TENSOR_TYPE_ELEM, TENSOR_TYPE_SHAPE, TYPE_TENSOR, VALUE_INFO_NAME, VALUE_INFO_TYPE } from './protoFields';
import {
  fields,
  readInt64Varint,
  readString,
  readVarint,
  WIRE_I32,
  WIRE_LEN,
  WIRE_VARINT,
  type WireField,
} from './wire';

export * from './elemTypes';
export { OnnxGraphError } from './errors';
// Weight decoding lives in its own file; re-exported so callers need one import for graph access.
export { findTensorRef,readInitializerFloat32 } from './initializerData';

/** Byte range [start, end) in the model buffer. For fields: from the tag to the end of the payload. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface OnnxNode {
  /** Position in the graph's node list (ONNX requires this list to be topologically sorted). */
  index: number;
  name: string;
  opType: string;
  /** '' for the default ONNX domain, e.g. 'com.microsoft' for contrib ops. */
  domain: string;
  /** '' marks an omitted optional input/output. */
  inputs: string[];
  outputs: string[];
  /** Outer-scope tensors read by subgraph attributes (If/Loop/Scan bodies); needed when pruning. */
  implicitInputs: string[];
  /** Scalar attributes (float `f`, int `i`, string `s`), e.g. a norm's `epsilon`; others are not decoded. */
  attributes: Record<string, number | string>;
  /** The whole `node` field in the model buffer, so the rewrite can copy it verbatim. */
  range: ByteRange;
  /** Parsed `value` of a Constant node (tensor header only, data left in place). */
  constantValue?: OnnxTensorRef;
}

/** One dimension of a declared shape: a fixed size, a symbolic name, or unknown (neither). */
export interface OnnxDim {
  value?: number;
  param?: string;
}

export interface OnnxValueInfo {
  name: string;
  /** TensorProto.DataType, undefined when the value is not a tensor or the type is not declared. */
  elemType?: number;
  /** undefined when the shape is not declared at all (rank unknown). */
  dims?: OnnxDim[];
  range: ByteRange;
}

/** A TensorProto located in the buffer; its data is decoded only on request. */
export interface OnnxTensorRef {
  name: string;
  dataType: number;
  dims: number[];
  /** Payload of the TensorProto message (without its tag/length). */
  payload: ByteRange;
  /** Whole `initializer` field in the graph (absent for Constant node values). */
  range?: ByteRange;
  /** key → value of `external_data` (location, offset, length, checksum). Empty when stored inline. */
  externalData: Record<string, string>;
  /** TensorProto.DataLocation: 0 = DEFAULT (inline), 1 = EXTERNAL. */
  dataLocation: number;
}

export interface OnnxOpset {
  domain: string;
  version: number;
}

export interface OnnxGraph {
  /** How errors name this model (usually its file path). */
  fileLabel: string;
  /** The whole ModelProto buffer; every range below indexes into it. */
  bytes: Uint8Array;
  /** The `graph` field of the ModelProto (tag to end). */
  graphField: ByteRange;
  /** The GraphProto payload inside it. */
  graphPayload: ByteRange;
  name: string;
  opsets: OnnxOpset[];
  nodes: OnnxNode[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  valueInfo: OnnxValueInfo[];
  initializers: Map<string, OnnxTensorRef>;
  /** Tensor name → index of the node producing it. Graph inputs and initializers have none. */
  producerOf: Map<string, number>;
  /** Tensor name → indices of the nodes reading it (explicitly or from a subgraph). */
  consumersOf: Map<string, number[]>;
}

// Field numbers of onnx.proto3 messages (only those we read).

/** Parses the graph structure of a serialized ModelProto. `fileLabel` names the file in errors. */
export function parseModel(bytes: Uint8Array, fileLabel: string): OnnxGraph {
  try {
    return parseModelUnchecked(bytes, fileLabel);
  } catch (err) {
    if (err instanceof OnnxGraphError) throw err;
    // Wire-level failures (truncated file, wrong format) must still name the file.
    throw new OnnxGraphError(`${fileLabel}: not a readable ONNX model (${(err as Error).message})`);
  }
}

function parseModelUnchecked(bytes: Uint8Array, fileLabel: string): OnnxGraph {
  let graphField: WireField | undefined;
  const opsets: OnnxOpset[] = [];
  for (const f of fields(bytes)) {
    if (f.field === MODEL_GRAPH && f.wireType === WIRE_LEN) graphField = f;
    else if (f.field === MODEL_OPSET_IMPORT && f.wireType === WIRE_LEN) opsets.push(parseOpset(bytes, f));
  }
  if (!graphField) throw new OnnxGraphError(`${fileLabel}: no graph in this file (is it an ONNX model?)`);

  const graph: OnnxGraph = {
    fileLabel,
    bytes,
    graphField: { start: graphField.start, end: graphField.end },
    graphPayload: { start: graphField.dataStart, end: graphField.dataEnd },
    name: '',
    opsets,
    nodes: [],
    inputs: [],
    outputs: [],
    valueInfo: [],
    initializers: new Map(),
    producerOf: new Map(),
    consumersOf: new Map(),
  };
  for (const f of fields(bytes, graphField.dataStart, graphField.dataEnd)) {
    if (f.wireType !== WIRE_LEN) continue;
    switch (f.field) {
      case GRAPH_NODE:
        graph.nodes.push(parseNode(bytes, f, graph.nodes.length));
        break;
      case GRAPH_NAME:
        graph.name = readString(bytes, f);
        break;
      case GRAPH_INITIALIZER: {
        const t = parseTensorRef(bytes, f.dataStart, f.dataEnd);
        t.range = { start: f.start, end: f.end };
        graph.initializers.set(t.name, t);
        break;
      }
      case GRAPH_INPUT:
        graph.inputs.push(parseValueInfo(bytes, f));
        break;
      case GRAPH_OUTPUT:
        graph.outputs.push(parseValueInfo(bytes, f));
        break;
      case GRAPH_VALUE_INFO:
        graph.valueInfo.push(parseValueInfo(bytes, f));
        break;
    }
  }
  for (const node of graph.nodes) {
    for (const out of node.outputs) {
      if (out === '') continue;
      if (graph.producerOf.has(out)) {
        const other = graph.nodes[graph.producerOf.get(out)!];
        throw new OnnxGraphError(
          `${fileLabel}: tensor '${out}' is produced by two nodes ('${other.name}' and '${node.name}')`,
        );
      }
      graph.producerOf.set(out, node.index);
    }
    for (const inp of [...node.inputs, ...node.implicitInputs]) {
      if (inp === '') continue;
      const list = graph.consumersOf.get(inp);
      if (list) list.push(node.index);
      else graph.consumersOf.set(inp, [node.index]);
    }
  }
  return graph;
}

function parseOpset(bytes: Uint8Array, f: WireField): OnnxOpset {
  const opset: OnnxOpset = { domain: '', version: 0 };
  for (const g of fields(bytes, f.dataStart, f.dataEnd)) {
    if (g.field === OPSET_DOMAIN && g.wireType === WIRE_LEN) opset.domain = readString(bytes, g);
    else if (g.field === OPSET_VERSION && g.wireType === WIRE_VARINT) opset.version = g.varint;
  }
  return opset;
}

/** Parses one `node` field (NodeProto) of a graph, main graph or subgraph alike. */
export function parseNode(bytes: Uint8Array, f: WireField, index: number): OnnxNode {
  const node: OnnxNode = {
    index,
    name: '',
    opType: '',
    domain: '',
    inputs: [],
    outputs: [],
    implicitInputs: [],
    attributes: {},
    range: { start: f.start, end: f.end },
  };
  const subgraphs: WireField[] = [];
  let valueAttr: WireField | undefined;
  for (const g of fields(bytes, f.dataStart, f.dataEnd)) {
    if (g.wireType !== WIRE_LEN) continue;
    switch (g.field) {
      case NODE_INPUT:
        node.inputs.push(readString(bytes, g));
        break;
      case NODE_OUTPUT:
        node.outputs.push(readString(bytes, g));
        break;
      case NODE_NAME:
        node.name = readString(bytes, g);
        break;
      case NODE_OP_TYPE:
        node.opType = readString(bytes, g);
        break;
      case NODE_DOMAIN:
        node.domain = readString(bytes, g);
        break;
      case NODE_ATTRIBUTE: {
        let attrName = '';
        let tensor: WireField | undefined;
        let scalar: number | string | undefined;
        for (const a of fields(bytes, g.dataStart, g.dataEnd)) {
          if (a.field === ATTR_F && a.wireType === WIRE_I32) {
            scalar = new DataView(bytes.buffer, bytes.byteOffset + a.dataStart, 4).getFloat32(0, true);
          } else if (a.field === ATTR_I && a.wireType === WIRE_VARINT) {
            scalar = Number(readInt64Varint(bytes, a.dataStart)[0]);
          } else if (a.wireType !== WIRE_LEN) continue;
          else if (a.field === ATTR_NAME) attrName = readString(bytes, a);
          else if (a.field === ATTR_S) scalar = readString(bytes, a);
          else if (a.field === ATTR_T) tensor = a;
          else if (a.field === ATTR_G || a.field === ATTR_GRAPHS) subgraphs.push(a);
        }
        if (attrName === 'value' && tensor) valueAttr = tensor;
        if (attrName !== '' && scalar !== undefined) node.attributes[attrName] = scalar;
        break;
      }
    }
  }
  if (node.opType === 'Constant' && valueAttr) {
    node.constantValue = parseTensorRef(bytes, valueAttr.dataStart, valueAttr.dataEnd);
    if (node.constantValue.name === '' && node.outputs[0]) node.constantValue.name = node.outputs[0];
  }
  if (subgraphs.length > 0) node.implicitInputs = subgraphOuterReads(bytes, subgraphs);
  return node;
}

/** Tensors a subgraph reads but does not define itself: they come from the enclosing graph. */
function subgraphOuterReads(bytes: Uint8Array, graphsFields: WireField[]): string[] {
  const defined = new Set<string>();
  const read = new Set<string>();
  const visit = (start: number, end: number): void => {
    for (const g of fields(bytes, start, end)) {
      if (g.wireType !== WIRE_LEN) continue;
      if (g.field === GRAPH_INPUT) defined.add(parseValueInfo(bytes, g).name);
      else if (g.field === GRAPH_INITIALIZER) defined.add(parseTensorRef(bytes, g.dataStart, g.dataEnd).name);
      else if (g.field === GRAPH_NODE) {
        const n = parseNode(bytes, g, -1);
        n.outputs.forEach((o) => defined.add(o));
        [...n.inputs, ...n.implicitInputs].forEach((i) => read.add(i));
      }
    }
  };
  for (const g of graphsFields) visit(g.dataStart, g.dataEnd);
  return [...read].filter((name) => name !== '' && !defined.has(name));
}

/** Parses one ValueInfoProto field (graph input, output or value_info). */
export function parseValueInfo(bytes: Uint8Array, f: WireField): OnnxValueInfo {
  const info: OnnxValueInfo = { name: '', range: { start: f.start, end: f.end } };
  for (const g of fields(bytes, f.dataStart, f.dataEnd)) {
    if (g.wireType !== WIRE_LEN) continue;
    if (g.field === VALUE_INFO_NAME) info.name = readString(bytes, g);
    else if (g.field === VALUE_INFO_TYPE) {
      for (const t of fields(bytes, g.dataStart, g.dataEnd)) {
        if (t.field !== TYPE_TENSOR || t.wireType !== WIRE_LEN) continue;
        for (const tt of fields(bytes, t.dataStart, t.dataEnd)) {
          if (tt.field === TENSOR_TYPE_ELEM && tt.wireType === WIRE_VARINT) info.elemType = tt.varint;
          else if (tt.field === TENSOR_TYPE_SHAPE && tt.wireType === WIRE_LEN) info.dims = parseShape(bytes, tt);
        }
      }
    }
  }
  return info;
}

function parseShape(bytes: Uint8Array, f: WireField): OnnxDim[] {
  const dims: OnnxDim[] = [];
  for (const d of fields(bytes, f.dataStart, f.dataEnd)) {
    if (d.field !== SHAPE_DIM || d.wireType !== WIRE_LEN) continue;
    const dim: OnnxDim = {};
    for (const v of fields(bytes, d.dataStart, d.dataEnd)) {
      if (v.field === DIM_VALUE && v.wireType === WIRE_VARINT) dim.value = v.varint;
      else if (v.field === DIM_PARAM && v.wireType === WIRE_LEN) dim.param = readString(bytes, v);
    }
    dims.push(dim);
  }
  return dims;
}

/** Reads a TensorProto's header (name, type, dims, where its data lives) without touching the data. */
export function parseTensorRef(bytes: Uint8Array, start: number, end: number): OnnxTensorRef {
  const t: OnnxTensorRef = {
    name: '',
    dataType: 0,
    dims: [],
    payload: { start, end },
    externalData: {},
    dataLocation: 0,
  };
  for (const f of fields(bytes, start, end)) {
    switch (f.field) {
      case TENSOR_DIMS:
        if (f.wireType === WIRE_VARINT) t.dims.push(f.varint);
        else if (f.wireType === WIRE_LEN) {
          // Packed repeated int64 (the proto3 default encoding).
          let pos = f.dataStart;
          while (pos < f.dataEnd) {
            const [v, next] = readVarint(bytes, pos);
            t.dims.push(v);
            pos = next;
          }
        }
        break;
      case TENSOR_DATA_TYPE:
        if (f.wireType === WIRE_VARINT) t.dataType = f.varint;
        break;
      case TENSOR_NAME:
        if (f.wireType === WIRE_LEN) t.name = readString(bytes, f);
        break;
      case TENSOR_EXTERNAL_DATA:
        if (f.wireType === WIRE_LEN) {
          let key = '';
          let value = '';
          for (const e of fields(bytes, f.dataStart, f.dataEnd)) {
            if (e.field === ENTRY_KEY && e.wireType === WIRE_LEN) key = readString(bytes, e);
            else if (e.field === ENTRY_VALUE && e.wireType === WIRE_LEN) value = readString(bytes, e);
          }
          t.externalData[key] = value;
        }
        break;
      case TENSOR_DATA_LOCATION:
        if (f.wireType === WIRE_VARINT) t.dataLocation = f.varint;
        break;
    }
  }
  return t;
}

/** A node's description for error messages: `'name' (OpType)`. */
export function describeNode(node: OnnxNode): string {
  return `'${node.name || node.outputs[0] || `#${node.index}`}' (${node.opType})`;
}
