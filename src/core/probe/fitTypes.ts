// Types shared by the logistic-regression solvers and their front door (logistic.ts).

/** A fitted L2 logistic regression: P(correct | x) = σ(x·weights + intercept). */
export interface LogisticFit {
  weights: Float64Array;
  intercept: number;
  /** Outer (Newton) iterations taken. */
  iterations: number;
  /** True when the stopping rule on the gradient (see logistic.ts) was met. */
  converged: boolean;
  /** C·Σ logloss + ½‖w‖² at the returned solution. */
  objective: number;
  /** Which algorithm produced it ('newton-gram', 'newton-cg' or 'newton-dual'). */
  solver: string;
}

/** Everything a solver needs besides the data. */
export interface SolverSettings {
  C: number;
  /** Stop when ‖∇f‖∞ ≤ tol · ‖∇f(w = 0, b = 0)‖∞. */
  tol: number;
  maxIter: number;
}
