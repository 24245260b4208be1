// Times one probe (fit + predict + AUC) per solver on activation-like data, with each solver's path:
//   node --import tsx bench/probes/timeSolvers.ts [nTrain] [d] [--threads N]
// For ours against scikit-learn on the same matrices, use benchProbes.ts.
import { rocAuc } from '../../src/core/probe/auc';
import type { DualNewtonFit } from '../../src/core/probe/dualNewton';
import { chooseFastSolver, fitLogistic, fitLogisticFast, type LogisticFit, predictProbaCorrect } from '../../src/core/probe/logistic';
import { OrtKernels } from '../../src/core/probe/ortKernels';
import { activationLike } from './activationLike';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const threads = args.includes('--threads') ? Number(args[args.indexOf('--threads') + 1]) : 1;
  const [nArg, dArg] = args.filter((a, i) => !a.startsWith('--') && args[i - 1] !== '--threads');
  const nTrain = Number(nArg ?? 800);
  const d = Number(dArg ?? 4096);
  const nTest = Math.ceil(nTrain / 4);
  const { X, y } = activationLike(nTrain + nTest, d, 0);
  const Xtr = X.subarray(0, nTrain * d);
  const ytr = y.subarray(0, nTrain);
  const kernels = await OrtKernels.create({ threads });
  const runs: [string, () => Promise<LogisticFit> | LogisticFit][] = [
    ['newton-dual (onnxruntime)', () => fitLogisticFast(Xtr, nTrain, d, ytr, { solver: 'newton-dual', kernels })],
    ['newton-cg (onnxruntime preconditioner)', () => fitLogisticFast(Xtr, nTrain, d, ytr, { solver: 'newton-cg', kernels })],
    ['newton-gram (JS)', () => fitLogistic(Xtr, nTrain, d, ytr, { solver: 'newton-gram' })],
    ['newton-cg (JS)', () => fitLogistic(Xtr, nTrain, d, ytr, { solver: 'newton-cg' })],
  ];
  console.log(`${nTrain}×${d}, onnxruntime threads ${threads}; fitLogisticFast would pick ${chooseFastSolver(nTrain, d)}`);
  for (const [name, run] of runs) {
    if (name.startsWith('newton-gram') && nTrain > 3 * d) continue; // n×n Gram too large to be sensible
    if (name === 'newton-cg (JS)' && nTrain * d * d > 4e9) continue; // minutes
    await run(); // warm-up (JIT, sessions)
    const t0 = performance.now();
    const fit = await run();
    const auc = rocAuc(y.subarray(nTrain), predictProbaCorrect(fit, X.subarray(nTrain * d), nTest, d));
    const ms = performance.now() - t0;
    const dual = fit as DualNewtonFit;
    const detail = dual.phaseMs
      ? `, ${dual.cgSteps} CG steps, ${dual.refinements} exact; ms: Gram ${dual.phaseMs.gram.toFixed(0)}, sketch ${dual.phaseMs.sketch.toFixed(0)}, ` +
        `Newton on the Gram ${dual.phaseMs.gramNewton.toFixed(0)}, exact ${dual.phaseMs.exact.toFixed(0)}`
      : '';
    console.log(
      `${name}: ${ms.toFixed(0)} ms, ${fit.iterations} iterations, converged ${fit.converged}, ` +
        `objective ${fit.objective.toPrecision(15)}, test AUC ${auc?.toFixed(6)}${detail}`,
    );
  }
  await kernels.release();
}

void main();
