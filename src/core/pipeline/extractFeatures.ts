import type { PreparedSequence, ProbeLocation } from '../types';
import { FeatureStore } from './featureStore';

/** The part of a model session extraction needs (kept narrow so tests can drive it with real sessions). */
export interface ActivationSource {
  numLayers: number;
  hiddenSize: number;
  run(batch: number[][]): Promise<{ seqLen: number; activations: Partial<Record<ProbeLocation, Float32Array[]>> }>;
}

export interface ExtractOptions {
  location: ProbeLocation;
  /** Upper bound on the activations one batch may hold (all layers), in bytes. */
  batchMemoryBytes: number;
  maxBatchSize: number;
  onBatch?: (rowsDone: number, rowsTotal: number) => void;
  signal?: AbortSignal;
}

/**
 * Plans right-padded batches over sequences sorted by length (similar lengths waste little padding),
 * each as large as the activation memory budget allows.
 */
export function planBatches(
  lengths: number[],
  bytesPerToken: number,
  batchMemoryBytes: number,
  maxBatchSize: number,
): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[a] - lengths[b] || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  for (const i of order) {
    // Sorted ascending, so the newest row is the longest: it sets the padded length.
    const paddedBytes = (current.length + 1) * lengths[i] * bytesPerToken;
    if (current.length > 0 && (current.length >= maxBatchSize || paddedBytes > batchMemoryBytes)) {
      batches.push(current);
      current = [];
    }
    current.push(i);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Runs every sequence through the model and keeps only the activations at its 15 positions. */
export async function extractFeatures(
  source: ActivationSource,
  sequences: PreparedSequence[],
  options: ExtractOptions,
): Promise<FeatureStore> {
  const store = new FeatureStore(source.numLayers, sequences.length, source.hiddenSize);
  const bytesPerToken = source.numLayers * source.hiddenSize * 4;
  const batches = planBatches(
    sequences.map((s) => s.ids.length),
    bytesPerToken,
    options.batchMemoryBytes,
    options.maxBatchSize,
  );
  let done = 0;
  for (const batch of batches) {
    if (options.signal?.aborted) throw new Error('cancelled');
    const { seqLen, activations } = await source.run(batch.map((i) => sequences[i].ids));
    const perLayer = activations[options.location];
    if (!perLayer || perLayer.length !== source.numLayers) {
      throw new Error(`the model session returned no ${options.location} activations for every layer`);
    }
    const rows = batch.map((i) => ({ storeRow: i, positions: sequences[i].positions }));
    for (let layer = 0; layer < source.numLayers; layer++) {
      store.gatherBatch(layer, perLayer[layer], seqLen, rows);
    }
    done += batch.length;
    options.onBatch?.(done, sequences.length);
  }
  return store;
}
