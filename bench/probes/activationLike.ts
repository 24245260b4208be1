// Synthetic stand-in for raw LLM activations, for timing the probe solvers: a low-rank signal with
// decaying factor scales, isotropic noise, a large shared mean and a few "massive" dimensions — the
// features that make raw-activation logistic regression ill-conditioned. Labels follow two factors
// plus noise, so a probe reaches a realistic AUC (about 0.8), not a separable toy.
import { MT19937 } from '../../src/core/probe/mt19937';

export interface ActivationLikeOptions {
  /**
   * Fraction of rows labelled 0 (errors). Without it a row is an error when its latent score is below 0
   * (about half the rows); with it, exactly round(errorRate·n) rows with the lowest scores are.
   */
  errorRate?: number;
  /** Scale of the label noise (default 2.5): 0 makes the classes separable through two factors. */
  labelNoise?: number;
  /**
   * Heavy-tailed entries, as real residual streams have: 1 entry in 50 is an outlier 10–40× the noise
   * scale, and the massive dimensions swing by ±30 from row to row (default false).
   */
  heavyTails?: boolean;
}

export function activationLike(n: number, d: number, seed: number, options: ActivationLikeOptions = {}): { X: Float32Array; y: Uint8Array } {
  const labelNoise = options.labelNoise ?? 2.5;
  const rng = new MT19937(seed);
  // Sum of four uniforms: cheap, bell-shaped, unit variance after scaling by √3.
  const normalish = (): number => (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 2) * Math.sqrt(3);
  const rank = 32;
  const loadings = new Float64Array(d * rank);
  for (let k = 0; k < loadings.length; k++) loadings[k] = normalish() / Math.sqrt(d);
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = 0.5 * normalish();
  for (const j of [7, 123 % d, 1999 % d]) mean[j] = 60 + 10 * rng.nextDouble();
  const X = new Float32Array(n * d);
  const y = new Uint8Array(n);
  const factors = new Float64Array(rank);
  const latent = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < rank; k++) factors[k] = (20 / (1 + k)) * normalish();
    latent[i] = factors[3] / 5 + factors[6] / 3 + labelNoise * normalish();
    y[i] = latent[i] > 0 ? 1 : 0;
    const swing = options.heavyTails ? 10 * normalish() : 0;
    for (let j = 0; j < d; j++) {
      let s = mean[j] + 0.3 * normalish();
      if (options.heavyTails) {
        if (rng.nextDouble() < 0.02) s += (10 + 30 * rng.nextDouble()) * 0.3 * normalish();
        if (mean[j] > 50) s += swing;
      }
      for (let k = 0; k < rank; k++) s += loadings[j * rank + k] * factors[k];
      X[i * d + j] = s;
    }
  }
  if (options.errorRate !== undefined) {
    const errors = Math.round(options.errorRate * n);
    const threshold = Float64Array.from(latent).sort()[errors];
    for (let i = 0; i < n; i++) y[i] = latent[i] >= threshold ? 1 : 0;
  }
  return { X, y };
}

/**
 * Layer-like cells for warm-start timings: `cells` matrices on the SAME rows (same latent factors, same
 * labels), as one example's residual stream looks at successive layers: the loadings of the factors and
 * the per-row noise turn a little from cell to cell (each is cos θ · previous + sin θ · fresh, sin θ =
 * `step`), the shared mean and massive dimensions stay, the scale grows 5 % a cell. Neighbouring cells
 * resemble each other, distant ones less. step = 1 makes every cell's loadings and noise independent
 * (same factors and labels: still the same information, in unrelated coordinates).
 */
export function activationLayers(n: number, d: number, cells: number, seed: number, step = 0.3): { Xs: Float32Array[]; y: Uint8Array } {
  const rng = new MT19937(seed);
  const normalish = (): number => (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 2) * Math.sqrt(3);
  const rank = 32;
  const cos = Math.sqrt(Math.max(0, 1 - step * step));
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = 0.5 * normalish();
  for (const j of [7, 123 % d, 1999 % d]) mean[j] = 60 + 10 * rng.nextDouble();
  const factors = new Float64Array(n * rank);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < rank; k++) factors[i * rank + k] = (20 / (1 + k)) * normalish();
    y[i] = factors[i * rank + 3] / 5 + factors[i * rank + 6] / 3 + 2.5 * normalish() > 0 ? 1 : 0;
  }
  const loadings = new Float64Array(d * rank);
  const noise = new Float64Array(n * d);
  const Xs: Float32Array[] = [];
  for (let l = 0; l < cells; l++) {
    const a = l === 0 ? 0 : cos;
    const b = l === 0 ? 1 : step;
    for (let k = 0; k < loadings.length; k++) loadings[k] = a * loadings[k] + (b * normalish()) / Math.sqrt(d);
    for (let k = 0; k < noise.length; k++) noise[k] = a * noise[k] + b * 0.3 * normalish();
    const scale = 1.05 ** l;
    const X = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        let s = mean[j] + noise[i * d + j];
        for (let k = 0; k < rank; k++) s += loadings[j * rank + k] * factors[i * rank + k];
        X[i * d + j] = scale * s;
      }
    }
    Xs.push(X);
  }
  return { Xs, y };
}
