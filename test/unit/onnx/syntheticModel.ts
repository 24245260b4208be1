// Hand-encoded ONNX models for structures no fixture has (parallel blocks, unknown fields, typed
// float_data, Constant weights). Built with the project's wire encoder, so the bytes are real protobuf.

import { concatBytes, floatField, lenField, stringField, varintField } from '../../../src/core/onnx/wire';

export const FLOAT = 1;
export const INT64 = 7;

export function tensorProto(name: string, dims: number[], values: number[], asFloatData = false): Uint8Array {
  const parts = [...dims.map((d) => varintField(1, d)), varintField(2, FLOAT), stringField(8, name)];
  if (asFloatData) parts.push(...values.map((v) => floatField(4, v))); // unpacked float_data
  else parts.push(lenField(9, new Uint8Array(Float32Array.from(values).buffer)));
  return concatBytes(parts);
}

export function valueInfo(name: string, elemType: number, dims: (number | string)[]): Uint8Array {
  const dimProtos = dims.map((d) => lenField(1, typeof d === 'number' ? varintField(1, d) : stringField(2, d)));
  const tensorType = concatBytes([varintField(1, elemType), lenField(2, concatBytes(dimProtos))]);
  return concatBytes([stringField(1, name), lenField(2, lenField(1, tensorType))]);
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  /** Extra raw NodeProto fields (attributes, doc_string, unknown fields). */
  extra?: Uint8Array[];
}

export function nodeProto(n: NodeSpec): Uint8Array {
  return concatBytes([
    ...n.inputs.map((i) => stringField(1, i)),
    ...n.outputs.map((o) => stringField(2, o)),
    stringField(3, n.name ?? n.outputs[0]),
    stringField(4, n.op),
    ...(n.domain ? [stringField(7, n.domain)] : []),
    ...(n.extra ?? []),
  ]);
}

/** A Constant node holding a float tensor in its `value` attribute (AttributeProto t = 5, type TENSOR = 4). */
export function constantNode(output: string, dims: number[], values: number[]): NodeSpec {
  const attr = concatBytes([stringField(1, 'value'), lenField(5, tensorProto('', dims, values)), varintField(20, 4)]);
  return { op: 'Constant', inputs: [], outputs: [output], extra: [lenField(5, attr)] };
}

export interface ModelSpec {
  nodes: NodeSpec[];
  initializers: Uint8Array[];
  inputs: Uint8Array[];
  outputs: Uint8Array[];
  extraModelFields?: Uint8Array[];
  extraGraphFields?: Uint8Array[];
}

export function modelProto(spec: ModelSpec): Uint8Array {
  const graph = concatBytes([
    ...spec.nodes.map((n) => lenField(1, nodeProto(n))),
    stringField(2, 'synthetic'),
    ...spec.initializers.map((t) => lenField(5, t)),
    ...spec.inputs.map((v) => lenField(11, v)),
    ...spec.outputs.map((v) => lenField(12, v)),
    ...(spec.extraGraphFields ?? []),
  ]);
  const opset = concatBytes([stringField(1, ''), varintField(2, 17)]);
  return concatBytes([
    varintField(1, 8), // ir_version
    ...(spec.extraModelFields ?? []),
    lenField(7, graph),
    lenField(8, opset),
  ]);
}

const weight = (name: string, rows: number, cols: number): Uint8Array =>
  tensorProto(
    name,
    [rows, cols],
    Array.from({ length: rows * cols }, (_, i) => ((i * 7919) % 13) / 13 - 0.5),
  );

/**
 * A tiny decoder with `layers` blocks of hidden size 4 and vocabulary 10, either sequential
 * (h += attn(norm(h)); h += mlp(norm(h))) or parallel like GPT-J (h += attn(norm(h)) + mlp(norm(h))).
 */
export function tinyDecoder(layers: number, kind: 'sequential' | 'parallel'): ModelSpec {
  const d = 4;
  const nodes: NodeSpec[] = [{ op: 'Gather', inputs: ['embed', 'input_ids'], outputs: ['h0'] }];
  const initializers = [weight('embed', 10, d), weight('lm_head', d, 10)];
  const attention = (i: number, x: string, tag: string): string => {
    initializers.push(weight(`q${tag}`, d, d), weight(`o${tag}`, d, d));
    nodes.push(
      { op: 'MatMul', inputs: [x, `q${tag}`], outputs: [`q${tag}_out`] },
      { op: 'Softmax', inputs: [`q${tag}_out`], outputs: [`p${tag}`] },
      { op: 'MatMul', inputs: [`p${tag}`, `o${tag}`], outputs: [`attn${i}`] },
    );
    return `attn${i}`;
  };
  const mlp = (i: number, x: string, tag: string): string => {
    initializers.push(weight(`up${tag}`, d, d), weight(`down${tag}`, d, d));
    nodes.push(
      { op: 'MatMul', inputs: [x, `up${tag}`], outputs: [`up${tag}_out`] },
      { op: 'Relu', inputs: [`up${tag}_out`], outputs: [`act${tag}`] },
      { op: 'MatMul', inputs: [`act${tag}`, `down${tag}`], outputs: [`mlp${i}`] },
    );
    return `mlp${i}`;
  };
  const norm = (x: string, out: string): string => {
    nodes.push({ op: 'Relu', inputs: [x], outputs: [out] }); // stands in for a norm: shape-preserving, weightless
    return out;
  };
  let h = 'h0';
  for (let i = 0; i < layers; i++) {
    if (kind === 'sequential') {
      const a = attention(i, norm(h, `ln1_${i}`), `${i}`);
      nodes.push({ op: 'Add', inputs: [h, a], outputs: [`mid${i}`] });
      const m = mlp(i, norm(`mid${i}`, `ln2_${i}`), `${i}`);
      nodes.push({ op: 'Add', inputs: [`mid${i}`, m], outputs: [`h${i + 1}`] });
    } else {
      const n = norm(h, `ln_${i}`);
      const a = attention(i, n, `${i}`);
      const m = mlp(i, n, `${i}`);
      nodes.push(
        { op: 'Add', inputs: [a, m], outputs: [`branch${i}`] },
        { op: 'Add', inputs: [`branch${i}`, h], outputs: [`h${i + 1}`] },
      );
    }
    h = `h${i + 1}`;
  }
  nodes.push({ op: 'MatMul', inputs: [norm(h, 'final_norm'), 'lm_head'], outputs: ['logits'] });
  return {
    nodes,
    initializers,
    inputs: [valueInfo('input_ids', INT64, ['batch', 'seq'])],
    outputs: [valueInfo('logits', FLOAT, ['batch', 'seq', 10])],
  };
}
