// The strip of baseline AUCs beside the heatmap: the paper's comparison. Each baseline is a labelled
// swatch in the heatmap's own colour scale, the best one marked; a sentence says how many probe cells
// beat the best beyond their bootstrap interval.
import { cellsAboveBaseline } from '../src/contract/baselines';
import { bluesColour } from '../src/contract/colourScale';
import type { HeatmapView } from '../src/contract/heatmapView';
import { el, replaceChildren } from './dom';

export function renderBaselineStrip(container: HTMLElement, view: HeatmapView): void {
  const baselines = view.baselines;
  container.hidden = !baselines || baselines.length === 0;
  if (!baselines || container.hidden) return replaceChildren(container);
  const best = view.bestBaseline;
  const items = baselines.map((b) => {
    const interval = b.aucInterval ? ` (95 % ${b.aucInterval[0].toFixed(3)}–${b.aucInterval[1].toFixed(3)})` : '';
    const isBest = best?.name === b.name;
    return el(
      'li',
      { className: isBest ? 'baseline best' : 'baseline', attrs: { title: `${b.name}: test AUC ${b.auc === null ? 'undefined' : b.auc.toFixed(3)}${interval}` } },
      el('span', { className: 'swatch', attrs: { style: `background:${b.auc === null ? 'transparent' : bluesColour(b.auc)}` } }),
      el('span', { className: 'baseline-name' }, b.name),
      el('span', { className: 'baseline-auc' }, b.auc === null ? '—' : b.auc.toFixed(3)),
      isBest ? el('span', { className: 'best-mark' }, 'best') : null,
    );
  });
  const above = best && view.aucInterval ? cellsAboveBaseline(view.aucInterval, best.auc).flat().filter(Boolean).length : 0;
  const cells = view.layers.length * view.tokens.length;
  replaceChildren(
    container,
    el('h2', {}, 'Baselines on the same test rows'),
    el('ul', { className: 'baseline-list' }, ...items),
    best
      ? el('p', { className: 'caption' }, `${above} of ${cells} cells have their whole AUC interval above the best baseline (${best.name}, ${best.auc.toFixed(3)}); they are outlined with dashes.`)
      : null,
  );
}
