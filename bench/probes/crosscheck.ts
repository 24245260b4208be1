// Cross-check of the probe solvers against scikit-learn on the SAME matrices, run in CI (.ci/run):
//   node --import tsx bench/probes/crosscheck.ts
// For a grid of synthetic and activation-like problems (heavy tails, massive dimensions, near
// separation, 5 % and 95 % errors, n < d and n > d) it fits our probe (fitLogisticFast, the pipeline's
// fast path, default tolerance), writes the matrices and our solution to a temporary folder, runs
// crosscheck_sklearn.py with Debian's scikit-learn (installing python3-sklearn with apt-get if missing),
// and asserts, per problem:
// - |test AUC − scikit-learn's converged test AUC| ≤ 0.005;
// - our objective ≤ scikit-learn's converged objective · (1 + 1e-6) (both evaluated by numpy);
// - our ROC AUC (auc.ts) = roc_auc_score on our scores to 1e-12, raw and rounded to 2 and 1 decimals (ties);
// - our bootstrap interval = the numpy bootstrap (same resamples) to 1e-12, skipped resamples included.
// Exit status 1 on any failure. Keep it under ~3 minutes on 2 cores: the grid is sized for that.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { rocAuc } from '../../src/core/probe/auc';
import { bootstrapAucInterval } from '../../src/core/probe/bootstrap';
import { fitLogisticFast, LOGISTIC_DEFAULTS, predictProbaCorrect } from '../../src/core/probe/logistic';
import { sharedOrtKernels } from '../../src/core/probe/ortKernels';
import { makeProblem } from '../../test/unit/probe/syntheticProblem';
import { activationLike } from './activationLike';

const PYTHON = '/usr/bin/python3';

interface Problem {
  name: string;
  nTrain: number;
  nTest: number;
  d: number;
  make: () => { X: Float32Array; y: Uint8Array };
}

const act = (nTrain: number, nTest: number, d: number, seed: number, options = {}) => () => activationLike(nTrain + nTest, d, seed, options);
const synth = (nTrain: number, nTest: number, d: number, seed: number, noise: number, errorRate: number) => () =>
  makeProblem({ name: '', n: nTrain + nTest, d, seed, noise, errors: Math.round(errorRate * (nTrain + nTest)) });

const PROBLEMS: Problem[] = [
  { name: 'synthetic wide 200×400', nTrain: 200, nTest: 60, d: 400, make: synth(200, 60, 400, 1, 1.0, 0.5) },
  { name: 'synthetic near-separable 300×40', nTrain: 300, nTest: 100, d: 40, make: synth(300, 100, 40, 3, 0.05, 0.5) },
  { name: 'synthetic 5 % errors 600×20', nTrain: 600, nTest: 200, d: 20, make: synth(600, 200, 20, 4, 2.0, 0.05) },
  { name: 'synthetic 95 % errors 600×20', nTrain: 600, nTest: 200, d: 20, make: synth(600, 200, 20, 5, 2.0, 0.95) },
  { name: 'activation-like 800×4096', nTrain: 800, nTest: 200, d: 4096, make: act(800, 200, 4096, 0) },
  { name: 'activation-like heavy tails 800×1024', nTrain: 800, nTest: 200, d: 1024, make: act(800, 200, 1024, 1, { heavyTails: true }) },
  { name: 'activation-like near-separable 800×2048', nTrain: 800, nTest: 200, d: 2048, make: act(800, 200, 2048, 2, { labelNoise: 0.2, heavyTails: true }) },
  { name: 'activation-like 5 % errors 800×2048', nTrain: 800, nTest: 200, d: 2048, make: act(800, 200, 2048, 3, { errorRate: 0.05, heavyTails: true }) },
  { name: 'activation-like 95 % errors 800×896', nTrain: 800, nTest: 200, d: 896, make: act(800, 200, 896, 4, { errorRate: 0.95 }) },
  { name: 'activation-like tall 3000×256', nTrain: 3000, nTest: 750, d: 256, make: act(3000, 750, 256, 5, { heavyTails: true }) },
  { name: 'activation-like tall 2000×768', nTrain: 2000, nTest: 500, d: 768, make: act(2000, 500, 768, 6) },
];

const BOOTSTRAP = { resamples: 1000, seed: 0 };

