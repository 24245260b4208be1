// scikit-learn's optima on the synthetic problems of syntheticProblem.ts, shared by the solver tests.
import type { ProblemSpec } from './syntheticProblem';

export interface SklearnSolution {
  checksumX: number;
  ones: number;
  intercept: number;
  objective: number;
  /** sklearn's default lbfgs at tol=1e-10, which stops short of the optimum. */
  lbfgsObjective: number;
  weightsHead: number[];
  weightsNorm: number;
  /** Σ (j+1)·w_j over all weights. */
  weightsRamp: number;
}

// Expected values: `/usr/bin/python3 bench/probes/crosscheck.py` (scikit-learn 1.2.1, numpy 1.24.2),
// LogisticRegression(C=1, tol=1e-10, max_iter=100000, solver="newton-cholesky") on the same problems,
// which crosscheck.py regenerates from the same formula (keep PROBLEMS in sync with it).
export const PROBLEMS: [ProblemSpec, SklearnSolution][] = [
  [
    { name: 'wide (n < d)', n: 40, d: 120, seed: 1, noise: 1.0, errors: 20 },
    {
      checksumX: 949.4150299756584, ones: 20, intercept: 1.5836372956123714, objective: 2.2568623816243916,
      lbfgsObjective: 2.2568624184462145,
      weightsHead: [-0.10856397215168967, 0.12579783699235247, 0.042178820312613906, 0.18356439626607635, 0.08989738585076208, -0.08253584640695483],
      weightsNorm: 1.704344235209978, weightsRamp: -215.26921780531268,
    },
  ],
  [
    { name: 'tall (n > d)', n: 300, d: 12, seed: 2, noise: 2.0, errors: 150 },
    {
      checksumX: 7934.954442219809, ones: 150, intercept: 8.755640989323133, objective: 89.34450937623957,
      lbfgsObjective: 89.34451028364921,
      weightsHead: [-0.07165761669738965, 1.2110052196126697, -0.21952620127051425, 0.6803484078674097, 1.2477219018445476, -0.6649725784893965],
      weightsNorm: 3.6287663037450146, weightsRamp: -8.982142134892865,
    },
  ],
  [
    { name: 'near-separable', n: 120, d: 20, seed: 3, noise: 0.05, errors: 60 },
    {
      checksumX: 3187.395641889656, ones: 60, intercept: 6.178052352847615, objective: 20.78946355173583,
      lbfgsObjective: 20.789465424269437,
      weightsHead: [-0.0636273687775072, 0.8667785376629683, -0.5441726268126025, 0.804045292148326, 0.7717423424402209, -0.9018577201490124],
      weightsNorm: 3.7319104793006272, weightsRamp: 7.099233186526263,
    },
  ],
  [
    { name: 'imbalanced 5% errors', n: 400, d: 10, seed: 4, noise: 2.0, errors: 20 },
    {
      checksumX: 10136.238839360274, ones: 380, intercept: 14.587670714137795, objective: 27.724219477958293,
      lbfgsObjective: 27.72421981524767,
      weightsHead: [-0.10177690434577344, 0.5370783519460243, -0.508081271398957, 1.0333185742794426, 1.1841971936756568, -0.47918336390738525],
      weightsNorm: 2.6740290864438743, weightsRamp: 1.0172822602687361,
    },
  ],
  [
    { name: 'imbalanced 95% errors', n: 400, d: 10, seed: 5, noise: 2.0, errors: 380 },
    {
      checksumX: 10608.853999171697, ones: 20, intercept: 1.205841930041754, objective: 36.045648644960465,
      lbfgsObjective: 36.045649164415536,
      weightsHead: [-0.10020243283934557, 0.6735629860560336, -0.5073172418213356, 1.0656737253778428, 0.10922736048412925, -0.9336248801077282],
      weightsNorm: 2.2446673041699334, weightsRamp: -6.114365368794699,
    },
  ],
  [
    { name: 'separable wide', n: 50, d: 200, seed: 6, noise: 0.0, errors: 25 },
    {
      checksumX: 1217.9491748706932, ones: 25, intercept: 1.8089983943960481, objective: 1.8253727508699389,
      lbfgsObjective: 1.8253728114863,
      weightsHead: [-0.05835619448766645, 0.05159991151812324, 0.1221522455382027, 0.288708080608123, 0.025267832425860608, -0.01448741839638239],
      weightsNorm: 1.5790159346222077, weightsRamp: -38.3874713429925,
    },
  ],
  [
    { name: 'separable tall', n: 200, d: 5, seed: 7, noise: 0.0, errors: 100 },
    {
      checksumX: 5020.6159302527085, ones: 100, intercept: 11.047211972178431, objective: 27.010943478770308,
      lbfgsObjective: 27.010943486677704,
      weightsHead: [-0.26757347183085645, 2.2347683552851847, -1.4485241164320695, 2.6528541351216117, 1.7202152429874997],
      weightsNorm: 4.142557522224085, weightsRamp: 19.06888364486725,
    },
  ],
];

