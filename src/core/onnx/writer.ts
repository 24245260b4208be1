// A small ONNX ModelProto builder over the protobuf wire format (see wire.ts).
// Used to write the built-in demo model and, in tests, graphs that exercise the graph walker; it is not a
// general converter. Field numbers follow onnx/onnx.proto (proto2: repeated scalars are written unpacked,
// as the reference `onnx` Python package does). Output is deterministic: same calls, same bytes.

import { concatBytes, floatField, lenField, stringField, varintField } from './wire';

/** TensorProto.DataType values used here (onnx.proto). */
export const OnnxDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
} as const;
export type OnnxDataTypeValue = (typeof OnnxDataType)[keyof typeof OnnxDataType];

/** A dimension: a fixed size, or a symbolic name such as 'batch'. */
export type Dim = number | string;

/**
 * A tensor value, always stored as raw little-endian bytes. float16 data is given as half bits (see
 * half.ts float32ToHalfBits): a JS number cannot say which half it rounds to, the caller decides.
 */
export type TensorValue =
  | { dataType: typeof OnnxDataType.FLOAT; dims: readonly number[]; data: Float32Array | readonly number[] }
  | { dataType: typeof OnnxDataType.INT64; dims: readonly number[]; data: BigInt64Array | readonly (number | bigint)[] }
  | { dataType: typeof OnnxDataType.INT32; dims: readonly number[]; data: Int32Array | readonly number[] }
  | { dataType: typeof OnnxDataType.FLOAT16; dims: readonly number[]; data: Uint16Array }
  | {
      dataType: typeof OnnxDataType.UINT8 | typeof OnnxDataType.INT8 | typeof OnnxDataType.BOOL;
      dims: readonly number[];
      data: Uint8Array | Int8Array | readonly number[];
    };

/** Where an initializer's bytes live when they are not in the model file (TensorProto.external_data). */
export interface ExternalDataRef {
  location: string;
  offset: number;
  length: number;
}

/** A node attribute; the kind is explicit because a JS number cannot say whether it is an int or a float. */
export type Attribute =
  | { kind: 'int'; value: number | bigint }
  | { kind: 'ints'; value: readonly (number | bigint)[] }
  | { kind: 'float'; value: number }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'string'; value: string }
  | { kind: 'tensor'; value: TensorValue }
  | { kind: 'graph'; value: OnnxGraphBuilder };

