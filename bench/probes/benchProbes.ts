// Probe timings, ours and scikit-learn's side by side in ONE run on the SAME matrices:
//   node --import tsx bench/probes/benchProbes.ts [--cases 800x200x4096,...] [--reps N]
// Cases are activation-like (activationLike.ts): train rows × test rows × features. One probe = fit on
// the train rows + P(correct) of the test rows + the heatmap metrics (scikit-learn: fit + predict_proba +
// roc_auc_score). Ours is timed three ways — one onnxruntime thread; onnxruntime's default threads (one per
// core); and two worker processes of one thread each running probes at the same time (throughput, how a
// 480-probe heatmap would use 2 cores) — and projected to 480 probes. scikit-learn runs its default
// LogisticRegression() (the paper's setting) and a converged fit (bench_sklearn.py --serve, one probe per
// request): its default runs ALTERNATE with ours, rep by rep, so a drifting load on the shared machine hits
// both alike. For the dual cases, a layer-like chain (activationLayers) is timed cold and warm-started,
// alternating with scikit-learn's default on the same cells. Prints Markdown tables and the load average.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

import { bootstrapAucInterval } from '../../src/core/probe/bootstrap';
import type { DualNewtonFit, DualStart } from '../../src/core/probe/dualNewton';
import { fitLogisticFast, type LogisticFit, predictProbaCorrect } from '../../src/core/probe/logistic';
import { cellMetrics } from '../../src/core/probe/metrics';
import { OrtKernels } from '../../src/core/probe/ortKernels';
import { activationLayers, activationLike } from './activationLike';
import { fmt, lineReader } from './benchIo';

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
  const lines = children.map((child) => lineReader(child.stdout));
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
/** CPU milliseconds (user + system, all threads of this process) since c0. */
const cpuMs = (c0: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(c0);
  return (u.user + u.system) / 1000;
};

interface SkRun {
  seconds: number;
  cpu_seconds: number;
  n_iter: number;
  max_iter: number;
  objective: number;
  auc: number;
  solver: string;
}


