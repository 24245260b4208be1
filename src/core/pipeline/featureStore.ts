import { TOKEN_POSITIONS } from '../../contract/types';
import { gatherRow, packRows, type SlabSource } from './slabSource';

/**
 * Activations gathered at the 15 token positions, all in memory: one n × d float32 slab per (layer,
 * token), rows in the order of the prepared sequences. Its size is n × layers × 15 × d × 4 bytes, so it
 * is for runs without an activation cache (and for tests); cached runs read slabs from disk instead.
 */
export class FeatureStore implements SlabSource {
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

  gather(layer: number, token: number, rows: readonly number[], out: Float32Array): void {
    packRows(this.slabs[layer][token], this.hiddenSize, rows, out);
  }

  /**
   * Copies, for each listed row of a batch, the activation at each of its positions out of one layer's
   * [batch, seqLen, d] output.
   */
  gatherBatch(
    layer: number,
    batchActivations: Float32Array,
    seqLen: number,
    batchRows: { b: number; storeRow: number; positions: readonly number[] }[],
  ): void {
    for (const { b, storeRow, positions } of batchRows) {
      gatherRow(batchActivations, seqLen, this.hiddenSize, b, positions, this.slabs[layer], storeRow);
    }
  }
}
