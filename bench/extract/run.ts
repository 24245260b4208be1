// Extraction throughput and memory benchmark:  node --import tsx bench/extract/run.ts [--quick] [--no-big] [--no-rss]
// 1. tokens/s of our extraction vs a bare onnxruntime forward pass of the original graph, same batches;
// 2. peak RSS of 2,000 vs 20,000 rows, in-memory FeatureStore vs streaming to the activation cache.
// See bench/extract/README.md for what the numbers mean.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { resolveModelFolder } from '../../src/core/model/modelFolder';
import { BIG_MODEL_CONFIG, parameterCount, writeBigModel } from './bigModel';
import { syntheticRows } from './syntheticRows';
import { measureThroughput, type ThroughputResult } from './throughput';

const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
const fixture = (name: string): string => path.resolve('..', 'shared', 'fixtures', 'models', name);

interface Case {
  label: string;
  dir: string;
  rows: number;
  lengths: [number, number];
  repeats: number;
}

const pct = (ours: number, bare: number): string => `${((ours / bare - 1) * 100).toFixed(1).replace(/^(?!-)/, '+')} %`;
const rate = (tokens: number, seconds: number): string => Math.round(tokens / seconds).toLocaleString('en-US');

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

async function throughputTable(): Promise<void> {
  const cases: Case[] = [];
  let bigDir: string | undefined;
  if (!args.has('--no-big')) {
    const big = writeBigModel();
    bigDir = big.dir;
    const c = BIG_MODEL_CONFIG;
    process.stderr.write(
      `generated ${c.numLayers} × ${c.hiddenSize} (ff ${c.intermediateSize}, vocab ${c.vocabSize}, ` +
        `${(parameterCount(c) / 1e6).toFixed(0)}M parameters) in ${big.seconds.toFixed(1)} s: ${big.dir}\n`,
    );
    cases.push({ label: `generated ${c.numLayers}×${c.hiddenSize}, ${(parameterCount(c) / 1e6).toFixed(0)}M`, dir: big.dir, rows: quick ? 16 : 48, lengths: [32, 96], repeats: quick ? 2 : 5 });
  }
  cases.push(
    { label: 'toy-facts-llama 8×128', dir: fixture('toy-facts-llama'), rows: quick ? 64 : 512, lengths: [16, 64], repeats: 5 },
    { label: 'tiny-llama-unfused-extdata 4×64', dir: fixture('tiny-llama-unfused-extdata'), rows: quick ? 64 : 512, lengths: [16, 64], repeats: 5 },
  );
  const results: [Case, ThroughputResult][] = [];
  try {
    for (const c of cases) {
      const vocab = resolveModelFolder(c.dir).vocabSize ?? 32000;
      process.stderr.write(`timing ${c.label} (${c.rows} rows, ${c.repeats} repeats)…\n`);
      results.push([c, await measureThroughput(c.dir, syntheticRows(c.rows, vocab, c.lengths[0], c.lengths[1]), c.repeats)]);
    }
  } finally {
    if (bigDir) fs.rmSync(bigDir, { recursive: true, force: true });
  }
  console.log(
    `\nExtraction throughput, real tokens/s, best of repeats per batch (${os.cpus().length} CPU threads, onnxruntime CPU); ` +
      'overhead vs bare: best-of / median-of repeats\n',
  );
  const ov = (r: ThroughputResult, v: 'ours' | 'oursCache' | 'oursLogits'): string =>
    `${pct(r.seconds[v], r.seconds.bare)} / ${pct(r.medianSeconds[v], r.medianSeconds.bare)}`;
  console.log(
    table(
      ['model', 'rows', 'tokens (padded)', 'batches × repeats', 'bare ORT, logits', 'ours', 'overhead', 'ours + cache', 'overhead', 'ours, logits kept', 'overhead', 'load bare / ours'],
      results.map(([c, r]) => [
        c.label,
        String(r.rows),
        `${r.realTokens} (${r.paddedTokens})`,
        `${r.batches} × ${c.repeats}`,
        rate(r.realTokens, r.seconds.bare),
        rate(r.realTokens, r.seconds.ours),
        ov(r, 'ours'),
        rate(r.realTokens, r.seconds.oursCache),
        ov(r, 'oursCache'),
        rate(r.realTokens, r.seconds.oursLogits),
        ov(r, 'oursLogits'),
        `${r.loadSeconds.bare.toFixed(1)} / ${r.loadSeconds.ours.toFixed(1)} s`,
      ]),
    ),
  );
  console.log(
    'overhead = extra time vs the bare pass (negative: faster). "ours" prunes the lm_head and fetches one location; ' +
      '"ours, logits kept" does all of the bare graph\'s work plus the exposed outputs and the 15-position gather.',
  );
}

function rssTable(): void {
  const dir = fixture('toy-facts-llama');
  const counts = quick ? [200, 2000] : [2000, 20000];
  const rows: string[][] = [];
  for (const mode of ['memory', 'cache']) {
    for (const n of counts) {
      process.stderr.write(`peak RSS: ${n} rows, ${mode}…\n`);
      const out = execFileSync(process.execPath, ['--import', 'tsx', path.join('bench', 'extract', 'rssChild.ts'), dir, String(n), mode], {
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      });
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number> & {
        rssNowMb: Record<string, number>;
        vmHwmMb: Record<string, number | undefined>;
      };
      rows.push([
        mode === 'memory' ? 'in-memory FeatureStore' : 'streamed to cache, slabs read back',
        String(n),
        String(r.tokens),
        `${r.featureStoreMb} MB`,
        `${r.afterLoadMb} / ${r.vmHwmMb.afterLoad ?? '?'} / ${r.rssNowMb.afterLoad}`,
        `${r.afterExtractMb} / ${r.vmHwmMb.afterExtract ?? '?'} / ${r.rssNowMb.afterExtract}`,
        `${r.peakMb} / ${r.vmHwmMb.end ?? '?'} / ${r.rssNowMb.afterSlabs}`,
        mode === 'cache' ? `${r.cacheMb} MB` : '—',
        `${r.seconds} s`,
      ]);
    }
  }
  console.log('\nMemory, MB: maxRSS (process.resourceUsage()) / VmHWM (peak of this program) / RSS now; one child process per line; toy-facts-llama 8×128, mlp_out, float32\n');
  console.log(table(['mode', 'rows', 'tokens', 'FeatureStore size', 'after model load', 'after extraction', 'end (every slab read once)', 'cache on disk', 'time'], rows));
}

async function main(): Promise<void> {
  // Memory first, while this process is small: a child's maxRSS starts at its parent's RSS (see rssChild.ts).
  if (!args.has('--no-rss')) rssTable();
  if (!args.has('--no-throughput')) await throughputTable();
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
