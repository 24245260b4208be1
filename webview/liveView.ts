// The panel while a run is in progress: the stage and its progress, then the heatmap filling in as
// the probes finish. Every value drawn is final (the worker sends a cell only once its probe is done).
import Plotly from 'plotly.js-dist-min';

import type { LiveMessage } from '../src/contract/webviewProtocol';
import { el, replaceChildren } from './dom';
import type { PlotTheme } from './figure';
import { liveFigure } from './liveFigure';

const PLOT_CONFIG = { responsive: true, displayModeBar: false, displaylogo: false, scrollZoom: false };
// Cells can finish faster than Plotly redraws (tiny models): draw the latest state at most this often.
const REDRAW_MS = 150;

export class LiveView {
  readonly element = el('section', { className: 'live', attrs: { 'aria-label': 'Run in progress' } });
  private readonly stage = el('p', { className: 'live-stage', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly bar = el('progress', { attrs: { max: '1' } });
  private readonly count = el('p', { className: 'live-count' });
  private readonly plot = el('div', { className: 'live-plot' });
  private readonly caption = el('p', { className: 'caption' });
  private shown: LiveMessage | undefined;
  private theme: PlotTheme | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private drawnCells = -1;

  constructor() {
    replaceChildren(this.element, this.stage, this.bar, this.count, this.plot, this.caption);
    this.element.hidden = true;
  }

  show(live: LiveMessage, theme: PlotTheme): void {
    this.shown = live;
    this.theme = theme;
    this.element.hidden = false;
    this.stage.textContent = live.stage;
    if (live.progress === undefined) this.bar.removeAttribute('value');
    else this.bar.value = live.progress;
    const total = live.cellsTotal;
    this.count.textContent = live.numLayers === undefined ? '' : `${live.cells.length} of ${total ?? '?'} probes finished`;
    this.caption.textContent =
      live.numLayers === undefined
        ? 'The heatmap appears here as the probes finish.'
        : 'AUC of each finished probe: its final value. Probes run every fourth layer first, then the layers between; empty cells are not probed yet.';
    this.scheduleDraw();
  }

  /** Redraw with the current theme (the workbench theme changed). */
  redraw(theme: PlotTheme): void {
    this.theme = theme;
    this.drawnCells = -1;
    this.scheduleDraw();
  }

  clear(): void {
    this.shown = undefined;
    this.element.hidden = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.drawnCells = -1;
    Plotly.purge(this.plot);
  }

  private scheduleDraw(): void {
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.draw();
    }, this.drawnCells < 0 ? 0 : REDRAW_MS);
  }

  private async draw(): Promise<void> {
    const live = this.shown;
    if (!live || !this.theme || live.numLayers === undefined || live.cells.length === this.drawnCells) return;
    this.drawnCells = live.cells.length;
    const figure = liveFigure(live, this.theme);
    await Plotly.react(this.plot, figure.data, figure.layout, PLOT_CONFIG);
    this.plot.dataset.cells = String(live.cells.length);
  }
}
