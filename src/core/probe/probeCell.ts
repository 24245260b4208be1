// One heatmap cell: fit a probe on the train rows, score the test rows, compute the metrics.
import { fitLogistic, hasBothClasses, predictProbaCorrect, type LogisticSolverName } from './logistic';
import { cellMetrics, undefinedCellMetrics, type CellMetrics } from './metrics';

export interface ProbeCellOptions {
  C?: number;
  tol?: number;
  maxIter?: number;
  solver?: 'auto' | LogisticSolverName;
}

export interface ProbeCellResult {
  metrics: CellMetrics;
  /** P(correct) of each test row, in the order given; empty when the cell is undefined. */
  pCorrectTest: Float64Array;
  iterations: number;
  converged: boolean;
  /** Solver used; '' when nothing was fitted. */
  solver: string;
}

/**
 * Row-major Xtrain (ytrain.length × d) and Xtest (ytest.length × d). When either side holds a single
 * class the cell is undefined: all metrics null, nothing fitted (iterations 0, converged false).
 */
export function probeCell(
  Xtrain: Float32Array,
  ytrain: Uint8Array,
  Xtest: Float32Array,
  ytest: Uint8Array,
  d: number,
  opts: ProbeCellOptions = {},
): ProbeCellResult {
  const nTrain = ytrain.length;
  const nTest = ytest.length;
  if (Xtest.length !== nTest * d) throw new RangeError(`Xtest has ${Xtest.length} values, expected ${nTest}·${d}`);
  if (!hasBothClasses(ytrain) || !hasBothClasses(ytest)) {
    return { metrics: undefinedCellMetrics(), pCorrectTest: new Float64Array(0), iterations: 0, converged: false, solver: '' };
  }
  const fit = fitLogistic(Xtrain, nTrain, d, ytrain, opts);
  const pCorrectTest = predictProbaCorrect(fit, Xtest, nTest, d);
  return {
    metrics: cellMetrics(ytest, pCorrectTest),
    pCorrectTest,
    iterations: fit.iterations,
    converged: fit.converged,
    solver: fit.solver,
  };
}

