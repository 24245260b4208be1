import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ProbeResult } from '../../../src/contract/result';
import { alignLayers, compareResults } from '../../../src/core/compare/compareResults';
import { rocAuc } from '../../../src/core/probe/auc';
import { percentile, resampleCounts } from '../../../src/core/probe/bootstrap';
import { MT19937 } from '../../../src/core/probe/mt19937';
import { LAYERS, sampleResult, TOKENS } from '../result/sampleResult';

const M = 40;

/**
 * A result whose M test rows (rowIndex `rows`, labels alternating) have seeded scores in every cell,
 * with `signal` pulling correct rows up; its AUC matrix is rocAuc of those scores, as a run computes it.
 */
function synthetic(seed: number, rows: number[], signal: (layer: number, token: number) => number, contentHash = 'same'): ProbeResult {
  const base = sampleResult();
  const rng = new MT19937(seed);
  const labels = rows.map((r) => (r % 2) as 0 | 1);
  const scores = Array.from({ length: LAYERS }, (_, l) =>
    Array.from({ length: TOKENS }, (_, t) => labels.map((y) => rng.interval(999) / 1000 + y * signal(l, t))),
  );
  const auc = scores.map((row) => row.map((s) => rocAuc(labels, s)));
  return {
    ...base,
    dataset: { ...base.dataset, contentHash },
    nTest: M,
    metrics: { ...base.metrics, auc },
    test: { ...base.test, rowIndex: rows, line: rows.map((r) => r + 1), label: labels, pieces: rows.map(() => []), qLength: rows.map(() => 1), positions: rows.map(() => []), scores },
  };
}

const rowsFrom = (start: number): number[] => Array.from({ length: M }, (_, i) => start + i);

/** The paired bootstrap written out: expand each resample's rows, rocAuc on both sides, percentiles of the differences. */
function bruteForcePaired(a: ProbeResult, b: ProbeResult, layer: number, token: number, resamples: number, seed: number): [number, number] {
  const counts = resampleCounts(M, resamples, seed);
  const diffs: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const rows = Array.from({ length: M }, (_, i) => Array<number>(counts[r * M + i]).fill(i)).flat();
    const y = rows.map((i) => a.test.label[i]);
    const aucA = rocAuc(y, rows.map((i) => a.test.scores[layer][token][i]));
    const aucB = rocAuc(y, rows.map((i) => b.test.scores[layer][token][i]));
    if (aucA !== null && aucB !== null) diffs.push(aucA - aucB);
  }
  diffs.sort((x, y) => x - y);
  return [percentile(diffs, 2.5), percentile(diffs, 97.5)];
}

describe('comparing two results', () => {
  it('same rows: the difference is A − B cell by cell, with a paired bootstrap interval equal to the written-out one', () => {
    const a = synthetic(1, rowsFrom(0), (l) => 0.3 + l * 0.2);
    const b = synthetic(2, rowsFrom(0), () => 0.1);
    const c = compareResults(a, '/runs/a/result.json', b, '/runs/b/result.json', { resamples: 200, seed: 7 });
    assert.equal(c.pairing, 'paired');
    assert.equal(c.pairingReason, 'the same 40 test rows: paired bootstrap');
    assert.equal(c.sharedRows, M);
    assert.equal(c.layerAlignment, 'index');
    for (let l = 0; l < LAYERS; l++) {
      for (let t = 0; t < TOKENS; t++) {
        assert.equal(c.diff[l][t], a.metrics.auc[l][t]! - b.metrics.auc[l][t]!);
        assert.deepEqual(c.interval[l][t], bruteForcePaired(a, b, l, t, 200, 7), `cell ${l},${t}`);
        const [lo, hi] = c.interval[l][t]!;
        assert.ok(lo <= c.diff[l][t]! + 0.2 && hi >= c.diff[l][t]! - 0.2);
        assert.equal(c.significant[l][t], lo > 0 || hi < 0);
      }
    }
    // Layer 2's strong signal against B's weak one is significant everywhere; some weak cells are not.
    assert.ok(c.significant[2].every(Boolean));
    assert.ok(c.significant.flat().some((s) => !s));
    assert.deepEqual([c.a.title, c.b.title], ['tiny-llama · answers.jsonl · mlp_out', 'tiny-llama · answers.jsonl · mlp_out']);
  });

  it('a run compared with itself: differences 0, intervals [0, 0], nothing significant', () => {
    const a = synthetic(1, rowsFrom(0), () => 0.3);
    const c = compareResults(a, 'a', a, 'a', { resamples: 100, seed: 0 });
    assert.ok(c.diff.flat().every((d) => d === 0));
    assert.ok(c.interval.flat().every((i) => i !== null && i[0] === 0 && i[1] === 0));
    assert.ok(c.significant.flat().every((s) => !s));
  });

  it('other test rows or another dataset: unpaired, and the reason says how many rows are shared', () => {
    const a = synthetic(1, rowsFrom(0), () => 0.3);
    const shifted = compareResults(a, 'a', synthetic(2, rowsFrom(30), () => 0.3), 'b', { resamples: 100 });
    assert.equal(shifted.pairing, 'unpaired');
    assert.equal(shifted.pairingReason, 'the test rows differ (10 of 40 and 40 shared): each run\'s own test rows are resampled');
    assert.equal(shifted.sharedRows, 10);
    const other = compareResults(a, 'a', synthetic(2, rowsFrom(0), () => 0.3, 'other'), 'b', { resamples: 100 });
    assert.equal(other.pairing, 'unpaired');
    assert.match(other.pairingReason, /^different datasets/);
    assert.equal(other.sharedRows, 0);
    for (const c of [shifted, other]) assert.ok(c.interval.flat().every((i) => i !== null && i[0] < i[1]));
  });

  it('an undefined cell on either side has no difference', () => {
    const a = synthetic(1, rowsFrom(0), () => 0.3);
    const b = synthetic(2, rowsFrom(0), () => 0.3);
    b.metrics.auc[1][4] = null;
    b.test.scores[1][4] = [];
    const c = compareResults(a, 'a', b, 'b', { resamples: 50 });
    assert.equal(c.diff[1][4], null);
    assert.equal(c.interval[1][4], null);
    assert.equal(c.significant[1][4], false);
  });

  it('models of different depth are aligned by relative depth on the shallower model\'s layers', () => {
    assert.deepEqual(alignLayers(4, 8), { alignment: 'relative-depth', pairs: [[0, 0], [1, 2], [2, 5], [3, 7]] });
    assert.deepEqual(alignLayers(8, 4).pairs, [[0, 0], [2, 1], [5, 2], [7, 3]]);
    assert.deepEqual(alignLayers(3, 3), { alignment: 'index', pairs: [[0, 0], [1, 1], [2, 2]] });
  });
});
