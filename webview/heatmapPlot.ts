// The Plotly heatmap plus what Plotly lacks: keyboard navigation (arrow keys move a cursor cell,
// Enter/Space select it) and a live region announcing the cursor's cell for screen readers.
import Plotly, { type PlotlyHTMLElement, type PlotMouseEvent } from 'plotly.js-dist-min';

import type { HeatmapView } from '../src/contract/heatmapView';
import type { MetricName } from '../src/contract/types';
import { el } from './dom';
import { type Cell, cellHoverText, cellShapes, heatmapFigure, type PlotTheme } from './figure';

const PLOT_CONFIG = { responsive: true, displayModeBar: false, displaylogo: false, scrollZoom: false };
const PAGE = 5;

interface Drawn {
  view: HeatmapView;
  metric: MetricName;
  theme: PlotTheme;
}

export class HeatmapPlot {
  readonly element: HTMLElement;
  private readonly plot: HTMLDivElement;
  private readonly announcer: HTMLElement;
  private drawn: Drawn | undefined;
  private selected: Cell | undefined;
  private cursor: Cell | undefined;
  private clickHandlerAttached = false;

  constructor(private readonly onSelect: (cell: Cell) => void) {
    this.plot = el('div', { className: 'plot' });
    this.announcer = el('div', { className: 'visually-hidden', attrs: { 'aria-live': 'polite' } });
    this.element = el(
      'div',
      {
        className: 'plot-frame',
        attrs: {
          tabindex: '0',
          role: 'application',
          'aria-roledescription': 'heatmap',
          'aria-label': 'Probe heatmap, layers by token. Arrow keys move between cells, Enter shows the examples of a cell.',
        },
      },
      this.plot,
      this.announcer,
    );
    this.element.addEventListener('keydown', (event) => this.onKey(event));
    // Show the cursor on keyboard focus only; a mouse click focuses the frame too, and selects directly.
    this.element.addEventListener('focus', () => {
      if (this.element.matches(':focus-visible')) this.moveCursor(this.cursor ?? this.selected ?? this.firstCell());
    });
    this.element.addEventListener('blur', () => {
      this.cursor = undefined;
      this.updateShapes();
    });
  }

  async render(view: HeatmapView, metric: MetricName, theme: PlotTheme, selected: Cell | undefined): Promise<void> {
    this.drawn = { view, metric, theme };
    this.selected = selected;
    const figure = heatmapFigure(view, metric, theme, { selected, cursor: this.cursor });
    await Plotly.react(this.plot, figure.data, figure.layout, PLOT_CONFIG);
    if (!this.clickHandlerAttached) {
      (this.plot as PlotlyHTMLElement).on('plotly_click', (event) => this.onPlotClick(event));
      this.clickHandlerAttached = true;
    }
  }

  setSelected(cell: Cell | undefined): void {
    this.selected = cell;
    this.updateShapes();
  }

  clear(): void {
    Plotly.purge(this.plot);
    this.clickHandlerAttached = false;
    this.drawn = undefined;
    this.selected = undefined;
    this.cursor = undefined;
  }

  private onPlotClick(event: PlotMouseEvent): void {
    const view = this.drawn?.view;
    const point = event.points[0];
    if (!view || !point) return;
    // Map by axis values rather than point indices: they are what the user saw.
    const token = view.tokens.indexOf(point.x as HeatmapView['tokens'][number]);
    const layer = Number(point.y);
    if (token < 0 || !view.layers.includes(layer)) return;
    this.cursor = undefined;
    this.select({ layer, token });
  }

  private select(cell: Cell): void {
    this.selected = cell;
    this.updateShapes();
    this.onSelect(cell);
  }

  private firstCell(): Cell | undefined {
    const layer = this.drawn?.view.layers[0];
    return layer === undefined ? undefined : { layer, token: 0 };
  }

  private moveCursor(cell: Cell | undefined): void {
    if (!cell || !this.drawn) return;
    this.cursor = cell;
    this.updateShapes();
    const { view, metric } = this.drawn;
    const row = view.layers.indexOf(cell.layer);
    this.announcer.textContent = cellHoverText(view, metric, row, cell.token).split('<br>').join('. ');
  }

  private onKey(event: KeyboardEvent): void {
    const view = this.drawn?.view;
    const cursor = this.cursor ?? this.selected ?? this.firstCell();
    if (!view || !cursor) return;
    const row = view.layers.indexOf(cursor.layer);
    const lastRow = view.layers.length - 1;
    const lastCol = view.tokens.length - 1;
    const at = (r: number, c: number): Cell => ({
      layer: view.layers[Math.max(0, Math.min(lastRow, r))] ?? cursor.layer,
      token: Math.max(0, Math.min(lastCol, c)),
    });
    const moves: Record<string, () => Cell> = {
      ArrowUp: () => at(row - 1, cursor.token),
      ArrowDown: () => at(row + 1, cursor.token),
      ArrowLeft: () => at(row, cursor.token - 1),
      ArrowRight: () => at(row, cursor.token + 1),
      PageUp: () => at(row - PAGE, cursor.token),
      PageDown: () => at(row + PAGE, cursor.token),
      Home: () => at(event.ctrlKey ? 0 : row, 0),
      End: () => at(event.ctrlKey ? lastRow : row, lastCol),
    };
    const move = moves[event.key];
    if (move) {
      event.preventDefault();
      this.moveCursor(move());
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      this.select(cursor);
    }
  }

  private updateShapes(): void {
    if (!this.drawn) return;
    const { view, theme } = this.drawn;
    void Plotly.relayout(this.plot, { shapes: cellShapes(view, theme, { selected: this.selected, cursor: this.cursor }) });
  }
}
