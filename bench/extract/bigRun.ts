// Big-model extraction benchmark (issue 11 item 1):
//   node --import tsx --import ./src/core/onnx/telemetryOff.ts bench/extract/bigRun.ts --shape 1b|8b [--rows 8] [--min 32] [--max 96] [--repeats 2] [--rounds 2]
// Generates the shape (bigDecoder.ts) into a temp folder, then alternates child processes (bigChild.ts)
// bare, ours, bare, ours … (`--rounds` of each), and deletes the folder. See bench/extract/README.md.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type DecoderShape, parameterCount, SHAPE_1B, SHAPE_8B, writeBigDecoder } from './bigDecoder';
import { BATCH_MEMORY_BYTES } from './throughput';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < argv.length ? argv[i + 1] : fallback;
};
const TINY: DecoderShape = { label: 'tiny fp32 (smoke test)', numLayers: 2, hiddenSize: 256, numHeads: 4, numKvHeads: 2, intermediateSize: 512, vocabSize: 1000, weights: 'fp32', maxPositions: 256 };
const MID: DecoderShape = { label: 'mid fp32 (A/B control)', numLayers: 8, hiddenSize: 1024, numHeads: 16, numKvHeads: 4, intermediateSize: 4096, vocabSize: 32000, weights: 'fp32', maxPositions: 2048 };
const shapes: Record<string, DecoderShape> = { '1b': SHAPE_1B, '8b': SHAPE_8B, mid: MID, tiny: TINY, 'tiny-int4': { ...TINY, label: 'tiny int4 (smoke test)', weights: 'int4' } };
const shape = shapes[flag('shape', '1b')];
if (!shape) throw new Error(`--shape: one of ${Object.keys(shapes).join(', ')}`);
const rows = flag('rows', '8');
const minLen = flag('min', '32');
const maxLen = flag('max', '96');
const repeats = flag('repeats', '2');
const rounds = Number(flag('rounds', '2'));
const modes = flag('modes', 'bare,ours').split(',') as Mode[];
type Mode = 'bare' | 'bare-bytes' | 'ours';

interface ChildResult {
  mode: Mode;
  realTokens: number;
  paddedTokens: number;
  batches: number;
  load: { total: number; sessionCreate: number; readRewrite?: number };
  warmSeconds: number;
  seconds: number[][];
  memoryMb: Record<string, { rss: number; hwm: number }>;
  wallSeconds: number;
  finite?: boolean;
  cacheBytesPerRow?: number;
  ortSeconds?: number[];
  protoBytes?: { model: number; rewritten: number };
  layersFound?: number;
}

const mib = (bytes: number): number => Math.round(bytes / 2 ** 20);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load = (): string => os.loadavg().map((x) => x.toFixed(1)).join(' ');

function main(): void {
  const loadBefore = load();
  process.stderr.write(`${new Date().toISOString()} generating ${shape.label} (${(parameterCount(shape) / 1e9).toFixed(2)}B parameters)…\n`);
  const written = writeBigDecoder(shape);
  process.stderr.write(`  ${mib(written.dataBytes)} MiB of weights in ${written.seconds.toFixed(0)} s: ${written.dir}; load average ${loadBefore}\n`);
  const results: ChildResult[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      // Rotated every round, so no variant always runs first (bare, ours; ours, bare; …).
      for (const mode of modes.map((_, i) => modes[(i + r) % modes.length])) {
        process.stderr.write(`${new Date().toISOString()} round ${r + 1}: ${mode} (load average ${load()})…\n`);
        const out = execFileSync(
          process.execPath,
          ['--import', 'tsx', '--import', './src/core/onnx/telemetryOff.ts', path.join('bench', 'extract', 'bigChild.ts'), written.dir, mode, rows, minLen, maxLen, repeats],
          { encoding: 'utf8', maxBuffer: 1 << 20, stdio: ['ignore', 'pipe', 'inherit'] },
        );
        const result = JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
        process.stderr.write(`  ${JSON.stringify(result)}\n`);
        results.push(result);
      }
    }
  } finally {
    fs.rmSync(written.dir, { recursive: true, force: true });
  }
  report(written, results, loadBefore);
}

