// Exact ROC AUC (area under the ROC curve with ties handled as scikit-learn's roc_auc_score does:
// equal scores form one ROC point, joined to the previous one by a straight segment).
// A few lines instead of a dependency; counts stay integers until one final division.

/**
 * ROC AUC of `scores` for labels 1 (positive = correct) vs 0; null when only one class is present.
 * Sort by score descending, walk groups of equal scores, add each group's trapezoid.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number | null {
  const n = labels.length;
  if (scores.length !== n) throw new RangeError(`${n} labels but ${scores.length} scores`);
  let positives = 0;
  for (let i = 0; i < n; i++) {
    if (labels[i] !== 0 && labels[i] !== 1) throw new RangeError(`label ${i} is ${labels[i]}, expected 0 or 1`);
    if (Number.isNaN(scores[i])) throw new RangeError(`score ${i} is NaN`);
    positives += labels[i];
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return null;

  // Comparisons, not subtraction, so ±Infinity scores sort too.
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] > scores[b] ? -1 : scores[a] < scores[b] ? 1 : 0));
  // Twice the area in units of (1 positive × 1 negative): Σ ΔFP·(TP_before + TP_after).
  let twiceArea = 0;
  let tp = 0;
  for (let k = 0; k < n; ) {
    const s = scores[order[k]];
    let groupTp = 0;
    let groupFp = 0;
    for (; k < n && scores[order[k]] === s; k++) {
      if (labels[order[k]] === 1) groupTp++;
      else groupFp++;
    }
    twiceArea += groupFp * (2 * tp + groupTp);
    tp += groupTp;
  }
  return twiceArea / (2 * positives * negatives);
}
