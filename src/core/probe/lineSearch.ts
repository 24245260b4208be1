// Backtracking line search along a Newton direction, shared by both solvers.

const ARMIJO_C = 1e-4;
const MIN_STEP = 2 ** -30;

/**
 * Largest t in {1, ½, ¼, …} that either satisfies Armijo, φ(t) ≤ φ(0) + c·t·φ'(0), or has φ'(t) ≤ 0.
 * The second test matters near the optimum: there the decrease is below float64 resolution of φ, so
 * Armijo alone would reject a perfect Newton step; for a convex φ, φ'(t) ≤ 0 means φ fell all the way
 * from 0 to t. Returns null when no t down to 2⁻³⁰ qualifies or φ'(0) ≥ 0.
 */
export function backtrackingStep(
  phi: (t: number) => number,
  dphi: (t: number) => number,
  f0: number,
  slope: number,
): { t: number; f: number } | null {
  if (!(slope < 0)) return null;
  for (let t = 1; t >= MIN_STEP; t /= 2) {
    const f = phi(t);
    if (f <= f0 + ARMIJO_C * t * slope || dphi(t) <= 0) return { t, f };
  }
  return null;
}
