// Probe timings, ours and scikit-learn's side by side in ONE run on the SAME matrices:
//   node --import tsx bench/probes/benchProbes.ts [--cases 800x200x4096,...] [--reps N]
// Cases are activation-like (activationLike.ts): train rows × test rows × features. One probe = fit on
// the train rows + P(correct) of the test rows + the heatmap metrics (scikit-learn: fit + predict_proba +
// roc_auc_score). Ours is timed three ways — one onnxruntime thread; onnxruntime's default threads (one per
// core); and two worker processes of one thread each running probes at the same time (throughput, how a
// 480-probe heatmap would use 2 cores) — and projected to 480 probes. scikit-learn runs its default
// LogisticRegression() (the paper's setting) and a converged fit (bench_sklearn.py). Prints a Markdown
// table, the machine and its load average before and after (the machine is shared: compare within a run).
import { spawn } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { bootstrapAucInterval } from '../../src/core/probe/bootstrap';
import type { DualNewtonFit, DualStart } from '../../src/core/probe/dualNewton';
import { fitLogisticFast, type LogisticFit, predictProbaCorrect } from '../../src/core/probe/logistic';
import { cellMetrics } from '../../src/core/probe/metrics';
import { OrtKernels } from '../../src/core/probe/ortKernels';
import { activationLayers, activationLike } from './activationLike';

interface Case {
  name: string;
  file: string;
  nTrain: number;
  nTest: number;
  d: number;
  reps: number;
  repsDefault: number;
  repsConverged: number;
}

const DEFAULT_CASES = '800x200x4096,4000x1000x4096,800x200x896,8000x2000x768';
const PROBES = 480;
/** activationLayers' turn per cell in the warm-start chains (cosine ≈ 0.95 between neighbours). */
const CHAIN_STEP = 0.3;

/** One probe as the pipeline runs it (bootstrap excluded: timed apart). */
async function probe(
  c: Case,
  X: Float32Array,
  y: Uint8Array,
  kernels: OrtKernels,
  warmStart?: DualStart,
): Promise<{ fit: LogisticFit; auc: number; scores: Float64Array }> {
  const { nTrain, nTest, d } = c;
  const fit = await fitLogisticFast(X.subarray(0, nTrain * d), nTrain, d, y.subarray(0, nTrain), { kernels, warmStart });
  const scores = predictProbaCorrect(fit, X.subarray(nTrain * d), nTest, d);
  const auc = cellMetrics(y.subarray(nTrain), scores).auc!;
  return { fit, auc, scores };
}

function load(dir: string, c: Case): { X: Float32Array; y: Uint8Array } {
  const xb = readFileSync(join(dir, `${c.file}.X.f32`));
  return {
    X: new Float32Array(xb.buffer, xb.byteOffset, xb.byteLength / 4),
    y: new Uint8Array(readFileSync(join(dir, `${c.file}.y.u8`))),
  };
}

