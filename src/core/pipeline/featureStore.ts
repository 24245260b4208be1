import { TOKEN_POSITIONS } from '../types';

/**
 * Activations gathered at the 15 token positions: one n × d float32 slab per (layer, token), rows in
 * the order of the prepared sequences. A slab is exactly a probe's design matrix, so probes read it
 * without copying.
 */
export class FeatureStore {
  private readonly slabs: Float32Array[][];

  constructor(
    readonly numLayers: number,
    readonly numRows: number,
    readonly hiddenSize: number,
  ) {
    this.slabs = Array.from({ length: numLayers }, () =>
      TOKEN_POSITIONS.map(() => new Float32Array(numRows * hiddenSize)),
    );
  }

  slab(layer: number, token: number): Float32Array {
    return this.slabs[layer][token];
  }

  /**
   * Copies, for each row of a batch, the activation at each of its positions out of one layer's
   * [batch, seqLen, d] output.
   */
  gatherBatch(
    layer: number,
    batchActivations: Float32Array,
    seqLen: number,
    batchRows: { storeRow: number; positions: number[] }[],
  ): void {
    const d = this.hiddenSize;
    for (let b = 0; b < batchRows.length; b++) {
      const { storeRow, positions } = batchRows[b];
      for (let t = 0; t < positions.length; t++) {
        const from = (b * seqLen + positions[t]) * d;
        this.slabs[layer][t].set(batchActivations.subarray(from, from + d), storeRow * d);
      }
    }
  }

  /** Rows `rows` of slab (layer, token), packed into a new n × d matrix. */
  rows(layer: number, token: number, rows: number[]): Float32Array {
    const d = this.hiddenSize;
    const src = this.slabs[layer][token];
    const out = new Float32Array(rows.length * d);
    rows.forEach((r, i) => out.set(src.subarray(r * d, (r + 1) * d), i * d));
    return out;
  }
}
