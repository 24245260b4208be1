// One measurement on a generated big decoder (bigDecoder.ts), in its own process for its own peak RSS:
//   node --import tsx --import ./src/core/onnx/telemetryOff.ts bench/extract/bigChild.ts <dir> <bare|bare-bytes|ours> <rows> <minLen> <maxLen> <repeats>
// bare: onnxruntime on `bare.onnx` (the model without lm_head), fetching `last_hidden_state` only;
// bare-bytes: the same graph given to onnxruntime as bytes by our createOrtSession (as ours is);
// ours: the extraction path — graph read + layer walk + rewrite (mlp_out of every layer, lm_head
//       pruned), session from the rewritten bytes, runExtraction streaming to an activation cache.
// Both run the same batches (planBatches with runProbe's defaults), one warm-up pass, then `repeats`
// timed passes. Prints one JSON line.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InferenceSession } from 'onnxruntime-node';

import { runOptions } from '../../src/contract/runOptions';
import { ActivationCache } from '../../src/core/cache/activationCache';
import { cacheKeyFor, modelIdentity } from '../../src/core/cache/cacheKey';
import { ActivationSession, locationTensors } from '../../src/core/model/activationSession';
import { buildFeeds, feedSpecOf } from '../../src/core/model/feeds';
import { readModelGraph, resolveModelFolder } from '../../src/core/model/modelFolder';
import { createOrtSession } from '../../src/core/model/ortSession';
import { checkExternalData } from '../../src/core/onnx/externalData';
import { parseModel } from '../../src/core/onnx/graph';
import { findLayers } from '../../src/core/onnx/layers';
import { parseDecoderGraph } from '../../src/core/onnx/mergedDecoder';
import { rewriteForActivations } from '../../src/core/onnx/rewrite';
import { CacheSink } from '../../src/core/pipeline/cacheSink';
import { planBatches, runExtraction } from '../../src/core/pipeline/extractFeatures';
import { timeOrtRuns } from './ortRunTimer';
import { syntheticRows } from './syntheticRows';
import { BATCH_MEMORY_BYTES, MAX_BATCH_SIZE } from './throughput';

