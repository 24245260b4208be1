/**
 * What probes read: for each (layer, token), an n × d float32 slab, rows in the order of the run's
 * prepared sequences (train rows, then test rows). Held in memory (FeatureStore) or read from the
 * activation cache one slab at a time (CachedSlabs), so a run's memory need not grow with its rows.
 */
export interface SlabSource {
  readonly numLayers: number;
  readonly numRows: number;
  readonly hiddenSize: number;
  slab(layer: number, token: number): Float32Array;
  /**
   * Rows `rows` of slab (layer, token) written into `out` (rows.length × d), as packRows(slab(…)) gives
   * them, without making the n × d slab: a source that reads from disk decodes straight into `out`.
   */
  gather?(layer: number, token: number, rows: readonly number[], out: Float32Array): void;
}

/**
 * Rows `rows` of an n × d slab, packed into a rows.length × d matrix (a probe's design matrix): `out`,
 * or a new one.
 */
export function packRows(slab: Float32Array, hiddenSize: number, rows: readonly number[], out: Float32Array = new Float32Array(rows.length * hiddenSize)): Float32Array {
  const d = hiddenSize;
  rows.forEach((r, i) => out.set(slab.subarray(r * d, (r + 1) * d), i * d));
  return out;
}

/** A probe's design matrix from any source, into `out` (reused between cells: see trainProbes.ts). */
export function gatherRows(source: SlabSource, layer: number, token: number, rows: readonly number[], out: Float32Array): Float32Array {
  if (source.gather) source.gather(layer, token, rows, out);
  else packRows(source.slab(layer, token), source.hiddenSize, rows, out);
  return out;
}

/**
 * Copies batch row `b`'s activation at each of its positions out of one layer's [batch, seqLen, d]
 * output into `slabs[token]` at row `dstRow`.
 */
export function gatherRow(
  layerActivations: Float32Array,
  seqLen: number,
  hiddenSize: number,
  b: number,
  positions: readonly number[],
  slabs: Float32Array[],
  dstRow: number,
): void {
  const d = hiddenSize;
  for (let t = 0; t < positions.length; t++) {
    const from = (b * seqLen + positions[t]) * d;
    slabs[t].set(layerActivations.subarray(from, from + d), dstRow * d);
  }
}
