// The comparison panel's content: what is compared with what, how the rows were paired, the
// difference heatmap (comparisonFigure.ts) and how to read it.
import Plotly from 'plotly.js-dist-min';

import type { Comparison, TransferInfo } from '../src/contract/comparison';
import { comparisonFigure } from './comparisonFigure';
import { el, replaceChildren } from './dom';
import type { PlotTheme } from './figure';

const PLOT_CONFIG = { responsive: true, displayModeBar: false, displaylogo: false, scrollZoom: false };

export class ComparisonView {
  readonly element = el('section', { className: 'comparison', attrs: { 'aria-label': 'Comparison of two runs' } });
  private readonly header = el('div', { className: 'comparison-header' });
  private readonly plot = el('div', { className: 'plot comparison-plot' });
  private readonly caption = el('p', { className: 'caption' });
  private shown: Comparison | undefined;

  constructor() {
    replaceChildren(this.element, this.header, this.plot, this.caption);
    this.element.hidden = true;
  }

  async show(comparison: Comparison, theme: PlotTheme): Promise<void> {
    if (comparison.transfer) return this.showTransfer(comparison, comparison.transfer, theme);
    this.shown = comparison;
    const { a, b } = comparison;
    const significant = comparison.significant.flat().filter(Boolean).length;
    const cells = comparison.diff.flat().filter((d) => d !== null).length;
    replaceChildren(
      this.header,
      el('h1', {}, 'A − B'),
      el(
        'dl',
        { className: 'facts' },
        el('div', { className: 'fact' }, el('dt', {}, 'A'), el('dd', { attrs: { title: a.resultFile } }, `${a.title} · seed ${a.seed} · ${a.nTest} test rows`)),
        el('div', { className: 'fact' }, el('dt', {}, 'B'), el('dd', { attrs: { title: b.resultFile } }, `${b.title} · seed ${b.seed} · ${b.nTest} test rows`)),
        el('div', { className: 'fact' }, el('dt', {}, 'Rows'), el('dd', { className: `pairing ${comparison.pairing}` }, `${comparison.pairing}: ${comparison.pairingReason}`)),
        el(
          'div',
          { className: 'fact' },
          el('dt', {}, 'Layers'),
          el('dd', {}, comparison.layerAlignment === 'index' ? 'paired by index' : `${a.numLayers} vs ${b.numLayers} layers: each layer of the shallower model with the other's at the nearest relative depth`),
        ),
      ),
    );
    this.caption.textContent =
      `Colour: AUC of A minus AUC of B, blue where A is higher, red where B is. A dot marks the ${significant} of ${cells} cells whose ` +
      `bootstrap 95 % interval of the difference (${comparison.resamples} ${comparison.pairing} resamples) excludes 0.`;
    this.element.hidden = false;
    await this.draw(theme);
  }

  /** Train on A, test on B: what was trained on what, and the transfer − in-domain difference. */
  private async showTransfer(comparison: Comparison, transfer: TransferInfo, theme: PlotTheme): Promise<void> {
    this.shown = comparison;
    const { b } = comparison;
    const a = transfer.trainedOn;
    const significant = comparison.significant.flat().filter(Boolean).length;
    const cells = comparison.diff.flat().filter((d) => d !== null).length;
    const fact = (term: string, text: string, title?: string) => el('div', { className: 'fact' }, el('dt', {}, term), el('dd', title ? { attrs: { title } } : {}, text));
    const passes = transfer.forwardPassRows === 0 ? 'every activation from the cache' : `${transfer.forwardPassRows} rows through the model (not cached)`;
    replaceChildren(
      this.header,
      el('h1', {}, `Trained on ${a.dataset}, tested on ${b.dataset}`),
      el(
        'dl',
        { className: 'facts' },
        fact('Trained on (A)', `${a.title} · seed ${a.seed} · its ${transfer.nTrain} train rows, as its run fitted them`, a.resultFile),
        fact('Tested on (B)', `${b.title} · seed ${b.seed} · its ${b.nTest} test rows`, b.resultFile),
        el('div', { className: 'fact' }, el('dt', {}, 'Rows'), el('dd', { className: `pairing ${comparison.pairing}` }, `${comparison.pairing}: ${comparison.pairingReason}`)),
        fact('Activations', passes),
      ),
    );
    this.caption.textContent =
      `Colour: AUC of A's probe on B's test rows (A→B) minus B's own probe's AUC on the same rows (B→B); blue where the transferred probe ` +
      `does better, red where it loses. A dot marks the ${significant} of ${cells} cells whose bootstrap 95 % interval of the difference ` +
      `(${comparison.resamples} paired resamples of B's test rows, B's seed) excludes 0.`;
    this.element.hidden = false;
    await this.draw(theme);
  }

  async draw(theme: PlotTheme): Promise<void> {
    if (!this.shown) return;
    const figure = comparisonFigure(this.shown, theme);
    await Plotly.react(this.plot, figure.data, figure.layout, PLOT_CONFIG);
  }

  clear(): void {
    this.shown = undefined;
    this.element.hidden = true;
    Plotly.purge(this.plot);
  }
}