const [dir, mode, rowsArg, minArg, maxArg, repeatsArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const repeats = Number(repeatsArg);
if (!dir || (mode !== 'bare' && mode !== 'bare-bytes' && mode !== 'ours') || !(rows > 0) || !(repeats > 0)) {
  process.stderr.write('usage: bigChild.ts <dir> <bare|bare-bytes|ours> <rows> <minLen> <maxLen> <repeats>\n');
  process.exit(2);
}

const now = (): number => performance.now() / 1000;
/** VmRSS and VmHWM (peak of this program alone) in MiB. */
function memory(): { rss: number; hwm: number } {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kb = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { rss: Math.round(kb('VmRSS') / 1024), hwm: Math.round(kb('VmHWM') / 1024) };
}

function dirBytes(root: string): number {
  return fs.readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((s, e) => s + fs.statSync(path.join(e.parentPath ?? e.path, e.name)).size, 0);
}

async function main(): Promise<void> {
  const started = now();
  const folder = resolveModelFolder(dir);
  const numLayers = folder.numLayers!;
  const hiddenSize = folder.hiddenSize!;
  const vocabSize = folder.vocabSize!;
  const sequences = syntheticRows(rows, vocabSize, Number(minArg), Number(maxArg), 11);
  const lengths = sequences.map((s) => s.ids.length);
  const batches = planBatches(lengths, numLayers * hiddenSize * 4, BATCH_MEMORY_BYTES, MAX_BATCH_SIZE);
  const atStart = memory();
  const load: Record<string, number> = {};
  const mem: Record<string, { rss: number; hwm: number }> = { start: atStart };
  let runBatch: (batch: number[], repeat: number) => Promise<void>;
  let finish: () => Promise<Record<string, unknown>>;
  /** ours: per timed pass, seconds inside onnxruntime's run. */
  const ortSeconds: number[] = [];

  if (mode === 'bare' || mode === 'bare-bytes') {
    const file = path.join(dir, 'bare.onnx');
    const bareBytes = fs.readFileSync(file);
    const spec = feedSpecOf(parseModel(bareBytes, file));
    const t = now();
    // bare: onnxruntime reads the file itself; bare-bytes: our session code (bytes + external data folder).
    const session =
      mode === 'bare'
        ? await InferenceSession.create(file, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 })
        : (await createOrtSession(bareBytes, dir, file, ['cpu'])).session;
    load.sessionCreate = now() - t;
    load.total = load.sessionCreate;
    mem.afterLoad = memory();
    let finite = true;
    runBatch = async (batch) => {
      const { feeds } = buildFeeds(spec, batch.map((i) => sequences[i].ids), vocabSize);
      const out = await session.run(feeds, ['last_hidden_state']);
      const data = out.last_hidden_state.data as Float32Array;
      for (let i = 0; i < data.length; i += 997) if (!Number.isFinite(data[i])) finite = false;
    };
    finish = async () => {
      await session.release();
      return { finite };
    };
  } else {
    // What ActivationSession.open does before onnxruntime sees the model, timed and measured on its own:
    // the graph read (model.onnx without its weights: external data, or embedded weights by reference),
    // the layer walk, the rewrite.
    let t = now();
    const label = folder.modelFile;
    const modelBytes = readModelGraph(label);
    const { graph } = parseDecoderGraph(modelBytes, label);
    const layerMap = findLayers(graph, { expectedLayers: numLayers, fileLabel: label });
    checkExternalData(graph, path.dirname(label));
    const rewritten = rewriteForActivations(graph, layerMap, { tensors: locationTensors(layerMap, 'mlp_out', label), keepLogits: false });
    load.readRewrite = now() - t;
    mem.afterRewrite = memory();
    const protoBytes = { model: modelBytes.length, rewritten: rewritten.length };
    t = now();
    const session = await ActivationSession.open(dir, { locations: ['mlp_out'], executionProviders: ['cpu'] });
    load.total = now() - t;
    load.sessionCreate = load.total - load.readRewrite;
    mem.afterLoad = memory();
    const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-bigcache-'));
    const sinks = Array.from({ length: repeats + 1 }, (_, r) => {
      const key = cacheKeyFor({
        options: runOptions({ modelFolder: dir }),
        location: 'mlp_out',
        datasetHash: `bench-big-${r}`,
        columns: { prompt: 'p', answer: 'a', correct: 'c' },
        model: modelIdentity(dir),
      });
      const cache = ActivationCache.open(path.join(cacheRoot, String(r)), key);
      return new CacheSink(cache, sequences, new Set(sequences.map((_, i) => i)), { numLayers, hiddenSize, blockKind: session.blockKind }, session.provider);
    });
    const options = { batchMemoryBytes: BATCH_MEMORY_BYTES, maxBatchSize: MAX_BATCH_SIZE };
    // Time inside onnxruntime's run, per pass (ortRunTimer.ts says why). The inner session is private: wrapped here only.
    const inner = (session as unknown as { session: InferenceSession }).session;
    const inOrt = timeOrtRuns(inner);
    runBatch = async (batch, repeat) => {
      const before = inOrt();
      await runExtraction(session, sequences, batch, { mlp_out: sinks[repeat + 1] }, options);
      if (repeat >= 0) ortSeconds[repeat] = (ortSeconds[repeat] ?? 0) + inOrt() - before;
    };
    finish = async () => {
      await session.close();
      const cacheBytes = dirBytes(path.join(cacheRoot, '0'));
      fs.rmSync(cacheRoot, { recursive: true, force: true });
      return { protoBytes, cacheBytesPerRow: Math.round(cacheBytes / rows), layersFound: session.numLayers, blockKind: session.blockKind };
    };
  }

  // Warm-up pass (repeat -1 writes cache 0, the one measured), then timed passes: seconds[repeat][batch].
  const warm = now();
  for (const batch of batches) await runBatch(batch, -1);
  const warmSeconds = now() - warm;
  const seconds: number[][] = [];
  for (let r = 0; r < repeats; r++) {
    const perBatch: number[] = [];
    for (const batch of batches) {
      const t = now();
      await runBatch(batch, r);
      perBatch.push(now() - t);
    }
    seconds.push(perBatch);
  }
  mem.afterRuns = memory();
  const extra = await finish();
  process.stdout.write(
    JSON.stringify({
      mode,
      rows,
      realTokens: lengths.reduce((s, l) => s + l, 0),
      paddedTokens: batches.reduce((s, b) => s + b.length * Math.max(...b.map((i) => lengths[i])), 0),
      batches: batches.length,
      load,
      warmSeconds,
      seconds,
      memoryMb: mem,
      ...(ortSeconds.length > 0 ? { ortSeconds } : {}),
      wallSeconds: now() - started,
      ...extra,
    }) + '\n',
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
