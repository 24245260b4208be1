import type { ProbeResult } from '../contract/result';

const col = (result: ProbeResult, name: string): number => result.tokens.indexOf(name as ProbeResult['tokens'][number]);

/**
 * Token columns that lie strictly before the exact answer in every held-out example. With causal
 * attention, activations there cannot depend on the answer, so their AUC must sit at chance.
 */
export function columnsBeforeExactAnswer(result: ProbeResult): number[] {
  const first = col(result, 'exact_answer_first');
  return result.tokens
    .map((_, t) => t)
    .filter((t) => result.test.positions.every((p) => p[t] < p[first]));
}

/**
 * What the demo's construction implies (correctness depends only on the exact-answer tokens):
 * AUC 0.5 ± 0.1 before the answer, ≥ 0.9 at exact_answer_last/after_last in every layer, ≥ 0.75 at -1.
 * Returns the violations; empty means the pipeline's positions, extraction and probes line up.
 */
export function demoPatternViolations(result: ProbeResult): string[] {
  const auc = result.metrics.auc;
  const problems: string[] = [];
  const check = (layer: number, t: number, ok: (v: number) => boolean, rule: string): void => {
    const v = auc[layer][t];
    if (v === null || !ok(v)) problems.push(`layer ${layer}, ${result.tokens[t]}: AUC ${v === null ? 'undefined' : v.toFixed(3)} (expected ${rule})`);
  };
  for (const layer of result.layers) {
    for (const t of columnsBeforeExactAnswer(result)) check(layer, t, (v) => Math.abs(v - 0.5) <= 0.1, '0.5 ± 0.1');
    check(layer, col(result, 'exact_answer_last'), (v) => v >= 0.9, '≥ 0.9');
    check(layer, col(result, 'exact_answer_after_last'), (v) => v >= 0.9, '≥ 0.9');
    check(layer, col(result, '-1'), (v) => v >= 0.75, '≥ 0.75');
  }
  return problems;
}
