// Decoding one weight tensor to float32, on demand. The graph parser never decodes weights; this is
// for the few that checks need (final norm, lm_head) — inline raw_data, typed float_data/int32_data,
// fp16/bf16 bits, or external data files next to the model.

import * as fs from 'node:fs';
import * as path from 'node:path';

import { ELEM_BFLOAT16, ELEM_DOUBLE, ELEM_FLOAT, ELEM_FLOAT16 } from './elemTypes';
import { OnnxGraphError } from './errors';
import type { OnnxGraph, OnnxTensorRef } from './graph';
import { bfloat16BitsToFloat32, halfBitsToFloat32 } from './half';
import { DATA_LOCATION_EXTERNAL, TENSOR_DOUBLE_DATA, TENSOR_FLOAT_DATA, TENSOR_INT32_DATA, TENSOR_RAW_DATA } from './protoFields';
import { fields, readVarint, WIRE_I32, WIRE_I64, WIRE_LEN, WIRE_VARINT } from './wire';

const BYTES_PER_ELEMENT: Record<number, number> = {
  [ELEM_FLOAT]: 4,
  [ELEM_FLOAT16]: 2,
  [ELEM_BFLOAT16]: 2,
  [ELEM_DOUBLE]: 8,
};

/** Finds a weight by name among the initializers, then among Constant nodes' values. */
export function findTensorRef(graph: OnnxGraph, name: string): OnnxTensorRef | undefined {
  const init = graph.initializers.get(name);
  if (init) return init;
  const producer = graph.producerOf.get(name);
  return producer === undefined ? undefined : graph.nodes[producer].constantValue;
}

/**
 * Decodes a floating-point weight (float32, float16, bfloat16, double) to float32, row-major in its
 * declared `dims`. `modelDir` resolves external data locations, as ONNX specifies (relative paths).
 */
export function readInitializerFloat32(graph: OnnxGraph, name: string, modelDir: string): Float32Array {
  const ref = findTensorRef(graph, name);
  if (!ref) throw new OnnxGraphError(`${graph.fileLabel}: no initializer or constant named '${name}'`);
  const bytesPer = BYTES_PER_ELEMENT[ref.dataType];
  if (!bytesPer) {
    throw new OnnxGraphError(
      `${graph.fileLabel}: initializer '${name}' has data type ${ref.dataType}, not a floating-point type`,
    );
  }
  const count = ref.dims.reduce((a, b) => a * b, 1);
  const raw = rawBytes(graph, ref, modelDir, count * bytesPer);
  if (raw) {
    if (raw.length !== count * bytesPer) {
      throw new OnnxGraphError(
        `${graph.fileLabel}: initializer '${name}' holds ${raw.length} bytes, expected ${count * bytesPer} for dims [${ref.dims}]`,
      );
    }
    return decodeRaw(raw, ref.dataType, count);
  }
  const typed = typedFieldValues(graph.bytes, ref);
  if (typed.length !== count) {
    throw new OnnxGraphError(
      `${graph.fileLabel}: initializer '${name}' holds ${typed.length} values, expected ${count} for dims [${ref.dims}]`,
    );
  }
  return typed;
}

/** The tensor's bytes when stored as raw_data or externally; undefined for typed fields. */
function rawBytes(graph: OnnxGraph, ref: OnnxTensorRef, modelDir: string, expected: number): Uint8Array | undefined {
  if (ref.dataLocation === DATA_LOCATION_EXTERNAL) return readExternal(graph, ref, modelDir, expected);
  for (const f of fields(graph.bytes, ref.payload.start, ref.payload.end)) {
    if (f.field === TENSOR_RAW_DATA && f.wireType === WIRE_LEN) return graph.bytes.subarray(f.dataStart, f.dataEnd);
  }
  return undefined;
}

function readExternal(graph: OnnxGraph, ref: OnnxTensorRef, modelDir: string, expected: number): Uint8Array {
  const location = ref.externalData.location;
  if (!location) {
    throw new OnnxGraphError(`${graph.fileLabel}: initializer '${ref.name}' is external but names no location`);
  }
  const root = path.resolve(modelDir);
  const file = path.resolve(root, location);
  // Same rule as onnxruntime: external data must stay inside the model folder.
  if (file !== root && !file.startsWith(root + path.sep)) {
    throw new OnnxGraphError(
      `${graph.fileLabel}: initializer '${ref.name}' points outside the model folder (location '${location}')`,
    );
  }
  const offset = Number(ref.externalData.offset ?? 0);
  const length = ref.externalData.length !== undefined ? Number(ref.externalData.length) : expected;
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    throw new OnnxGraphError(
      `${graph.fileLabel}: initializer '${ref.name}': cannot open external data ${location} (${(err as Error).message})`,
    );
  }
  try {
    const out = new Uint8Array(length);
    const got = fs.readSync(fd, out, 0, length, offset);
    if (got !== length) {
      throw new OnnxGraphError(
        `${graph.fileLabel}: initializer '${ref.name}': external data ${location} ends before offset ${offset} + ${length}`,
      );
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

function decodeRaw(raw: Uint8Array, dataType: number, count: number): Float32Array {
  // Copy to an aligned buffer: raw_data may start at any byte offset of the model file. (Not
  // `raw.slice()`: on a Node Buffer that is a view sharing the whole file's memory.)
  const copy = new Uint8Array(raw.length);
  copy.set(raw);
  const aligned = copy.buffer;
  switch (dataType) {
    case ELEM_FLOAT:
      return new Float32Array(aligned, 0, count);
    case ELEM_FLOAT16:
      return halfBitsToFloat32(new Uint16Array(aligned, 0, count));
    case ELEM_BFLOAT16:
      return bfloat16BitsToFloat32(new Uint16Array(aligned, 0, count));
    default:
      return Float32Array.from(new Float64Array(aligned, 0, count));
  }
}

/** Values stored in float_data / double_data / int32_data (fp16 and bf16 bits live in int32_data). */
function typedFieldValues(bytes: Uint8Array, ref: OnnxTensorRef): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values: number[] = [];
  const wanted =
    ref.dataType === ELEM_FLOAT ? TENSOR_FLOAT_DATA : ref.dataType === ELEM_DOUBLE ? TENSOR_DOUBLE_DATA : TENSOR_INT32_DATA;
  for (const f of fields(bytes, ref.payload.start, ref.payload.end)) {
    if (f.field !== wanted) continue;
    if (wanted === TENSOR_FLOAT_DATA) {
      if (f.wireType === WIRE_I32) values.push(view.getFloat32(f.dataStart, true));
      else if (f.wireType === WIRE_LEN)
        for (let p = f.dataStart; p < f.dataEnd; p += 4) values.push(view.getFloat32(p, true));
    } else if (wanted === TENSOR_DOUBLE_DATA) {
      if (f.wireType === WIRE_I64) values.push(view.getFloat64(f.dataStart, true));
      else if (f.wireType === WIRE_LEN)
        for (let p = f.dataStart; p < f.dataEnd; p += 8) values.push(view.getFloat64(p, true));
    } else if (f.wireType === WIRE_VARINT) values.push(f.varint);
    else if (f.wireType === WIRE_LEN) {
      for (let p = f.dataStart; p < f.dataEnd; ) {
        const [v, next] = readVarint(bytes, p);
        values.push(v);
        p = next;
      }
    }
  }
  if (ref.dataType === ELEM_FLOAT16) return halfBitsToFloat32(Uint16Array.from(values));
  if (ref.dataType === ELEM_BFLOAT16) return bfloat16BitsToFloat32(Uint16Array.from(values));
  return Float32Array.from(values);
}
