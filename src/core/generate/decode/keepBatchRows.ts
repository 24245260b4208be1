// Dropping finished batch rows from the caches of the cached decoding loop (its integer feeds are
// model/feeds.ts's).

import { Tensor } from 'onnxruntime-node';


/** The tensor restricted to batch rows `keep` (ascending indices) along `axis`; the data is copied. */
export function keepBatchRows(tensor: Tensor, axis: number, keep: readonly number[]): Tensor {
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
