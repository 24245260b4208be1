// Small seeded logistic-regression problems, generated identically here and in
// bench/probes/crosscheck.py (numpy's MT19937 stream and only +, −, ×, ÷ and comparisons, which
// IEEE 754 rounds the same in both languages), so sklearn's solutions can be hard-coded in the tests.
import { MT19937 } from '../../../src/core/probe/mt19937';

export interface ProblemSpec {
  name: string;
  n: number;
  d: number;
  seed: number;
  /** Amplitude of the uniform label noise added to the margin (0 = separable). */
  noise: number;
  /** Number of rows labelled 0 (errors): the ones with the lowest noisy margins. */
  errors: number;
}

export interface Problem {
  X: Float32Array;
  y: Uint8Array;
}

/**
 * Activation-like features: a bell-ish sum of three uniforms per value, a per-column scale and offset,
 * and column 0 a "massive" dimension (scale 40, offset 25) as LLM residual streams have.
 * Labels: 1 for all but the `errors` rows with the lowest margin Σⱼ xᵢⱼ·vⱼ + noise·(u − ½).
 */
export function makeProblem({ n, d, seed, noise, errors }: ProblemSpec): Problem {
  const rng = new MT19937(seed);
  const scale = (j: number): number => (j === 0 ? 40 : 1 + (j % 4));
  const offset = (j: number): number => (j === 0 ? 25 : (j % 3) - 1);
  const direction = (j: number): number => ((j * 7) % 11 - 5) / 5 / scale(j);
  const X = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const u = rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 1.5;
      X[i * d + j] = u * scale(j) + offset(j);
    }
  }
  const margin = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j] * direction(j);
    margin[i] = s + noise * (rng.nextDouble() - 0.5);
  }
  const threshold = Float64Array.from(margin).sort()[errors];
  const y = Uint8Array.from(margin, (m) => (m >= threshold ? 1 : 0));
  return { X, y };
}
