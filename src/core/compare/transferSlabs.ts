// The probes' input for a transfer: each (layer, token) slab is A's train rows followed by B's test rows,
// read from the two runs' activation sources one slab at a time (as a run's probes read theirs), so the
// pipeline's trainProbes fits on rows 0…nTrain−1 and scores the rest exactly as it does in a run.

import { packRows, type SlabSource } from '../pipeline/slabSource';

export interface SlabRows {
  source: SlabSource;
  /** Rows of `source` to take, in order. */
  rows: number[];
}

export class TransferSlabs implements SlabSource {
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly numRows: number;

  constructor(
    private readonly train: SlabRows,
    private readonly test: SlabRows,
  ) {
    if (train.source.numLayers !== test.source.numLayers || train.source.hiddenSize !== test.source.hiddenSize) {
      throw new RangeError(`activations of ${train.source.numLayers} × ${train.source.hiddenSize} and ${test.source.numLayers} × ${test.source.hiddenSize} cannot be probed together`);
    }
    this.numLayers = train.source.numLayers;
    this.hiddenSize = train.source.hiddenSize;
    this.numRows = train.rows.length + test.rows.length;
  }

  slab(layer: number, token: number): Float32Array {
    const d = this.hiddenSize;
    const trainSlab = this.train.source.slab(layer, token);
    // One read when both sides come from the same cache folder.
    const testSlab = this.test.source === this.train.source ? trainSlab : this.test.source.slab(layer, token);
    const out = new Float32Array(this.numRows * d);
    out.set(packRows(trainSlab, d, this.train.rows), 0);
    out.set(packRows(testSlab, d, this.test.rows), this.train.rows.length * d);
    return out;
  }
}
