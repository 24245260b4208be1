// Greedy generation throughput: the KV-cache path against the no-cache path and a bare forward pass of
// the same graph, each in its own process (for its peak RSS). ~1 min on 2 cores.
//   node --import tsx bench/generate/run.ts [--prompts 16] [--new 50] [--lengths 16,18,20,24] [--repeats 2]
//     [--layers 4] [--hidden 256] [--heads hidden/64] [--ffn 3·hidden] [--model 1b|8b]

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { parameterCount as bigParameterCount, SHAPE_1B, SHAPE_8B, writeBigDecoder } from '../extract/bigDecoder';
import { BENCH_SHAPE, parameterCount, writeBenchModel } from './benchModel';

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

interface VariantResult {
  variant: string;
  tokens: number;
  best: number;
  median: number;
  maxRssMiB: number;
  detail: string;
}

function main(): void {
  const prompts = flag('prompts', '16');
  const newTokens = flag('new', '50');
  const lengths = flag('lengths', '16,18,20,24');
  const repeats = flag('repeats', '2');
  const started = performance.now();
  // The vocabulary stays BENCH_SHAPE's (variant.ts draws the prompts from it); the body's shape is a flag.
  const layers = Number(flag('layers', String(BENCH_SHAPE.layers)));
  const hidden = Number(flag('hidden', String(BENCH_SHAPE.hidden)));
  const heads = Number(flag('heads', String(hidden / 64)));
  const s = { ...BENCH_SHAPE, layers, hidden, heads, headDim: hidden / heads, ffn: Number(flag('ffn', String(3 * hidden))) };
  // --model 1b: bench/extract's generated 1B fp32 decoder (onnxruntime-genai CPU layout, GroupQueryAttention,
  // 5.7 GB external data) instead; --model 8b: its 8B shape with int4 MatMulNBits weights (block 32). Only the
  // generate variants run then (the bare ones are written for BENCH_SHAPE).
  const bigShape = { '1b': SHAPE_1B, '8b': SHAPE_8B }[flag('model', '')];
  const big = bigShape !== undefined;
  const dir = bigShape ? writeBigDecoder(bigShape).dir : writeBenchModel(s);
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    big
      ? `model: bench/extract's generated ${bigShape.label} (${bigShape.numLayers} × ${bigShape.hiddenSize}, GQA ${bigShape.numHeads}/${bigShape.numKvHeads}, ` +
          `ff ${bigShape.intermediateSize}, vocab ${bigShape.vocabSize.toLocaleString('en-US')}, ${(bigParameterCount(bigShape) / 1e9).toFixed(2)}B parameters), random weights`
      : `model: LLaMA with KV-cache I/O, ${s.layers} layers × ${s.hidden} (${s.heads} heads, SwiGLU ${s.ffn}), vocab ${s.vocab}, ` +
          `${(parameterCount(s) / 1e6).toFixed(1)}M parameters, random weights`,
  );
  console.log(`prompts: ${prompts}, lengths cycling ${lengths}; ${newTokens} new tokens each, no stop id; batchSize 16`);
  console.log(`machine: ${cpu}, ${os.cpus().length} logical CPUs, Node ${process.version}`);
  const all: [string, string][] = [
    ['cached', repeats],
    ['cached-greedy-session', repeats],
    ['cached-sliced-copy', repeats],
    ['cached-scores', repeats],
    ['no-cache', '1'],
    ['bare-decode', repeats],
    ['bare-prefill', repeats],
  ];
  const variants = big ? all.filter(([v]) => v === 'cached' || v === 'cached-greedy-session' || v === 'cached-scores') : all;
  const results: VariantResult[] = [];
  try {
    for (const [variant, reps] of variants) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', path.join(__dirname, 'variant.ts'), dir, variant, prompts, lengths, newTokens, reps], {
        encoding: 'utf8',
        env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
      });
      results.push(JSON.parse(out.trim().split('\n').at(-1)!) as VariantResult);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const label: Record<string, string> = {
    cached: 'generateGreedy, KV cache (caller session; auto: no slice)',
    'cached-greedy-session': 'generateGreedy, KV cache, openGreedySession (sliced)',
    'cached-sliced-copy': 'generateGreedy, KV cache, sliceLogits: true (2nd session)',
    'cached-scores': 'generateGreedyWithScores, KV cache (+ softmax)',
    'no-cache': "generateGreedy, no cache (kvCache: 'off')",
    'bare-decode': 'bare ORT decode steps, one batch of all rows',
    'bare-prefill': 'bare ORT forward pass over the final sequences',
  };
  const rows = results.map((r) => [
    label[r.variant],
    String(r.tokens),
    r.best.toFixed(2),
    r.median.toFixed(2),
    Math.round(r.tokens / r.best).toLocaleString('en-US'),
    Math.round(r.maxRssMiB).toLocaleString('en-US'),
  ]);
  const header = ['variant', 'tokens', 'best s', 'median s', 'tokens/s (best)', 'peak RSS MiB'];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string => `| ${cells.map((x, c) => (c === 0 ? x.padEnd(widths[c]) : x.padStart(widths[c]))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, c) => (c === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`);
  rows.forEach((r) => console.log(line(r)));
  const cached = results.find((r) => r.variant === 'cached')!;
  const noCache = results.find((r) => r.variant === 'no-cache');
  if (noCache) console.log(`KV cache vs no cache: ${(noCache.best / cached.best).toFixed(1)}× faster`);
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const r of results) console.log(`  ${r.variant}: ${r.detail}`);
}

main();
