// Seeded labels and scores with controllable ties, generated identically here and in
// bench/probes/crosscheck.py (scored_labels), so scikit-learn's values can be hard-coded in the tests.
import { MT19937 } from '../../../src/core/probe/mt19937';

/** levels = 0 gives continuous scores; otherwise scores are floored onto a grid of 1/levels. */
export function scoredLabels(seed: number, n: number, levels: number, signal: number): { labels: number[]; scores: number[] } {
  const rng = new MT19937(seed);
  const labels: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const u = rng.nextDouble();
    const v = rng.nextDouble();
    const label = u < 0.6 ? 1 : 0;
    const raw = v + signal * label;
    labels.push(label);
    scores.push(levels > 0 ? Math.floor(raw * levels) / levels : raw);
  }
  return { labels, scores };
}
