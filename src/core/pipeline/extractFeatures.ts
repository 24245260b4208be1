import { RunCancelled } from '../../contract/errors';
import type { ProbeLocation } from '../../contract/locations';
import type { PreparedSequence } from '../types';
import { PipelineError } from './errors';
import type { FeatureStore } from './featureStore';

/** The part of a model session extraction needs (kept narrow so tests can drive it with real sessions). */
export interface ActivationSource {
  numLayers: number;
  hiddenSize: number;
  run(batch: number[][]): Promise<{ seqLen: number; activations: Partial<Record<ProbeLocation, Float32Array[]>> }>;
}

/** Row `b` of a forward batch is sequence `seq` (an index into the run's prepared sequences). */
export interface BatchRow {
  seq: number;
  b: number;
}

/** Where one location's activations go: an in-memory FeatureStore, or the activation cache. */
export interface ActivationSink {
  /** One batch: per layer a [batch, seqLen, d] array. The sink keeps what it needs before returning. */
  accept(perLayer: Float32Array[], seqLen: number, rows: BatchRow[]): void;
  /** Hands over anything pending (end of extraction, and on cancellation or error). */
  flush(): void;
}

export interface BatchPlanOptions {
  /** Upper bound on the activations one batch may hold (all layers, all locations), in bytes. */
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

/**
 * Runs the sequences `indices` through the model in planned batches and hands each location's
 * activations to its sink. Sinks are flushed at the end and also when the run is cancelled or fails,
 * so what was computed is kept (the cache resumes from it).
 */
export async function runExtraction(
  source: ActivationSource,
  sequences: PreparedSequence[],
  indices: number[],
  sinks: Partial<Record<ProbeLocation, ActivationSink>>,
  options: BatchPlanOptions,
): Promise<void> {
  const locations = Object.keys(sinks) as ProbeLocation[];
  const bytesPerToken = source.numLayers * source.hiddenSize * 4 * Math.max(1, locations.length);
  const batches = planBatches(
    indices.map((i) => sequences[i].ids.length),
    bytesPerToken,
    options.batchMemoryBytes,
    options.maxBatchSize,
  ).map((batch) => batch.map((k) => indices[k]));
  const flushAll = (): void => locations.forEach((loc) => sinks[loc]!.flush());
  let done = 0;
  try {
    for (const batch of batches) {
      if (options.signal?.aborted) throw new RunCancelled('cancelled during the forward passes');
      const { seqLen, activations } = await source.run(batch.map((i) => sequences[i].ids));
      const rows = batch.map((seq, b) => ({ seq, b }));
      for (const location of locations) {
        const perLayer = activations[location];
        if (!perLayer || perLayer.length !== source.numLayers) {
          throw new PipelineError(`the model session returned no ${location} activations for every layer`);
        }
        sinks[location]!.accept(perLayer, seqLen, rows);
      }
      done += batch.length;
      options.onBatch?.(done, indices.length);
    }
  } catch (err) {
    try {
      flushAll();
    } catch {
      // The first error is the one to report; the rows of this flush are simply extracted again later.
    }
    throw err;
  }
  flushAll();
}

/** A sink filling an in-memory FeatureStore whose row i is sequence i. */
export function featureStoreSink(store: FeatureStore, sequences: PreparedSequence[]): ActivationSink {
  return {
    accept(perLayer, seqLen, rows) {
      const batchRows = rows.map(({ seq, b }) => ({ b, storeRow: seq, positions: sequences[seq].positions }));
      perLayer.forEach((acts, layer) => store.gatherBatch(layer, acts, seqLen, batchRows));
    },
    flush() {},
  };
}
