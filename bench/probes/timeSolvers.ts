// Times one probe (fit + predict + metrics) per solver on activation-like data.
//   node --import tsx bench/probes/timeSolvers.ts [nTrain] [d] [--dump file]
// --dump writes X (float32), y (uint8) and the shape for bench/probes/time_sklearn.py.
import { writeFileSync } from 'node:fs';
import { fitLogistic, predictProbaCorrect, type LogisticSolverName } from '../../src/core/probe/logistic';
import { rocAuc } from '../../src/core/probe/auc';
import { activationLike } from './activationLike';

const [nArg, dArg] = process.argv.slice(2).filter((a) => !a.startsWith('--') && !a.includes('/'));
const nTrain = Number(nArg ?? 800);
const d = Number(dArg ?? 4096);
const nTest = Math.ceil(nTrain / 4);
const { X, y } = activationLike(nTrain + nTest, d, 0);
const Xtr = X.subarray(0, nTrain * d);
const ytr = y.subarray(0, nTrain);
const Xte = X.subarray(nTrain * d);
const yte = y.subarray(nTrain);

const dump = process.argv.indexOf('--dump');
if (dump > 0) {
  const file = process.argv[dump + 1];
  writeFileSync(`${file}.X.f32`, Buffer.from(X.buffer, X.byteOffset, X.byteLength));
  writeFileSync(`${file}.y.u8`, y);
  writeFileSync(`${file}.json`, JSON.stringify({ nTrain, nTest, d }));
}

const solvers: LogisticSolverName[] = ['newton-gram', 'newton-cg'];
for (const solver of solvers) {
  if (solver === 'newton-gram' && nTrain > 3 * d) continue; // n×n Gram too large to be sensible
  const t0 = performance.now();
  const fit = fitLogistic(Xtr, nTrain, d, ytr, { solver });
  const auc = rocAuc(yte, predictProbaCorrect(fit, Xte, nTest, d));
  const ms = performance.now() - t0;
  console.log(
    `${nTrain}×${d} ${solver}: ${ms.toFixed(0)} ms, ${fit.iterations} iterations, converged ${fit.converged}, ` +
      `objective ${fit.objective.toPrecision(15)}, test AUC ${auc?.toFixed(6)}`,
  );
}