async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--worker') return worker(args[1], JSON.parse(args[2]) as Case);
  const caseArg = args.includes('--cases') ? args[args.indexOf('--cases') + 1] : DEFAULT_CASES;
  const repsArg = args.includes('--reps') ? Number(args[args.indexOf('--reps') + 1]) : 0;
  const cases: Case[] = caseArg.split(',').map((spec, k) => {
    const [nTrain, nTest, d] = spec.split('x').map(Number);
    const big = nTrain * d * Math.min(nTrain, d) > 1e10;
    return { name: `${nTrain}/${nTest} × ${d}`, file: `c${k}`, nTrain, nTest, d, reps: repsArg || (big ? 3 : 8), repsDefault: 0, repsConverged: 1 };
  });
  const dir = mkdtempSync(join(tmpdir(), 'probe-bench-'));
  const loadBefore = loadavg();
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} (before)`);
  let python: ReturnType<typeof spawn> | undefined;
  try {
    // Layer-like chains (activationLayers: same rows and labels, each cell a small turn of the previous
    // one's loadings and noise), dual cases only.
    const chainFiles = new Map<number, Case[]>();
    for (const [k, c] of cases.entries()) {
      const { X, y } = activationLike(c.nTrain + c.nTest, c.d, k);
      writeFileSync(join(dir, `${c.file}.X.f32`), Buffer.from(X.buffer, X.byteOffset, X.byteLength));
      writeFileSync(join(dir, `${c.file}.y.u8`), y);
      if (c.nTrain > c.d) continue;
      const cells = c.nTrain * c.d * c.nTrain > 1e10 ? 4 : 8;
      const { Xs, y: yc } = activationLayers(c.nTrain + c.nTest, c.d, cells, k, CHAIN_STEP);
      chainFiles.set(
        k,
        Xs.map((Xl, l) => {
          const file = `${c.file}_l${l}`;
          writeFileSync(join(dir, `${file}.X.f32`), Buffer.from(Xl.buffer, Xl.byteOffset, Xl.byteLength));
          writeFileSync(join(dir, `${file}.y.u8`), yc);
          return { ...c, name: `${c.name} layer ${l}`, file };
        }),
      );
    }
    writeFileSync(join(dir, 'cases.json'), JSON.stringify([...cases, ...[...chainFiles.values()].flat()]));
    const server = spawn('/usr/bin/python3', ['bench/probes/bench_sklearn.py', '--serve', dir], { stdio: ['pipe', 'pipe', 'inherit'] });
    python = server;
    const nextLine = lineReader(server.stdout);
    const sk = async (file: string, setting: 'default' | 'converged'): Promise<SkRun> => {
      server.stdin.write(`${file} ${setting}\n`);
      return JSON.parse(await nextLine()) as SkRun;
    };

    const one = await OrtKernels.create({ threads: 1 });
    const all = await OrtKernels.create({ threads: 0 });
    const rows: string[] = [];
    rows.push('| case (train/test × d) | our path | ours, 1 thread (min / median per probe, median CPU time) | ours, 1 process all threads | ours, 2 workers (per probe) | ours × 480 (best) | sklearn default (lbfgs, max_iter 100), median (CPU time, both threads) | × 480 | sklearn converged | × 480 | speed-up vs default, best (CPU time) | ΔAUC ours − default / − converged | objective ours / default / converged |');
    rows.push('| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |');
    const chainRows = [
      `| layer-like chain (step ${CHAIN_STEP}) | cells timed | ours cold, 1 thread (median) | path, cold (mean per cell) | ours warm-started, 1 thread (median) | path, warm (start used) | ours warm × 480 | sklearn default, same cells (median) | × 480 | cold vs default | warm vs default |`,
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ];
    const bootstrap: string[] = [];
    for (const [k, c] of cases.entries()) {
      const { X, y } = load(dir, c);
      const first = await probe(c, X, y, one); // warm-ups: JIT, sessions, scikit-learn's first call
      await probe(c, X, y, all);
      await sk(c.file, 'default');
      // Ours (1 thread, all threads) and scikit-learn's default alternate, rep by rep, order rotating.
      const oneThread: number[] = [];
      const oneThreadCpu: number[] = [];
      const allThreads: number[] = [];
      const skDefault: SkRun[] = [];
      const timeOurs = async (kernels: OrtKernels, into: number[], cpuInto?: number[]): Promise<void> => {
        const t0 = performance.now();
        const c0 = process.cpuUsage();
        await probe(c, X, y, kernels);
        into.push(performance.now() - t0);
        cpuInto?.push(cpuMs(c0));
      };
      for (let r = 0; r < c.reps; r++) {
        const steps = [
          () => timeOurs(one, oneThread, oneThreadCpu),
          () => timeOurs(all, allThreads),
          async () => void skDefault.push(await sk(c.file, 'default')),
        ];
        for (let q = 0; q < steps.length; q++) await steps[(q + r) % steps.length]();
      }
      const workers = await twoWorkers(dir, c);
      const skConverged = await sk(c.file, 'converged');
      bootstrapAucInterval(y.subarray(c.nTrain), first.scores, { resamples: 1000, seed: 0 });
      const tb = performance.now();
      bootstrapAucInterval(y.subarray(c.nTrain), first.scores, { resamples: 1000, seed: 0 });
      bootstrap.push(`${c.name}: ${fmt(performance.now() - tb)}`);
      const fit = first.fit as DualNewtonFit;
      const path = `${fit.solver}, ${fit.iterations} Newton${fit.cgSteps !== undefined ? `, ${fit.cgSteps} CG, ${fit.refinements} exact` : ''}`;
      const a = stats(oneThread);
      const b = stats(allThreads);
      const best = Math.min(a.median, b.median, workers);
      const skMs = stats(skDefault.map((s) => s.seconds * 1000)).median;
      const skCpu = stats(skDefault.map((s) => s.cpu_seconds * 1000)).median;
      const ourCpu = stats(oneThreadCpu).median;
      const skConvMs = skConverged.seconds * 1000;
      const d0 = skDefault[0];
      console.log(`ours ${c.name}: ${path}; 1 thread ${oneThread.map(fmt).join(' ')}; all threads ${allThreads.map(fmt).join(' ')}; 2 workers ${fmt(workers)}/probe; sklearn default ${skDefault.map((s) => fmt(s.seconds * 1000)).join(' ')}; load ${loadavg()[0].toFixed(2)}`);
      rows.push(
        `| ${c.name} | ${path}${fit.converged ? '' : ' (NOT converged)'} | ${fmt(a.min)} / ${fmt(a.median)} (cpu ${fmt(ourCpu)}) | ${fmt(b.median)} | ${fmt(workers)} | ${fmt(best * PROBES)} | ` +
          `${fmt(skMs)} (cpu ${fmt(skCpu)}, ${d0.n_iter} it) | ${fmt(skMs * PROBES)} | ${fmt(skConvMs)} (${skConverged.solver}, ${skConverged.n_iter} it) | ${fmt(skConvMs * PROBES)} | ` +
          `${(skMs / best).toFixed(1)}× (cpu ${(skCpu / ourCpu).toFixed(1)}×) | ${(first.auc - d0.auc).toFixed(4)} / ${(first.auc - skConverged.auc).toExponential(1)} | ` +
          `${fit.objective.toPrecision(10)} / ${d0.objective.toPrecision(10)} / ${skConverged.objective.toPrecision(10)} |`,
      );

      const chain = chainFiles.get(k);
      if (!chain) continue;
      // Every cell fitted cold and warm-started from the previous cell's warm fit, and by scikit-learn's
      // default, the three in rotating order; the first cell (nothing to start from) is not counted.
      const cold: number[] = [];
      const warm: number[] = [];
      const cpu = { cold: [] as number[], warm: [] as number[], sk: [] as number[] };
      const skChain: number[] = [];
      const iters = { cold: [0, 0], warm: [0, 0] };
      let used = 0;
      let start: DualStart | undefined;
      for (const [l, cl] of chain.entries()) {
        const data = load(dir, cl);
        let next: DualStart | undefined;
        const run = async (mode: 'cold' | 'warm' | 'sk'): Promise<void> => {
          if (mode === 'sk') {
            const s = await sk(cl.file, 'default');
            if (l > 0) skChain.push(s.seconds * 1000);
            if (l > 0) cpu.sk.push(s.cpu_seconds * 1000);
            return;
          }
          const t0 = performance.now();
          const c0 = process.cpuUsage();
          const { fit: f } = await probe(c, data.X, data.y, one, mode === 'warm' ? start : undefined);
          const ms = performance.now() - t0;
          const cpuSpent = cpuMs(c0);
          const dual = f as DualNewtonFit;
          if (mode === 'warm') next = dual.dual;
          if (l === 0) return;
          (mode === 'warm' ? warm : cold).push(ms);
          cpu[mode].push(cpuSpent);
          const it = iters[mode];
          it[0] += dual.iterations;
          it[1] += dual.cgSteps ?? 0;
          if (mode === 'warm' && dual.warmStarted) used++;
        };
        const modes = ['cold', 'warm', 'sk'] as const;
        for (let q = 0; q < modes.length; q++) await run(modes[(q + l) % modes.length]);
        start = next;
      }
      const timed = chain.length - 1;
      const per = (it: number[]): string => `${(it[0] / timed).toFixed(1)} Newton, ${(it[1] / timed).toFixed(0)} CG`;
      const coldMs = stats(cold).median;
      const warmMs = stats(warm).median;
      const skMsChain = stats(skChain).median;
      console.log(`chain ${c.name}: cold ${cold.map(fmt).join(' ')} (${per(iters.cold)}); warm ${warm.map(fmt).join(' ')} (${per(iters.warm)}, used ${used}/${timed}); sklearn default ${skChain.map(fmt).join(' ')}`);
      const [cc, cw, cs] = [stats(cpu.cold).median, stats(cpu.warm).median, stats(cpu.sk).median];
      chainRows.push(
        `| ${c.name} | ${timed} | ${fmt(coldMs)} (cpu ${fmt(cc)}) | ${per(iters.cold)} | ${fmt(warmMs)} (cpu ${fmt(cw)}) | ${per(iters.warm)} (${used}/${timed}) | ${fmt(warmMs * PROBES)} | ` +
          `${fmt(skMsChain)} (cpu ${fmt(cs)}) | ${fmt(skMsChain * PROBES)} | ${(skMsChain / coldMs).toFixed(1)}× (cpu ${(cs / cc).toFixed(1)}×) | ${(skMsChain / warmMs).toFixed(1)}× (cpu ${(cs / cw).toFixed(1)}×) |`,
      );
    }
    await one.release();
    await all.release();
    console.log(`\n${rows.join('\n')}\n`);
    console.log(`${chainRows.join('\n')}\n`);
    console.log(`bootstrap interval per cell (1000 resamples, drawn once per heatmap), not in the times above: ${bootstrap.join('; ')}`);
    console.log(`load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} (after)`);
  } finally {
    python?.stdin?.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