function ensureSklearn(): void {
  const has = (): boolean => {
    try {
      execFileSync(PYTHON, ['-c', 'import sklearn, numpy'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  };
  if (has()) return;
  console.log('installing python3-sklearn (Debian) …');
  const apt = (args: string[]): void => void execFileSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    apt(['install', '-y', '--no-install-recommends', 'python3-sklearn']);
  } catch {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', 'python3-sklearn']);
  }
  if (!has()) throw new Error(`${PYTHON} still cannot import sklearn after installing python3-sklearn`);
}

function writeRaw(path: string, a: Float32Array | Float64Array | Uint8Array): void {
  writeFileSync(path, Buffer.from(a.buffer, a.byteOffset, a.byteLength));
}

async function main(): Promise<void> {
  const started = performance.now();
  ensureSklearn();
  const dir = mkdtempSync(join(tmpdir(), 'probe-crosscheck-'));
  const kernels = await sharedOrtKernels();
  const ours: { solver: string; iterations: number; converged: boolean; ms: number; auc: number; interval: [number, number] | null; skipped: number; tiedAucs: number[] }[] = [];
  const manifest: object[] = [];
  try {
    for (const [k, p] of PROBLEMS.entries()) {
      const { X, y } = p.make();
      const { nTrain, nTest, d } = p;
      const Xtr = X.subarray(0, nTrain * d);
      const t0 = performance.now();
      const fit = await fitLogisticFast(Xtr, nTrain, d, y.subarray(0, nTrain), { kernels });
      const scores = predictProbaCorrect(fit, X.subarray(nTrain * d), nTest, d);
      const ms = performance.now() - t0;
      const yte = y.subarray(nTrain);
      const rounded = [100, 10].map((f) => scores.map((s) => Math.round(s * f) / f));
      const boot = bootstrapAucInterval(yte, scores, BOOTSTRAP);
      ours.push({
        solver: fit.solver,
        iterations: fit.iterations,
        converged: fit.converged,
        ms,
        auc: rocAuc(yte, scores)!,
        interval: boot.interval,
        skipped: boot.skipped,
        tiedAucs: [scores, ...rounded].map((s) => rocAuc(yte, s)!),
      });
      const file = `p${k}`;
      writeRaw(join(dir, `${file}.X.f32`), X);
      writeRaw(join(dir, `${file}.y.u8`), y);
      writeRaw(join(dir, `${file}.w.f64`), fit.weights);
      writeRaw(join(dir, `${file}.scores.f64`), scores);
      writeRaw(join(dir, `${file}.scores2.f64`), rounded[0]);
      writeRaw(join(dir, `${file}.scores1.f64`), rounded[1]);
      manifest.push({ name: p.name, file, nTrain, nTest, d, intercept: fit.intercept, bootstrapResamples: BOOTSTRAP.resamples, seed: BOOTSTRAP.seed });
    }
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
    const sk = JSON.parse(
      execFileSync(PYTHON, ['bench/probes/crosscheck_sklearn.py', dir], { encoding: 'utf8', maxBuffer: 1 << 26 }),
    ) as {
      name: string;
      sklearn: { solver: string; n_iter: number; max_iter: number; seconds: number; objective: number; auc: number };
      ours_objective: number;
      auc_of_our_scores: number[];
      bootstrap: [number, number] | null;
      bootstrap_skipped: number;
    }[];

    const failures: string[] = [];
    const check = (ok: boolean, what: string): void => {
      if (!ok) failures.push(what);
    };
    console.log(`tolerance ${LOGISTIC_DEFAULTS.tol} (relative ∞-norm gradient), C = ${LOGISTIC_DEFAULTS.C}\n`);
    console.log('| problem | ours (solver, iterations, ms) | sklearn converged (solver, iterations, s) | ΔAUC | objective ours − sklearn (relative) | AUC fn vs roc_auc_score (max |Δ|, raw/ties) | bootstrap vs numpy (max |Δ|) |');
    console.log('| --- | --- | --- | --- | --- | --- | --- |');
    sk.forEach((s, k) => {
      const o = ours[k];
      const name = s.name;
      const dAuc = o.auc - s.sklearn.auc;
      const dObj = (s.ours_objective - s.sklearn.objective) / Math.abs(s.sklearn.objective);
      const aucFnErr = Math.max(...o.tiedAucs.map((a, i) => Math.abs(a - s.auc_of_our_scores[i])));
      const bootErr =
        o.interval && s.bootstrap ? Math.max(Math.abs(o.interval[0] - s.bootstrap[0]), Math.abs(o.interval[1] - s.bootstrap[1])) : o.interval === s.bootstrap ? 0 : Infinity;
      check(o.converged, `${name}: our fit did not converge (${o.iterations} iterations)`);
      check(s.sklearn.n_iter < s.sklearn.max_iter, `${name}: scikit-learn hit max_iter`);
      check(Math.abs(dAuc) <= 0.005, `${name}: |ΔAUC| = ${Math.abs(dAuc)} > 0.005`);
      check(dObj <= 1e-6, `${name}: objective ${s.ours_objective} above scikit-learn's ${s.sklearn.objective} by ${dObj} (relative)`);
      check(aucFnErr <= 1e-12, `${name}: ROC AUC differs from roc_auc_score by ${aucFnErr}`);
      check(bootErr <= 1e-12 && o.skipped === s.bootstrap_skipped, `${name}: bootstrap interval differs from numpy's by ${bootErr} (skipped ${o.skipped} vs ${s.bootstrap_skipped})`);
      console.log(
        `| ${name} | ${o.solver}, ${o.iterations}, ${o.ms.toFixed(0)} | ${s.sklearn.solver}, ${s.sklearn.n_iter}, ${s.sklearn.seconds.toFixed(2)} | ` +
          `${dAuc.toExponential(1)} | ${dObj.toExponential(1)} | ${aucFnErr.toExponential(1)} | ${bootErr.toExponential(1)} |`,
      );
    });
    console.log(`\n${PROBLEMS.length} problems in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    if (failures.length > 0) {
      console.error(`\nFAILED:\n- ${failures.join('\n- ')}`);
      process.exitCode = 1;
    } else {
      console.log('all checks passed');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await kernels.release();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