/** Attribute constructors: `{ axis: attr.int(-1), perm: attr.ints([0, 2, 1, 3]) }`. */
export const attr = {
  int: (value: number | bigint): Attribute => ({ kind: 'int', value }),
  ints: (value: readonly (number | bigint)[]): Attribute => ({ kind: 'ints', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  tensor: (value: TensorValue): Attribute => ({ kind: 'tensor', value }),
  /** A subgraph, e.g. the `then_branch` / `else_branch` of an If node. */
  graph: (value: OnnxGraphBuilder): Attribute => ({ kind: 'graph', value }),
};

export interface NodeSpec {
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name?: string;
  /** Operator domain; '' (the default ONNX domain) when omitted. */
  domain?: string;
  attributes?: Readonly<Record<string, Attribute>>;
}

export interface ModelBuilderOptions {
  graphName?: string;
  /** Default-domain opset version (17 unless told). */
  opsetVersion?: number;
  irVersion?: number;
  producerName?: string;
  docString?: string;
}

// onnx.proto field numbers, named so the encoders below read like the schema.
const MODEL = { irVersion: 1, producerName: 2, docString: 6, graph: 7, opsetImport: 8 } as const;
const OPSET = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
const ATTR = { name: 1, f: 2, i: 3, s: 4, t: 5, g: 6, floats: 7, ints: 8, type: 20 } as const;
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7 } as const;
const TENSOR = { dims: 1, dataType: 2, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
const ENTRY = { key: 1, value: 2 } as const;
const DATA_LOCATION_EXTERNAL = 1;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensorType: 1 } as const;
const TENSOR_TYPE = { elemType: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIM = { value: 1, param: 2 } as const;

const utf8 = new TextEncoder();

/** Element size in bytes of the types TensorValue can hold. */
const ELEMENT_BYTES: Record<TensorValue['dataType'], number> = {
  [OnnxDataType.FLOAT]: 4,
  [OnnxDataType.INT64]: 8,
  [OnnxDataType.INT32]: 4,
  [OnnxDataType.FLOAT16]: 2,
  [OnnxDataType.UINT8]: 1,
  [OnnxDataType.INT8]: 1,
  [OnnxDataType.BOOL]: 1,
};

/** The tensor's data as little-endian bytes, whatever the host's byte order. */
export function tensorRawBytes(name: string, value: TensorValue): Uint8Array {
  const count = value.dims.reduce((a, b) => a * b, 1);
  if (value.data.length !== count) {
    throw new Error(`tensor ${name}: ${value.data.length} values for dims [${value.dims.join(', ')}]`);
  }
  const raw = new Uint8Array(count * ELEMENT_BYTES[value.dataType]);
  const view = new DataView(raw.buffer);
  switch (value.dataType) {
    case OnnxDataType.FLOAT:
      for (let i = 0; i < count; i++) view.setFloat32(i * 4, value.data[i], true);
      break;
    case OnnxDataType.INT64:
      for (let i = 0; i < count; i++) view.setBigInt64(i * 8, BigInt(value.data[i]), true);
      break;
    case OnnxDataType.INT32:
      for (let i = 0; i < count; i++) view.setInt32(i * 4, value.data[i], true);
      break;
    case OnnxDataType.FLOAT16:
      for (let i = 0; i < count; i++) view.setUint16(i * 2, value.data[i], true);
      break;
    default:
      for (let i = 0; i < count; i++) view.setUint8(i, value.data[i] & 0xff);
  }
  return raw;
}

/**
 * Encodes a TensorProto. Data goes to raw_data, or, with `external`, only a reference to it is written
 * (the caller writes the bytes into that file).
 */
export function encodeTensor(name: string, value: TensorValue, external?: ExternalDataRef): Uint8Array {
  const head = [...value.dims.map((d) => varintField(TENSOR.dims, d)), varintField(TENSOR.dataType, value.dataType), stringField(TENSOR.name, name)];
  if (!external) return concatBytes([...head, lenField(TENSOR.rawData, tensorRawBytes(name, value))]);
  const entry = (key: string, v: string): Uint8Array =>
    lenField(TENSOR.externalData, concatBytes([stringField(ENTRY.key, key), stringField(ENTRY.value, v)]));
  return concatBytes([
    ...head,
    entry('location', external.location),
    entry('offset', String(external.offset)),
    entry('length', String(external.length)),
    varintField(TENSOR.dataLocation, DATA_LOCATION_EXTERNAL),
  ]);
}

function encodeAttribute(name: string, a: Attribute): Uint8Array {
  const parts: Uint8Array[] = [stringField(ATTR.name, name)];
  switch (a.kind) {
    case 'int':
      parts.push(varintField(ATTR.i, a.value), varintField(ATTR.type, ATTR_TYPE.INT));
      break;
    case 'ints':
      parts.push(...a.value.map((v) => varintField(ATTR.ints, v)), varintField(ATTR.type, ATTR_TYPE.INTS));
      break;
    case 'float':
      parts.push(floatField(ATTR.f, a.value), varintField(ATTR.type, ATTR_TYPE.FLOAT));
      break;
    case 'floats':
      parts.push(...a.value.map((v) => floatField(ATTR.floats, v)), varintField(ATTR.type, ATTR_TYPE.FLOATS));
      break;
    case 'string':
      parts.push(lenField(ATTR.s, utf8.encode(a.value)), varintField(ATTR.type, ATTR_TYPE.STRING));
      break;
    case 'tensor':
      parts.push(lenField(ATTR.t, encodeTensor('', a.value)), varintField(ATTR.type, ATTR_TYPE.TENSOR));
      break;
    case 'graph':
      parts.push(lenField(ATTR.g, a.value.encodeGraph()), varintField(ATTR.type, ATTR_TYPE.GRAPH));
      break;
  }
  return concatBytes(parts);
}

function encodeNode(node: NodeSpec): Uint8Array {
  const parts: Uint8Array[] = [
    ...node.inputs.map((s) => stringField(NODE.input, s)),
    ...node.outputs.map((s) => stringField(NODE.output, s)),
  ];
  if (node.name !== undefined) parts.push(stringField(NODE.name, node.name));
  parts.push(stringField(NODE.opType, node.opType));
  for (const [name, a] of Object.entries(node.attributes ?? {})) parts.push(lenField(NODE.attribute, encodeAttribute(name, a)));
  if (node.domain) parts.push(stringField(NODE.domain, node.domain));
  return concatBytes(parts);
}

/** ValueInfoProto; without elemType only the name is written (ORT infers the type of such outputs). */
function encodeValueInfo(name: string, elemType?: OnnxDataTypeValue, dims?: readonly Dim[]): Uint8Array {
  const parts: Uint8Array[] = [stringField(VALUE_INFO.name, name)];
  if (elemType !== undefined) {
    const tensorType: Uint8Array[] = [varintField(TENSOR_TYPE.elemType, elemType)];
    if (dims !== undefined) {
      const shape = dims.map((d) =>
        lenField(SHAPE.dim, typeof d === 'number' ? varintField(DIM.value, d) : stringField(DIM.param, d)),
      );
      tensorType.push(lenField(TENSOR_TYPE.shape, concatBytes(shape)));
    }
    parts.push(lenField(VALUE_INFO.type, lenField(TYPE.tensorType, concatBytes(tensorType))));
  }
  return concatBytes(parts);
}

interface ValueInfoSpec {
  name: string;
  elemType?: OnnxDataTypeValue;
  dims?: readonly Dim[];
}

/**
 * Collects one GraphProto: the main graph of a model, or a subgraph given to a node attribute
 * (`attr.graph`), which may read tensors of the enclosing graph by name.
 */
export class OnnxGraphBuilder {
  private readonly inputs: ValueInfoSpec[] = [];
  private readonly outputs: ValueInfoSpec[] = [];
  private readonly initializers: Uint8Array[] = [];
  private readonly initializerNames = new Set<string>();
  private readonly nodes: NodeSpec[] = [];

  constructor(readonly graphName = 'main_graph') {}

  addInput(name: string, elemType: OnnxDataTypeValue, dims: readonly Dim[]): this {
    this.inputs.push({ name, elemType, dims });
    return this;
  }

  /** A graph output; leave elemType out to give only the name. */
  addOutput(name: string, elemType?: OnnxDataTypeValue, dims?: readonly Dim[]): this {
    this.outputs.push({ name, elemType, dims });
    return this;
  }

  addFloatInitializer(name: string, dims: readonly number[], data: Float32Array | readonly number[]): this {
    return this.addInitializer(name, { dataType: OnnxDataType.FLOAT, dims, data });
  }

  addInt64Initializer(name: string, dims: readonly number[], data: BigInt64Array | readonly (number | bigint)[]): this {
    return this.addInitializer(name, { dataType: OnnxDataType.INT64, dims, data });
  }

  /** With `external`, the data stays out of the model: the caller writes it at that place of that file. */
  addInitializer(name: string, value: TensorValue, external?: ExternalDataRef): this {
    if (this.initializerNames.has(name)) throw new Error(`initializer ${name} defined twice`);
    // Encoded now so the (possibly large) source array need not be kept alive; the name is taken only
    // once encoding succeeded, so a rejected tensor leaves the builder unchanged.
    this.initializers.push(encodeTensor(name, value, external));
    this.initializerNames.add(name);
    return this;
  }

  addNode(node: NodeSpec): this {
    this.nodes.push(node);
    return this;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  /** The GraphProto payload. */
  encodeGraph(): Uint8Array {
    return concatBytes([
      ...this.nodes.map((n) => lenField(GRAPH.node, encodeNode(n))),
      stringField(GRAPH.name, this.graphName),
      ...this.initializers.map((t) => lenField(GRAPH.initializer, t)),
      ...this.inputs.map((v) => lenField(GRAPH.input, encodeValueInfo(v.name, v.elemType, v.dims))),
      ...this.outputs.map((v) => lenField(GRAPH.output, encodeValueInfo(v.name, v.elemType, v.dims))),
    ]);
  }
}

/** Collects a graph and serialises it as one ModelProto (weights embedded unless given an external place). */
export class OnnxModelBuilder extends OnnxGraphBuilder {
  private readonly extraOpsets = new Map<string, number>();
  private readonly options: Required<ModelBuilderOptions>;

  constructor(options: ModelBuilderOptions = {}) {
    super(options.graphName ?? 'main_graph');
    this.options = {
      graphName: this.graphName,
      opsetVersion: options.opsetVersion ?? 17,
      irVersion: options.irVersion ?? 8,
      producerName: options.producerName ?? 'layer-probe',
      docString: options.docString ?? '',
    };
  }

  /** Declares a non-default operator domain (e.g. 'com.microsoft'). */
  addOpset(domain: string, version: number): this {
    this.extraOpsets.set(domain, version);
    return this;
  }

  toBytes(): Uint8Array {
    const o = this.options;
    const opsets = [
      concatBytes([stringField(OPSET.domain, ''), varintField(OPSET.version, o.opsetVersion)]),
      ...[...this.extraOpsets].map(([domain, version]) =>
        concatBytes([stringField(OPSET.domain, domain), varintField(OPSET.version, version)]),
      ),
    ];
    const parts: Uint8Array[] = [varintField(MODEL.irVersion, o.irVersion), stringField(MODEL.producerName, o.producerName)];
    if (o.docString) parts.push(stringField(MODEL.docString, o.docString));
    parts.push(lenField(MODEL.graph, this.encodeGraph()), ...opsets.map((op) => lenField(MODEL.opsetImport, op)));
    return concatBytes(parts);
  }
}
