// Tokens per second of our extraction (rewritten graph, right-padded batches, 15-position gather, and
// optionally streaming to the activation cache) next to a bare onnxruntime forward pass of the original
// graph that fetches only the logits, over exactly the same batches, in one process.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { runOptions } from '../../src/contract/runOptions';
import { ActivationCache } from '../../src/core/cache/activationCache';
import { cacheKeyFor, modelIdentity } from '../../src/core/cache/cacheKey';
import { ActivationSession } from '../../src/core/model/activationSession';
import { buildFeeds, feedSpecOf } from '../../src/core/model/feeds';
import { openOriginalSession } from '../../src/core/model/ortSession';
import { CacheSink } from '../../src/core/pipeline/cacheSink';
import { type ActivationSink, featureStoreSink, planBatches, runExtraction } from '../../src/core/pipeline/extractFeatures';
import { FeatureStore } from '../../src/core/pipeline/featureStore';
import type { PreparedSequence } from '../../src/core/types';

export const BATCH_MEMORY_BYTES = 256 * 1024 * 1024; // runProbe's defaults
export const MAX_BATCH_SIZE = 32;

export interface ThroughputResult {
  rows: number;
  realTokens: number;
  paddedTokens: number;
  batches: number;
  loadSeconds: { bare: number; ours: number };
  /** Per variant: sum over batches of each batch's fastest repeat (the machine's least-disturbed speed). */
  seconds: { bare: number; ours: number; oursCache: number; oursLogits: number };
  /** Per variant: median over repeats of the whole pass. */
  medianSeconds: { bare: number; ours: number; oursCache: number; oursLogits: number };
}

type Variant = keyof ThroughputResult['seconds'];

const now = (): number => performance.now() / 1000;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function measureThroughput(modelDir: string, sequences: PreparedSequence[], repeats: number): Promise<ThroughputResult> {
  let t = now();
  const bare = await openOriginalSession(modelDir, ['cpu']);
  const bareLoad = now() - t;
  t = now();
  const ours = await ActivationSession.open(modelDir, { locations: ['mlp_out'], executionProviders: ['cpu'] });
  const oursLoad = now() - t;
  const withLogits = await ActivationSession.open(modelDir, { locations: ['mlp_out'], keepLogits: true, executionProviders: ['cpu'] });
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-cache-'));
  try {
    const { numLayers, hiddenSize, blockKind, vocabSize } = ours;
    const lengths = sequences.map((s) => s.ids.length);
    // The plan runExtraction makes for one location; the bare loop runs the very same batches.
    const batches = planBatches(lengths, numLayers * hiddenSize * 4, BATCH_MEMORY_BYTES, MAX_BATCH_SIZE);
    const spec = feedSpecOf(bare.graph);
    const logitsName = (bare.graph.outputs.find((o) => o.name === 'logits') ?? bare.graph.outputs[0]).name;
    const options = { batchMemoryBytes: BATCH_MEMORY_BYTES, maxBatchSize: MAX_BATCH_SIZE };

    const memorySink = featureStoreSink(new FeatureStore(numLayers, sequences.length, hiddenSize), sequences);
    let cacheRun = 0;
    const newCacheSink = (): ActivationSink => {
      const key = cacheKeyFor({
        options: runOptions({ modelFolder: modelDir }),
        location: 'mlp_out',
        datasetHash: `bench-${cacheRun++}`,
        columns: { prompt: 'p', answer: 'a', correct: 'c' },
        model: modelIdentity(modelDir),
      });
      const cache = ActivationCache.open(cacheRoot, key);
      return new CacheSink(cache, sequences, new Set(sequences.map((_, i) => i)), { numLayers, hiddenSize, blockKind }, ours.provider);
    };

    // Warm-up: the first run of a session allocates its arena and picks kernels.
    const first = batches[0].map((i) => sequences[i].ids);
    await bare.session.run(buildFeeds(spec, first, vocabSize).feeds, [logitsName]);
    await ours.run(first);
    await withLogits.run(first);

    // This machine is shared: its speed drifts by 2x within seconds. So the variants take turns batch by
    // batch (rotating who goes first), and each variant's time is the sum over the same batches.
    // times[variant][repeat][batch]
    const times: Record<Variant, number[][]> = { bare: [], ours: [], oursCache: [], oursLogits: [] };
    for (let r = 0; r < repeats; r++) {
      const perBatch: Record<Variant, number[]> = { bare: [], ours: [], oursCache: [], oursLogits: [] };
      const cacheSink = newCacheSink();
      // One runExtraction call per batch: the same gather and sink code as a whole run (the cache then
      // writes one chunk per batch, as it does for large models).
      const variants: [Variant, (batch: number[]) => Promise<void>][] = [
        ['bare', async (batch) => {
          const { feeds } = buildFeeds(spec, batch.map((i) => sequences[i].ids), vocabSize);
          await bare.session.run(feeds, [logitsName]);
        }],
        ['ours', (batch) => runExtraction(ours, sequences, batch, { mlp_out: memorySink }, options)],
        ['oursCache', (batch) => runExtraction(ours, sequences, batch, { mlp_out: cacheSink }, options)],
        ['oursLogits', (batch) => runExtraction(withLogits, sequences, batch, { mlp_out: memorySink }, options)],
      ];
      for (const [k, batch] of batches.entries()) {
        for (let v = 0; v < variants.length; v++) {
          const [name, fn] = variants[(v + k + r) % variants.length];
          const start = now();
          await fn(batch);
          perBatch[name][k] = now() - start;
        }
      }
      for (const name of Object.keys(perBatch) as Variant[]) times[name].push(perBatch[name]);
    }
    const best = (name: Variant): number => batches.reduce((s, _, k) => s + Math.min(...times[name].map((rep) => rep[k])), 0);
    const med = (name: Variant): number => median(times[name].map((rep) => rep.reduce((s, t) => s + t, 0)));
    return {
      rows: sequences.length,
      realTokens: lengths.reduce((s, l) => s + l, 0),
      paddedTokens: batches.reduce((s, b) => s + b.length * Math.max(...b.map((i) => lengths[i])), 0),
      batches: batches.length,
      loadSeconds: { bare: bareLoad, ours: oursLoad },
      seconds: { bare: best('bare'), ours: best('ours'), oursCache: best('oursCache'), oursLogits: best('oursLogits') },
      medianSeconds: { bare: med('bare'), ours: med('ours'), oursCache: med('oursCache'), oursLogits: med('oursLogits') },
    };
  } finally {
    await bare.session.release();
    await ours.close();
    await withLogits.close();
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  }
}
