// Two results compared cell by cell: the difference of their AUCs and a bootstrap interval of that
// difference. When both runs scored the very same test rows (same dataset content, same rows) every
// resample draws the same rows for both sides — a paired bootstrap, which cancels the rows' shared
// difficulty; otherwise each side's own test rows are resampled independently.

import type { ComparedRun, Comparison } from '../../contract/comparison';
import type { ProbeResult } from '../../contract/result';
import { BOOTSTRAP_DEFAULTS, percentile, resampleCounts, resampledAucs } from '../probe/bootstrap';

export interface CompareOptions {
  resamples?: number;
  seed?: number;
}

/** One side, its matrices' columns in `tokens` order (the comparison's). */
export function comparedRun(result: ProbeResult, resultFile: string, tokens: readonly string[]): ComparedRun {
  const columns = tokens.map((t) => result.tokens.indexOf(t as ProbeResult['tokens'][number]));
  const dataset = (result.answers?.benchmarkFile ?? result.dataset.file).split(/[\\/]/).pop() ?? result.dataset.file;
  return {
    resultFile,
    title: `${result.model.name} · ${dataset} · ${result.model.location}`,
    model: result.model.name,
    dataset,
    location: result.model.location,
    seed: result.settings.options.seed,
    numLayers: result.layers.length,
    nTest: result.nTest,
    auc: result.metrics.auc.map((row) => columns.map((c) => (c < 0 ? null : row[c]))),
    aucInterval: result.aucInterval.map((row) => columns.map((c) => (c < 0 ? null : row[c]))),
  };
}

/** Row pairs of the two heatmaps: by index, or each layer of the shallower model with the nearest relative depth of the other. */
export function alignLayers(layersA: number, layersB: number): { alignment: Comparison['layerAlignment']; pairs: [number, number][] } {
  if (layersA === layersB) return { alignment: 'index', pairs: Array.from({ length: layersA }, (_, l) => [l, l]) };
  const fewer = Math.min(layersA, layersB);
  const more = Math.max(layersA, layersB);
  const pairs = Array.from({ length: fewer }, (_, l): [number, number] => {
    const deep = fewer === 1 ? more - 1 : Math.round((l * (more - 1)) / (fewer - 1));
    return layersA < layersB ? [l, deep] : [deep, l];
  });
  return { alignment: 'relative-depth', pairs };
}

/** Whether the two results scored the same test rows, and why not. */
function pairingOf(a: ProbeResult, b: ProbeResult): { paired: boolean; reason: string; shared: number } {
  const inB = new Set(b.test.rowIndex);
  const sameContent = a.dataset.contentHash === b.dataset.contentHash;
  const shared = sameContent ? a.test.rowIndex.filter((r) => inB.has(r)).length : 0;
  if (!sameContent) return { paired: false, reason: 'different datasets (their contents differ): each run\'s own test rows are resampled', shared };
  if (shared !== a.nTest || shared !== b.nTest) {
    return { paired: false, reason: `the test rows differ (${shared} of ${a.nTest} and ${b.nTest} shared): each run's own test rows are resampled`, shared };
  }
  const labelsAgree = a.test.rowIndex.every((r, i) => b.test.label[b.test.rowIndex.indexOf(r)] === a.test.label[i]);
  if (!labelsAgree) return { paired: false, reason: 'the same rows carry different labels: each run\'s own test rows are resampled', shared };
  return { paired: true, reason: `the same ${shared} test rows: paired bootstrap`, shared };
}

export function compareResults(a: ProbeResult, aFile: string, b: ProbeResult, bFile: string, options: CompareOptions = {}): Comparison {
  const resamples = options.resamples ?? BOOTSTRAP_DEFAULTS.resamples;
  const seed = options.seed ?? a.settings.options.seed;
  const { alignment, pairs } = alignLayers(a.layers.length, b.layers.length);
  const pairing = pairingOf(a, b);
  const tokens = a.tokens;
  const tokenInB = tokens.map((t) => b.tokens.indexOf(t));

  // B's test rows in A's order, when paired: both sides are then resampled with the same counts.
  const bOrder = pairing.paired ? a.test.rowIndex.map((r) => b.test.rowIndex.indexOf(r)) : undefined;
  // Copies: resampleCounts keeps only its latest draw.
  const countsA = Uint32Array.from(resampleCounts(a.nTest, resamples, seed));
  const countsB = pairing.paired ? countsA : Uint32Array.from(resampleCounts(b.nTest, resamples, seed + 1));

  const diff: Comparison['diff'] = [];
  const interval: Comparison['interval'] = [];
  const significant: Comparison['significant'] = [];
  for (const [la, lb] of pairs) {
    const dRow: (number | null)[] = [];
    const iRow: ([number, number] | null)[] = [];
    const sRow: boolean[] = [];
    tokens.forEach((_, t) => {
      const tb = tokenInB[t];
      const aucA = a.metrics.auc[la][t];
      const aucB = tb < 0 ? null : b.metrics.auc[lb][tb];
      const scoresA = a.test.scores[la][t];
      const scoresB = tb < 0 ? [] : b.test.scores[lb][tb];
      if (aucA === null || aucB === null || scoresA.length === 0 || scoresB.length === 0) {
        dRow.push(null);
        iRow.push(null);
        sRow.push(false);
        return;
      }
      dRow.push(aucA - aucB);
      const resampledA = resampledAucs(a.test.label, scoresA, countsA, resamples);
      const resampledB = bOrder
        ? resampledAucs(a.test.label, bOrder.map((i) => scoresB[i]), countsB, resamples)
        : resampledAucs(b.test.label, scoresB, countsB, resamples);
      const diffs: number[] = [];
      for (let r = 0; r < resamples; r++) {
        const d = resampledA[r] - resampledB[r];
        if (!Number.isNaN(d)) diffs.push(d);
      }
      if (diffs.length === 0) {
        iRow.push(null);
        sRow.push(false);
        return;
      }
      diffs.sort((x, y) => x - y);
      const range: [number, number] = [percentile(diffs, BOOTSTRAP_DEFAULTS.percentiles[0]), percentile(diffs, BOOTSTRAP_DEFAULTS.percentiles[1])];
      iRow.push(range);
      sRow.push(range[0] > 0 || range[1] < 0);
    });
    diff.push(dRow);
    interval.push(iRow);
    significant.push(sRow);
  }
  return {
    a: comparedRun(a, aFile, tokens),
    b: comparedRun(b, bFile, tokens),
    pairing: pairing.paired ? 'paired' : 'unpaired',
    pairingReason: pairing.reason,
    sharedRows: pairing.shared,
    layerAlignment: alignment,
    layerPairs: pairs,
    tokens,
    diff,
    interval,
    significant,
    resamples,
    seed,
  };
}
