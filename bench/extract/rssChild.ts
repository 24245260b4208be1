// One extraction in its own process, for its peak RSS (process.resourceUsage().maxRSS):
//   node --import tsx bench/extract/rssChild.ts <modelDir> <rows> <memory|cache>
// memory: activations gathered into an in-memory FeatureStore (runs without a cache);
// cache:  streamed to an activation cache, then every (layer, token) slab read back once, as probes do.
// Prints one JSON line.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { runOptions } from '../../src/contract/runOptions';
import { TOKEN_POSITIONS } from '../../src/contract/types';
import { ActivationCache } from '../../src/core/cache/activationCache';
import { cacheKeyFor, modelIdentity } from '../../src/core/cache/cacheKey';
import { ActivationSession } from '../../src/core/model/activationSession';
import { CachedSlabs } from '../../src/core/pipeline/cachedSlabs';
import { CacheSink } from '../../src/core/pipeline/cacheSink';
import { type ActivationSink, featureStoreSink, runExtraction } from '../../src/core/pipeline/extractFeatures';
import { FeatureStore } from '../../src/core/pipeline/featureStore';
import type { SlabSource } from '../../src/core/pipeline/slabSource';
import { syntheticRows } from './syntheticRows';
import { BATCH_MEMORY_BYTES, MAX_BATCH_SIZE } from './throughput';

const [modelDir, rowsArg, mode] = process.argv.slice(2);
const rows = Number(rowsArg);
if (!modelDir || !Number.isInteger(rows) || (mode !== 'memory' && mode !== 'cache')) {
  process.stderr.write('usage: rssChild.ts <modelDir> <rows> <memory|cache>\n');
  process.exit(2);
}

const mb = (kb: number): number => Math.round(kb / 1024);

/**
 * Peak RSS of this program alone (Linux VmHWM). getrusage's maxRSS survives exec: a child forked from a
 * large parent starts with the parent's RSS as its "peak", so run.ts measures before it grows, and this
 * is reported next to it.
 */
function vmHwmMb(): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? mb(Number(m[1])) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const started = performance.now();
  const session = await ActivationSession.open(modelDir, { locations: ['mlp_out'], executionProviders: ['cpu'] });
  const afterLoadKb = process.resourceUsage().maxRSS;
  const rssNowMb = (): number => Math.round(process.memoryUsage().rss / 2 ** 20);
  const rssAfterLoad = rssNowMb();
  const hwmAfterLoad = vmHwmMb();
  const { numLayers, hiddenSize, blockKind } = session;
  const sequences = syntheticRows(rows, session.vocabSize ?? 32000, 16, 48, 7);
  const all = sequences.map((_, i) => i);
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-rss-'));
  try {
    let sink: ActivationSink;
    let source: () => SlabSource;
    if (mode === 'memory') {
      const store = new FeatureStore(numLayers, rows, hiddenSize);
      sink = featureStoreSink(store, sequences);
      source = () => store;
    } else {
      const key = cacheKeyFor({
        options: runOptions({ modelFolder: modelDir }),
        location: 'mlp_out',
        datasetHash: 'bench-rss',
        columns: { prompt: 'p', answer: 'a', correct: 'c' },
        model: modelIdentity(modelDir),
      });
      const cache = ActivationCache.open(cacheRoot, key);
      sink = new CacheSink(cache, sequences, new Set(all), { numLayers, hiddenSize, blockKind }, session.provider);
      source = () => new CachedSlabs(cache, sequences, numLayers, hiddenSize);
    }
    await runExtraction(session, sequences, all, { mlp_out: sink }, { batchMemoryBytes: BATCH_MEMORY_BYTES, maxBatchSize: MAX_BATCH_SIZE });
    const afterExtractKb = process.resourceUsage().maxRSS;
    const rssAfterExtract = rssNowMb();
    const hwmAfterExtract = vmHwmMb();
    await session.close();
    // What the probes then hold: one slab at a time (train/test copies of it are made per cell).
    const slabs = source();
    let checksum = 0;
    for (let layer = 0; layer < numLayers; layer++) {
      for (let token = 0; token < TOKEN_POSITIONS.length; token++) checksum += slabs.slab(layer, token)[0];
    }
    const rssAfterSlabs = rssNowMb();
    const cacheBytes = fs.readdirSync(cacheRoot, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .reduce((s, e) => s + fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size, 0);
    process.stdout.write(
      JSON.stringify({
        mode,
        rows,
        tokens: sequences.reduce((s, q) => s + q.ids.length, 0),
        featureStoreMb: Math.round((rows * numLayers * TOKEN_POSITIONS.length * hiddenSize * 4) / 2 ** 20),
        afterLoadMb: mb(afterLoadKb),
        afterExtractMb: mb(afterExtractKb),
        peakMb: mb(process.resourceUsage().maxRSS),
        rssNowMb: { afterLoad: rssAfterLoad, afterExtract: rssAfterExtract, afterSlabs: rssAfterSlabs },
        vmHwmMb: { afterLoad: hwmAfterLoad, afterExtract: hwmAfterExtract, end: vmHwmMb() },
        cacheMb: Math.round(cacheBytes / 2 ** 20),
        seconds: Math.round((performance.now() - started) / 100) / 10,
        checksum: Number.isFinite(checksum),
      }) + '\n',
    );
  } finally {
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