/** Worker mode: `--worker DIR CASE_JSON`: times c.reps probes with one thread, prints the total ms. */
async function worker(dir: string, c: Case): Promise<void> {
  const { X, y } = load(dir, c);
  const kernels = await OrtKernels.create({ threads: 1 });
  await probe(c, X, y, kernels); // warm-up: JIT and sessions
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  const t0 = performance.now();
  for (let r = 0; r < c.reps; r++) await probe(c, X, y, kernels);
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - t0 })}\n`);
  await kernels.release();
  process.stdin.destroy(); // let the process end
}

/** Two workers started together (each warmed up first): wall time per probe over both. */
async function twoWorkers(dir: string, c: Case): Promise<number> {
  const children = [0, 1].map(() =>
    spawn(process.execPath, [...process.execArgv, __filename, '--worker', dir, JSON.stringify(c)], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  const lines = children.map((child) => {
    const queue: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      for (let k = buffer.indexOf('\n'); k >= 0; k = buffer.indexOf('\n')) {
        const line = buffer.slice(0, k);
        buffer = buffer.slice(k + 1);
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else queue.push(line);
      }
    });
    return (): Promise<string> => new Promise((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiters.push(resolve)));
  });
  await Promise.all(lines.map((next) => next())); // both ready
  const t0 = performance.now();
  children.forEach((child) => child.stdin.write('go\n'));
  await Promise.all(lines.map((next) => next()));
  const wall = performance.now() - t0;
  return wall / (2 * c.reps);
}

const stats = (ms: number[]): { min: number; median: number } => {
  const s = [...ms].sort((a, b) => a - b);
  return { min: s[0], median: s[Math.floor((s.length - 1) / 2)] };
};
const fmt = (ms: number): string => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--worker') return worker(args[1], JSON.parse(args[2]) as Case);
  const caseArg = args.includes('--cases') ? args[args.indexOf('--cases') + 1] : DEFAULT_CASES;
  const repsArg = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 0;
  const cases: Case[] = caseArg.split(',').map((spec, k) => {
    const [nTrain, nTest, d] = spec.split('x').map(Number);
    const big = nTrain * d * Math.min(nTrain, d) > 1e10;
    return {
      name: `${nTrain}/${nTest} × ${d}`,
      file: `c${k}`,
      nTrain,
      nTest,
      d,
      reps: repsArg || (big ? 2 : 8),
      repsDefault: big ? 1 : 3,
      repsConverged: 1,
    };
  });
  const dir = mkdtempSync(join(tmpdir(), 'probe-bench-'));
  const loadBefore = loadavg();
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (before)`);
  try {
    for (const [k, c] of cases.entries()) {
      const { X, y } = activationLike(c.nTrain + c.nTest, c.d, k);
      writeFileSync(join(dir, `${c.file}.X.f32`), Buffer.from(X.buffer, X.byteOffset, X.byteLength));
      writeFileSync(join(dir, `${c.file}.y.u8`), y);
    }

    const rows: string[] = [];
    const one = await OrtKernels.create({ threads: 1 });
    const all = await OrtKernels.create({ threads: 0 });
    const ours: { path: string; oneThread: number[]; allThreads: number[]; workers: number; bootstrapMs: number; auc: number; objective: number; converged: boolean }[] = [];
    for (const c of cases) {
      const { X, y } = load(dir, c);
      const first = await probe(c, X, y, one); // warm-up
      await probe(c, X, y, all);
      const time = async (kernels: OrtKernels): Promise<number[]> => {
        const ms: number[] = [];
        for (let r = 0; r < c.reps; r++) {
          const t0 = performance.now();
          await probe(c, X, y, kernels);
          ms.push(performance.now() - t0);
        }
        return ms;
      };
      const oneThread = await time(one);
      const allThreads = await time(all);
      const workers = await twoWorkers(dir, c);
      // The resamples are drawn once per heatmap (every cell shares the test rows): time a cell's share.
      bootstrapAucInterval(y.subarray(c.nTrain), first.scores, { resamples: 1000, seed: 0 });
      const t0 = performance.now();
      bootstrapAucInterval(y.subarray(c.nTrain), first.scores, { resamples: 1000, seed: 0 });
      const bootstrapMs = performance.now() - t0;
      const fit = first.fit as DualNewtonFit;
      const path = `${fit.solver}, ${fit.iterations} Newton${fit.cgSteps !== undefined ? `, ${fit.cgSteps} CG, ${fit.refinements} exact` : ''}`;
      ours.push({ path, oneThread, allThreads, workers, bootstrapMs, auc: first.auc, objective: fit.objective, converged: fit.converged });
      console.log(`ours ${c.name}: ${path}; 1 thread ${oneThread.map(fmt).join(' ')}; all threads ${allThreads.map(fmt).join(' ')}; 2 workers ${fmt(workers)}/probe`);
    }
    // Layer-like chains (activationLayers: same rows and labels, each cell a small turn of the previous
    // one's loadings and noise), dual cases only: every cell fitted cold and warm-started from the previous
    // cell's warm fit, alternating which goes first; scikit-learn's default on the same cells.
    const chains: { k: number; cells: number; cold: number[]; warm: number[]; coldPath: string; warmPath: string; used: number; firstFile: number }[] = [];
    const chainCases: Case[] = [];
    for (const [k, c] of cases.entries()) {
      if (c.nTrain > c.d) continue;
      const cells = c.nTrain * c.d * c.nTrain > 1e10 ? 4 : 8;
      const { Xs, y } = activationLayers(c.nTrain + c.nTest, c.d, cells, k, CHAIN_STEP);
      const firstFile = chainCases.length;
      Xs.forEach((X, l) => {
        const file = `${c.file}_l${l}`;
        writeFileSync(join(dir, `${file}.X.f32`), Buffer.from(X.buffer, X.byteOffset, X.byteLength));
        writeFileSync(join(dir, `${file}.y.u8`), y);
        chainCases.push({ ...c, name: `${c.name} layer ${l}`, file, repsDefault: 1, repsConverged: 0 });
      });
      const cold: number[] = [];
      const warm: number[] = [];
      const iters = { cold: [0, 0], warm: [0, 0] };
      let used = 0;
      let start: DualStart | undefined;
      await probe(c, Xs[0], y, one); // warm-up at this shape
      for (let l = 0; l < cells; l++) {
        let next: DualStart | undefined;
        for (const mode of l % 2 === 0 ? ['cold', 'warm'] : ['warm', 'cold']) {
          const t0 = performance.now();
          const { fit } = await probe(c, Xs[l], y, one, mode === 'warm' ? start : undefined);
          const ms = performance.now() - t0;
          const dual = fit as DualNewtonFit;
          if (l > 0) {
            (mode === 'warm' ? warm : cold).push(ms);
            const it = mode === 'warm' ? iters.warm : iters.cold;
            it[0] += dual.iterations;
            it[1] += dual.cgSteps;
            if (mode === 'warm' && dual.warmStarted) used++;
          }
          if (mode === 'warm') next = dual.dual;
        }
        start = next;
      }
      const per = (it: number[]): string => `${(it[0] / (cells - 1)).toFixed(1)} Newton, ${(it[1] / (cells - 1)).toFixed(0)} CG`;
      chains.push({ k, cells, cold, warm, coldPath: per(iters.cold), warmPath: per(iters.warm), used, firstFile });
      console.log(`chain ${c.name}: cold ${cold.map(fmt).join(' ')} (${per(iters.cold)}); warm ${warm.map(fmt).join(' ')} (${per(iters.warm)}, used ${used}/${cells - 1})`);
    }
    await one.release();
    await all.release();

    console.log('scikit-learn (same matrices) …');
    writeFileSync(join(dir, 'cases.json'), JSON.stringify([...cases, ...chainCases]));
    const skAll = JSON.parse(execFileSync('/usr/bin/python3', ['bench/probes/bench_sklearn.py', dir], { encoding: 'utf8', maxBuffer: 1 << 26 })) as {
      name: string;
      default: { seconds: number[]; n_iter: number; max_iter: number; objective: number; auc: number; solver: string };
      converged: { seconds: number[]; n_iter: number; max_iter: number; objective: number; auc: number; solver: string };
    }[];
    const sk = skAll.slice(0, cases.length);
    const skChain = skAll.slice(cases.length);
    const loadAfter = loadavg();

    rows.push('| case (train/test × d) | our path | ours, 1 thread (min / median per probe) | ours, 1 process all threads | ours, 2 workers (per probe) | ours × 480 (best) | sklearn default (lbfgs, max_iter 100) | × 480 | sklearn converged | × 480 | speed-up vs default | ΔAUC ours − default / − converged | objective ours / default / converged |');
    rows.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    cases.forEach((c, k) => {
      const o = ours[k];
      const s = sk[k];
      const a = stats(o.oneThread);
      const b = stats(o.allThreads);
      const best = Math.min(a.median, b.median, o.workers);
      const skDefault = stats(s.default.seconds.map((x) => x * 1000)).median;
      const skConverged = stats(s.converged.seconds.map((x) => x * 1000)).median;
      rows.push(
        `| ${c.name} | ${o.path}${o.converged ? '' : ' (NOT converged)'} | ${fmt(a.min)} / ${fmt(a.median)} | ${fmt(b.median)} | ${fmt(o.workers)} | ${fmt(best * PROBES)} | ` +
          `${fmt(skDefault)} (${s.default.n_iter} it) | ${fmt(skDefault * PROBES)} | ${fmt(skConverged)} (${s.converged.solver}, ${s.converged.n_iter} it) | ${fmt(skConverged * PROBES)} | ` +
          `${(skDefault / best).toFixed(1)}× | ${(o.auc - s.default.auc).toFixed(4)} / ${(o.auc - s.converged.auc).toExponential(1)} | ` +
          `${o.objective.toPrecision(10)} / ${s.default.objective.toPrecision(10)} / ${s.converged.objective.toPrecision(10)} |`,
      );
    });
    console.log(`\n${rows.join('\n')}\n`);
    const chainRows = [
      `| layer-like chain (step ${CHAIN_STEP}) | cells | ours cold, 1 thread (median per probe) | path, cold | ours warm-started, 1 thread (median) | path, warm (start used) | ours warm × 480 | sklearn default, same cells (median) | × 480 | cold vs default | warm vs default |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    for (const ch of chains) {
      const c = cases[ch.k];
      const skMs = stats(skChain.slice(ch.firstFile + 1, ch.firstFile + ch.cells).map((s) => s.default.seconds[0] * 1000)).median;
      const cold = stats(ch.cold).median;
      const warm = stats(ch.warm).median;
      chainRows.push(
        `| ${c.name} | ${ch.cells - 1} (after the first) | ${fmt(cold)} | ${ch.coldPath} | ${fmt(warm)} | ${ch.warmPath} (${ch.used}/${ch.cells - 1}) | ${fmt(warm * PROBES)} | ` +
          `${fmt(skMs)} | ${fmt(skMs * PROBES)} | ${(skMs / cold).toFixed(1)}× | ${(skMs / warm).toFixed(1)}× |`,
      );
    }
    console.log(`${chainRows.join('\n')}\n`);
    console.log(`bootstrap interval per cell (1000 resamples, drawn once per heatmap), not in the times above: ${ours.map((o, k) => `${cases[k].name}: ${fmt(o.bootstrapMs)}`).join('; ')}`);
    console.log(`load average ${loadAfter.map((l) => l.toFixed(2)).join(' ')} (after)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
