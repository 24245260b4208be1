import { TOKEN_POSITIONS } from '../../contract/types';
import type { ActivationCache, CacheDims } from '../cache/activationCache';
import { type PreparedSequence } from '../types';
import type { ActivationSink, BatchRow } from './extractFeatures';
import { gatherRow } from './slabSource';

export interface ChunkPolicy {
  /** A chunk is written once this many bytes (float32) of activations are pending… */
  chunkBytes: number;
  /** …or this long after the last one, so a killed run loses at most this much work. */
  flushMs: number;
}

// Large enough that small models do not write thousands of tiny files, small enough that a chunk is a
// few batches of a large model and pending memory stays bounded.
export const DEFAULT_CHUNK_POLICY: ChunkPolicy = { chunkBytes: 16 << 20, flushMs: 10_000 };

interface PendingBlock {
  rows: PreparedSequence[];
  /** [layer][token] → rows.length × d */
  slabs: Float32Array[][];
}

/**
 * Streams one location's activations into its cache as they are produced: each batch's rows (those this
 * cache is missing) are gathered at their 15 positions and written as a chunk every few batches.
 */
export class CacheSink implements ActivationSink {
  private pending: PendingBlock[] = [];
  private pendingBytes = 0;
  private lastFlush = Date.now();

  constructor(
    private readonly cache: ActivationCache,
    private readonly sequences: PreparedSequence[],
    /** Sequence indices this cache lacks: other rows of a shared batch are already cached here. */
    private readonly wanted: Set<number>,
    private readonly dims: CacheDims,
    private readonly provider: string,
    private readonly policy: ChunkPolicy = DEFAULT_CHUNK_POLICY,
  ) {}

  accept(perLayer: Float32Array[], seqLen: number, rows: BatchRow[]): void {
    const mine = rows.filter((r) => this.wanted.has(r.seq));
    if (mine.length === 0) return;
    const d = this.dims.hiddenSize;
    const slabs = perLayer.map((acts) => {
      const layerSlabs = TOKEN_POSITIONS.map(() => new Float32Array(mine.length * d));
      mine.forEach(({ seq, b }, i) => gatherRow(acts, seqLen, d, b, this.sequences[seq].positions, layerSlabs, i));
      return layerSlabs;
    });
    this.pending.push({ rows: mine.map((r) => this.sequences[r.seq]), slabs });
    this.pendingBytes += mine.length * perLayer.length * TOKEN_POSITIONS.length * d * 4;
    if (this.pendingBytes >= this.policy.chunkBytes || Date.now() - this.lastFlush >= this.policy.flushMs) this.flush();
  }

  flush(): void {
    if (this.pending.length === 0) return;
    const blocks = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.lastFlush = Date.now();
    const rows = blocks.flatMap((b) => b.rows);
    const d = this.dims.hiddenSize;
    const slabs = blocks[0].slabs.map((layerSlabs, layer) =>
      layerSlabs.map((_, token) => {
        if (blocks.length === 1) return blocks[0].slabs[layer][token];
        const out = new Float32Array(rows.length * d);
        let offset = 0;
        for (const b of blocks) {
          out.set(b.slabs[layer][token], offset);
          offset += b.slabs[layer][token].length;
        }
        return out;
      }),
    );
    this.cache.addChunk(rows, slabs, this.dims, this.provider);
  }
}
