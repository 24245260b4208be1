// Small tensor helpers for the cached decoding loop: integer feeds and dropping batch rows from caches.

import { Tensor } from 'onnxruntime-node';

import { ELEM_BOOL, ELEM_INT32, ELEM_INT64, elemTypeName } from '../../onnx/elemTypes';
import type { OnnxValueInfo } from '../../onnx/graph';
import { GenerationError } from './errors';

/** A [rows, cols] int32 or int64 tensor (the type the graph declares for `input`). */
export function intMatrix(label: string, input: OnnxValueInfo, rows: number, cols: number, value: (r: number, c: number) => number): Tensor {
  const dims = [rows, cols];
  if (input.elemType === ELEM_INT64) {
    const data = new BigInt64Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = BigInt(value(r, c));
    return new Tensor('int64', data, dims);
  }
  if (input.elemType === ELEM_INT32) {
    const data = new Int32Array(rows * cols);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = value(r, c);
    return new Tensor('int32', data, dims);
  }
  throw new GenerationError(`${label}: graph input '${input.name}' has type ${elemTypeName(input.elemType)}, expected int32 or int64`);
}

/** The bool switch of a merged decoder, shaped as declared (usually [1]). */
export function boolSwitch(label: string, input: OnnxValueInfo, value: boolean): Tensor {
  if (input.elemType !== ELEM_BOOL) {
    throw new GenerationError(`${label}: graph input '${input.name}' has type ${elemTypeName(input.elemType)}, expected bool`);
  }
  const dims = (input.dims ?? [{ value: 1 }]).map((d) => d.value ?? 1);
  return new Tensor('bool', new Uint8Array(dims.reduce((a, b) => a * b, 1)).fill(value ? 1 : 0), dims);
}

/** The tensor restricted to batch rows `keep` (ascending indices) along `axis`; the data is copied. */
export function selectRows(tensor: Tensor, axis: number, keep: readonly number[]): Tensor {
  const dims = tensor.dims;
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const rows = dims[axis];
  const source = tensor.data as Float32Array | Uint16Array;
  const Ctor = source.constructor as new (n: number) => Float32Array | Uint16Array;
  const out = new Ctor(outer * keep.length * inner);
  for (let o = 0; o < outer; o++) {
    keep.forEach((row, k) => {
      const from = (o * rows + row) * inner;
      out.set(source.subarray(from, from + inner), (o * keep.length + k) * inner);
    });
  }
  const newDims = [...dims];
  newDims[axis] = keep.length;
  return new Tensor(tensor.type as 'float32', out as Float32Array, newDims);
}