function report(written: ReturnType<typeof writeBigDecoder>, results: ChildResult[], loadBefore: string): void {
  const of = (mode: Mode): ChildResult[] => results.filter((r) => r.mode === mode);
  const passes = (mode: Mode): number[][] => of(mode).flatMap((r) => r.seconds);
  const first = results[0];
  const best = (mode: Mode): number => {
    const all = passes(mode);
    return all[0].reduce((s, _, k) => s + Math.min(...all.map((p) => p[k])), 0);
  };
  const med = (mode: Mode): number => median(passes(mode).map((p) => p.reduce((s, t) => s + t, 0)));
  const pct = (a: number, b: number): string => `${((a / b - 1) * 100).toFixed(1).replace(/^(?!-)/, '+')} %`;
  const rate = (s: number): string => (first.realTokens / s).toFixed(first.realTokens / s < 10 ? 2 : 1);
  const peak = (mode: Mode): number => Math.max(...of(mode).map((r) => r.memoryMb.afterRuns.hwm));
  const target = mib(written.dataBytes) + mib(BATCH_MEMORY_BYTES) + 1536;
  const title: Record<Mode, string> = {
    bare: 'bare: onnxruntime on bare.onnx (no lm_head) from its path, fetch last_hidden_state',
    'bare-bytes': 'bare-bytes: the same, as bytes through createOrtSession',
    ours: 'ours: rewrite (mlp_out × L, lm_head pruned), streamed to the cache',
  };
  const cells = (fn: (mode: Mode, rs: ChildResult[]) => string): string => modes.map((m) => fn(m, of(m))).join(' | ');
  const vsBare = (mode: Mode, t: (m: Mode) => number): string => (mode === 'bare' ? '' : ` (${pct(t(mode), t('bare'))} time vs bare)`);
  const lines = [
    `${shape.label}: ${shape.numLayers} × ${shape.hiddenSize}, heads ${shape.numHeads}/${shape.numKvHeads}, ff ${shape.intermediateSize}, vocab ${shape.vocabSize}, ` +
      `${(parameterCount(shape) / 1e9).toFixed(2)}B parameters; weights on disk ${mib(written.dataBytes)} MiB (${mib(written.bodyBytes)} MiB without lm_head), generated in ${written.seconds.toFixed(0)} s`,
    `${os.cpus().length} CPU threads, load average ${loadBefore} (1/5/15 min) before, ${load()} after; ${new Date().toISOString()}`,
    `rows ${rows} (lengths ${minLen}–${maxLen}): ${first.realTokens} tokens (${first.paddedTokens} padded), ${first.batches} batch(es); ${rounds} child process(es) per variant × ${repeats} timed passes after one warm-up pass`,
    '',
    `| | ${modes.map((m) => title[m]).join(' | ')} |`,
    `|---|${modes.map(() => '---').join('|')}|`,
    `| load, s (median of children) | ${cells((m, rs) => (m === 'ours' ? `${median(rs.map((r) => r.load.total)).toFixed(1)} (graph read + rewrite ${median(rs.map((r) => r.load.readRewrite!)).toFixed(2)}, session create ${median(rs.map((r) => r.load.sessionCreate)).toFixed(1)})` : `${median(rs.map((r) => r.load.total)).toFixed(1)} (session create)`))} |`,
    `| pass times, s (warm-up in brackets) | ${cells((_, rs) => rs.map((r) => `[${r.warmSeconds.toFixed(1)}] ${r.seconds.map((p) => p.reduce((a, b) => a + b, 0).toFixed(1)).join(', ')}`).join('; '))} |`,
    `| tokens/s, best of passes per batch | ${cells((m) => `${rate(best(m))}${vsBare(m, best)}`)} |`,
    `| tokens/s, median pass | ${cells((m) => `${rate(med(m))}${vsBare(m, med)}`)} |`,
    `| ours: time outside onnxruntime's run (output copies, gather, cache writes) / time inside it, same passes | ${cells((m, rs) => {
      if (m !== 'ours') return '—';
      const inside = rs.flatMap((r) => r.ortSeconds ?? []);
      const total = rs.flatMap((r) => r.seconds.map((p) => p.reduce((a, b) => a + b, 0)));
      const outside = total.reduce((a, b) => a + b, 0) - inside.reduce((a, b) => a + b, 0);
      return `${outside.toFixed(2)} s / ${inside.reduce((a, b) => a + b, 0).toFixed(1)} s = ${((outside / inside.reduce((a, b) => a + b, 0)) * 100).toFixed(1)} %`;
    })} |`,
    `| peak RSS (VmHWM), MiB; target ≤ ${target} (weights ${mib(written.dataBytes)} + batch budget ${mib(BATCH_MEMORY_BYTES)} + 1536) | ${cells((m) => String(peak(m)))} |`,
    `| RSS at start / after rewrite (before session) / after load, MiB | ${cells((_, rs) => rs.map((r) => `${r.memoryMb.start.rss} / ${r.memoryMb.afterRewrite?.rss ?? '—'} / ${r.memoryMb.afterLoad.rss}`).join('; '))} |`,
    `| graph bytes read and rewritten by us | ${cells((_, rs) => (rs[0].protoBytes ? `model.onnx ${rs[0].protoBytes.model} B → ${rs[0].protoBytes.rewritten} B` : '—'))} |`,
    `| cache bytes per row | ${cells((_, rs) => (rs[0].cacheBytesPerRow ? `${rs[0].cacheBytesPerRow} (${rs[0].layersFound} layers found)` : '—'))} |`,
    `| outputs finite | ${cells((_, rs) => (rs[0].finite === undefined ? '(cache written)' : String(rs.every((r) => r.finite))))} |`,
  ];
  console.log(lines.join('\n'));
}

main();
