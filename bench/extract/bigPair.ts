// Bare and ours in ONE process, passes alternating (order rotated each repeat), on a generated decoder:
//   node --import tsx --import ./src/core/onnx/telemetryOff.ts bench/extract/bigPair.ts --shape 1b|8b|mid [--rows 8] [--min 32] [--max 96] [--repeats 4] [--control]
// The cross-process comparison of bigRun.ts cannot resolve 10 % on this machine (two identical graphs
// differ by 25 % between processes); here both sessions see the same machine state pass by pass. Holds
// both sessions at once (2 × the model's memory): ~10 GB for the 1B shape, ~13 GB for the 8B int4.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InferenceSession } from 'onnxruntime-node';

import { runOptions } from '../../src/contract/runOptions';
import { ActivationCache } from '../../src/core/cache/activationCache';
import { cacheKeyFor, modelIdentity } from '../../src/core/cache/cacheKey';
import { ActivationSession } from '../../src/core/model/activationSession';
import { buildFeeds, feedSpecOf } from '../../src/core/model/feeds';
import { createOrtSession } from '../../src/core/model/ortSession';
import { parseModel } from '../../src/core/onnx/graph';
import { CacheSink } from '../../src/core/pipeline/cacheSink';
import { planBatches, runExtraction } from '../../src/core/pipeline/extractFeatures';
import { type DecoderShape, SHAPE_1B, SHAPE_8B, writeBigDecoder } from './bigDecoder';
import { timeOrtRuns } from './ortRunTimer';
import { syntheticRows } from './syntheticRows';
import { BATCH_MEMORY_BYTES, MAX_BATCH_SIZE } from './throughput';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const MID: DecoderShape = { label: 'mid fp32', numLayers: 8, hiddenSize: 1024, numHeads: 16, numKvHeads: 4, intermediateSize: 4096, vocabSize: 32000, weights: 'fp32', maxPositions: 2048 };
const shape = ({ '1b': SHAPE_1B, '8b': SHAPE_8B, mid: MID } as Record<string, DecoderShape>)[flag('shape', '1b')];
const rows = Number(flag('rows', '8'));
const repeats = Number(flag('repeats', '4'));
const now = (): number => performance.now() / 1000;
const hwmMb = (): number => Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024);

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  const written = writeBigDecoder(shape);
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-paircache-'));
  try {
    const dir = written.dir;
    const { numLayers, hiddenSize: hidden, vocabSize } = shape;
    const sequences = syntheticRows(rows, vocabSize, Number(flag('min', '32')), Number(flag('max', '96')), 11);
    const lengths = sequences.map((s) => s.ids.length);
    const batches = planBatches(lengths, numLayers * hidden * 4, BATCH_MEMORY_BYTES, MAX_BATCH_SIZE);
    const bareFile = path.join(dir, 'bare.onnx');
    const spec = feedSpecOf(parseModel(fs.readFileSync(bareFile), bareFile));
    const bare = await InferenceSession.create(bareFile, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 });
    // --control: the second session is bare.onnx again, as bytes through createOrtSession (no rewrite, no
    // extra outputs): what loading from bytes alone costs.
    const control = argv.includes('--control') ? (await createOrtSession(fs.readFileSync(bareFile), dir, bareFile, ['cpu'])).session : undefined;
    const ours = control ? undefined : await ActivationSession.open(dir, { locations: ['mlp_out'], executionProviders: ['cpu'] });
    const inner = control ?? (ours as unknown as { session: InferenceSession }).session;
    const inOrt = timeOrtRuns(inner);
    let cacheRun = 0;
    const sink = (): CacheSink => {
      const key = cacheKeyFor({ options: runOptions({ modelFolder: dir }), location: 'mlp_out', datasetHash: `pair-${cacheRun}`, columns: { prompt: 'p', answer: 'a', correct: 'c' }, model: modelIdentity(dir) });
      const cache = ActivationCache.open(path.join(cacheRoot, String(cacheRun++)), key);
      return new CacheSink(cache, sequences, new Set(sequences.map((_, i) => i)), { numLayers, hiddenSize: hidden, blockKind: ours!.blockKind }, ours!.provider);
    };
    const options = { batchMemoryBytes: BATCH_MEMORY_BYTES, maxBatchSize: MAX_BATCH_SIZE };
    const pass: Record<'bare' | 'ours', () => Promise<void>> = {
      bare: async () => {
        for (const b of batches) await bare.run(buildFeeds(spec, b.map((i) => sequences[i].ids), vocabSize).feeds, ['last_hidden_state']);
      },
      ours: async () => {
        if (control) {
          for (const b of batches) await control.run(buildFeeds(spec, b.map((i) => sequences[i].ids), vocabSize).feeds, ['last_hidden_state']);
          return;
        }
        const s = sink();
        for (const b of batches) await runExtraction(ours!, sequences, b, { mlp_out: s }, options);
      },
    };
    await pass.bare();
    await pass.ours();
    const times: Record<'bare' | 'ours', number[]> = { bare: [], ours: [] };
    const ortTimes: number[] = [];
    for (let r = 0; r < repeats; r++) {
      for (const v of r % 2 === 0 ? (['bare', 'ours'] as const) : (['ours', 'bare'] as const)) {
        const before = inOrt();
        const t = now();
        await pass[v]();
        times[v].push(now() - t);
        if (v === 'ours') ortTimes.push(inOrt() - before);
      }
    }
    await bare.release();
    await ours?.close();
    await control?.release();
    const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    const pct = (a: number, b: number): string => `${((a / b - 1) * 100).toFixed(1).replace(/^(?!-)/, '+')} %`;
    const tokens = sum(lengths);
    // Paired: each repeat's ours/bare ratio, the two passes back to back.
    const ratios = times.ours.map((t, i) => t / times.bare[i]);
    console.log(`${shape.label}, one process, ${rows} rows, ${tokens} tokens, ${batches.length} batch(es), ${repeats} alternating repeats after one warm-up each; load average ${loadBefore} before, ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} after; peak RSS ${hwmMb()} MiB (both sessions)`);
    console.log(`| | bare (bare.onnx, no lm_head) | ${control ? 'control: bare.onnx as bytes via createOrtSession' : `ours (mlp_out × ${numLayers}, cache)`} |`);
    console.log('|---|---|---|');
    console.log(`| pass times, s | ${times.bare.map((t) => t.toFixed(1)).join(', ')} | ${times.ours.map((t) => t.toFixed(1)).join(', ')} |`);
    console.log(`| tokens/s, best / median pass | ${(tokens / Math.min(...times.bare)).toFixed(1)} / ${(tokens / median(times.bare)).toFixed(1)} | ${(tokens / Math.min(...times.ours)).toFixed(1)} / ${(tokens / median(times.ours)).toFixed(1)} |`);
    console.log(`| ours vs bare: best / median pass / median of paired ratios | — | ${pct(Math.min(...times.ours), Math.min(...times.bare))} / ${pct(median(times.ours), median(times.bare))} / ${pct(median(ratios), 1)} |`);
    console.log(`| ours: outside onnxruntime's run / inside | — | ${(sum(times.ours) - sum(ortTimes)).toFixed(2)} s / ${sum(ortTimes).toFixed(1)} s = ${(((sum(times.ours) - sum(ortTimes)) / sum(ortTimes)) * 100).toFixed(1)} % |`);
  } finally {
    fs.rmSync(cacheRoot, { recursive: true, force: true });
    fs.rmSync(written.dir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
