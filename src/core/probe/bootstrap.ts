// Percentile bootstrap interval of a cell's test AUC: resample the test rows with replacement, recompute
// the AUC, take the 2.5th and 97.5th percentiles. The resampling is numpy's
// `RandomState(seed).randint(0, m, size=m)` once per resample (sklearn.utils.resample draws the same way),
// so a few lines of numpy reproduce every interval (bench/probes/crosscheck.py does, for the tests).
//
// Every cell of a heatmap shares its test rows, so the resamples depend only on (seed, m, count): they
// are drawn once and kept as multiplicities, and a cell's resampled AUC is a weighted walk over its scores
// sorted once (O(m) per resample) — the same integer arithmetic as rocAuc on the expanded sample.
import { MT19937 } from './mt19937';

export interface BootstrapOptions {
  /** Number of resamples (0: no interval). */
  resamples: number;
  /** Seed of numpy's legacy MT19937 stream, an integer in [0, 2³²). */
  seed: number;
  /** Percentiles of the resampled AUCs, numpy's default 'linear' method. */
  percentiles?: readonly [number, number];
}

export interface BootstrapInterval {
  /** [lower, upper], or null when no resample held both classes (or resamples = 0). */
  interval: [number, number] | null;
  resamples: number;
  /** Resamples left out because they held a single class (their AUC is undefined). */
  skipped: number;
}

export const BOOTSTRAP_DEFAULTS = { resamples: 1000, percentiles: [2.5, 97.5] as const };

let cachedKey = '';
let cachedCounts: Uint32Array = new Uint32Array(0);

/** Multiplicity of each of the m rows in each resample: resamples × m, row-major. */
export function resampleCounts(m: number, resamples: number, seed: number): Uint32Array {
  const key = `${m}/${resamples}/${seed}`;
  if (key === cachedKey) return cachedCounts;
  const counts = new Uint32Array(m * resamples);
  const rng = new MT19937(seed);
  for (let b = 0; b < resamples; b++) {
    const o = b * m;
    for (let k = 0; k < m; k++) counts[o + rng.interval(m - 1)]++;
  }
  cachedKey = key;
  cachedCounts = counts;
  return counts;
}

export function bootstrapAucInterval(
  labels: ArrayLike<number>,
  scores: ArrayLike<number>,
  { resamples, seed, percentiles = BOOTSTRAP_DEFAULTS.percentiles }: BootstrapOptions,
): BootstrapInterval {
  const m = labels.length;
  if (scores.length !== m) throw new RangeError(`${m} labels but ${scores.length} scores`);
  if (resamples <= 0 || m === 0) return { interval: null, resamples: Math.max(0, resamples), skipped: 0 };
  const all = resampledAucs(labels, scores, resampleCounts(m, resamples, seed), resamples);
  const aucs = Array.from(all).filter((v) => !Number.isNaN(v));
  const skipped = resamples - aucs.length;
  if (aucs.length === 0) return { interval: null, resamples, skipped };
  aucs.sort((a, b) => a - b);
  return { interval: [percentile(aucs, percentiles[0]), percentile(aucs, percentiles[1])], resamples, skipped };
}

/**
 * The AUC of each resample (`counts`: resamples × m multiplicities, as resampleCounts draws them); NaN
 * for a resample that held a single class. Comparisons of two runs pass the same counts to both sides
 * (a paired bootstrap).
 */
export function resampledAucs(labels: ArrayLike<number>, scores: ArrayLike<number>, counts: Uint32Array, resamples: number): Float64Array {
  const m = labels.length;
  // Rows by descending score; groupStarts[g] = first sorted row of tie group g.
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => (scores[a] > scores[b] ? -1 : scores[a] < scores[b] ? 1 : 0));
  const groupStarts: number[] = [];
  for (let k = 0; k < m; k++) if (k === 0 || scores[order[k]] !== scores[order[k - 1]]) groupStarts.push(k);
  groupStarts.push(m);
  const positive = Uint8Array.from(order, (i) => (labels[i] === 1 ? 1 : 0));

  const aucs = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    const o = b * m;
    let twiceArea = 0;
    let tp = 0;
    let fp = 0;
    for (let g = 0; g + 1 < groupStarts.length; g++) {
      let groupTp = 0;
      let groupFp = 0;
      for (let k = groupStarts[g]; k < groupStarts[g + 1]; k++) {
        const c = counts[o + order[k]];
        if (positive[k]) groupTp += c;
        else groupFp += c;
      }
      twiceArea += groupFp * (2 * tp + groupTp);
      tp += groupTp;
      fp += groupFp;
    }
    aucs[b] = tp === 0 || fp === 0 ? Number.NaN : twiceArea / (2 * tp * fp);
  }
  return aucs;
}

/** numpy.percentile(sorted, q) with the default 'linear' method, to the bit (numpy's _lerp included). */
export function percentile(sorted: readonly number[], q: number): number {
  const n = sorted.length;
  const virtual = (n - 1) * (q / 100);
  const below = Math.max(0, Math.min(n - 1, Math.floor(virtual)));
  const above = Math.min(n - 1, below + 1);
  const t = virtual - below;
  const a = sorted[below];
  const b = sorted[above];
  const diff = b - a;
  // numpy interpolates from the nearer end: a + diff·t below the midpoint, b − diff·(1 − t) from it on.
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}
