// Entry point of the heatmap webview (bundled by esbuild to dist/webview.js + dist/webview.css).
// Runs inside VS Code (messages to/from the extension) and, unchanged, in the standalone HTML file
// written by heatmapHtml (no extension: the embedded result answers cell clicks locally).
import './styles.css';

import { EXPORT_FORMAT_INFO, type ExportFormat } from '../src/contract/exportFormats';
import type { HeatmapView } from '../src/contract/heatmapView';
import type { ExampleView } from '../src/contract/result';
import type { MetricName } from '../src/contract/types';
import { type ExamplesMessage, type HostMessage, type PanelState, toPanelState } from '../src/contract/webviewProtocol';
import { renderBaselineStrip } from './baselineStrip';
import { type HostBridge, readEmbeddedResult, standaloneBridge, vscodeBridge } from './bridge';
import { ComparisonView } from './comparisonView';
import { el, replaceChildren } from './dom';
import { ExamplesList } from './examplesList';
import { exportSvg, svgToPngBase64 } from './exportFigure';
import { ExportMenu } from './exportMenu';
import { type Cell, formatMetric } from './figure';
import { renderHeader } from './header';
import { HeatmapPlot } from './heatmapPlot';
import { LiveView } from './liveView';
import { METRIC_INFO } from './metrics';
import { createMetricSelect } from './metricSelect';
import { RerunControls } from './rerunControls';
import { readTheme, watchTheme } from './theme';

class HeatmapApp {
  private state: PanelState;
  private view: HeatmapView | undefined;
  private theme = readTheme();
  private readonly title = el('div', { className: 'title' });
  private readonly metricSelect: HTMLElement;
  private readonly status = el('div', { className: 'status', attrs: { role: 'status' } });
  private readonly caption = el('p', { className: 'caption' });
  private readonly baselineStrip = el('section', { className: 'baselines', attrs: { 'aria-label': 'Baselines' } });
  private readonly plot = new HeatmapPlot((cell) => this.selectCell(cell));
  private readonly examples = new ExamplesList((example) => this.openExample(example));
  private readonly content = el('main', { className: 'content' });
  private readonly notice = el('div', { className: 'notice', attrs: { role: 'status', 'aria-live': 'polite' } });
  private readonly comparison = new ComparisonView();
  private readonly live = new LiveView();
  private readonly rerun = new RerunControls(
    (fields) => this.bridge.post({ type: 'planRerun', fields }),
    (fields) => this.bridge.post({ type: 'rerun', fields }),
  );
  /** Compare this run with another (the host asks which); not in the standalone HTML, which has no host. */
  private readonly compareButton = el('button', { className: 'compare-with', attrs: { type: 'button', title: 'Compare this run with another run: difference heatmap with bootstrap intervals' } }, 'Compare with…');
  /** Export… the figure (PNG, SVG), the CSV, the result or the standalone page; the host saves (not in the standalone HTML). */
  private readonly exportMenu = new ExportMenu((format) => void this.export(format));

  constructor(private readonly bridge: HostBridge) {
    this.state = toPanelState(bridge.getState());
    this.metricSelect = createMetricSelect(this.state.metric, (metric) => this.setMetric(metric));
  }

  start(): void {
    // Without VS Code around, styles.css supplies the theme variables the controls expect.
    document.body.classList.toggle('lp-standalone', this.bridge.standalone);
    replaceChildren(
      document.body,
      el('header', { className: 'top' }, this.title, this.metricSelect, this.compareButton, this.exportMenu.element),
      this.status,
      this.rerun.element,
      this.live.element,
      this.content,
      this.comparison.element,
      this.notice,
    );
    replaceChildren(
      this.content,
      el('div', { className: 'plot-column' }, this.plot.element, this.caption, this.baselineStrip),
      el('div', { className: 'examples-column' }, this.examples.element),
    );
    this.showStatus('Waiting for a probe result…');
    this.bridge.onMessage((message) => this.receive(message));
    this.compareButton.addEventListener('click', () => this.bridge.post({ type: 'compareWith' }));
    watchTheme(() => {
      this.theme = readTheme();
      void this.draw();
      void this.comparison.draw(this.theme);
      this.live.redraw(this.theme);
    });
    window.addEventListener('error', (event) => this.bridge.post({ type: 'log', level: 'error', message: String(event.message) }));
    this.bridge.post({ type: 'ready' });
  }

  private receive(message: HostMessage): void {
    switch (message.type) {
      case 'result':
        return this.showResult(message.view, message.resultFile);
      case 'examples':
        return this.showExamples(message);
      case 'status':
        return this.showStatus(message.message, message.progress);
      case 'live':
        this.clearResult(true);
        this.status.hidden = true;
        replaceChildren(this.title, el('h1', {}, message.title), el('span', { className: 'running' }, 'running'));
        this.live.show(message, this.theme);
        return;
      case 'error':
        return this.showError(message.message, message.detail);
      case 'exported':
        this.notice.textContent = message.message;
        return;
      case 'rerunPlan':
        return this.rerun.showPlan(message.text, message.problem);
      case 'comparison':
        this.clearResult();
        this.status.hidden = true;
        replaceChildren(this.title, el('h1', {}, 'Layer Probe: comparison'));
        void this.comparison.show(message.comparison, this.theme);
        return;
    }
  }

  private showResult(view: HeatmapView, resultFile: string | undefined): void {
    const sameRun = this.state.resultKey === view.key;
    this.view = view;
    this.live.clear();
    const cell = sameRun ? this.state.cell : undefined;
    this.state = { metric: this.state.metric, resultKey: view.key, resultFile, cell: cell && isCellOf(view, cell) ? cell : undefined };
    this.saveState();
    renderHeader(this.title, view);
    renderBaselineStrip(this.baselineStrip, view);
    this.metricSelect.hidden = false;
    this.compareButton.hidden = this.bridge.standalone;
    this.exportMenu.element.hidden = this.bridge.standalone;
    if (this.bridge.standalone) this.rerun.hide();
    else this.rerun.show(view);
    this.status.hidden = true;
    this.content.hidden = false;
    this.examples.showHint('Click a cell (or focus the heatmap and press Enter) to list the held-out examples behind its probe.');
    void this.draw();
    // A reloaded panel (hidden and shown again, or restored) comes back to the cell it showed.
    if (this.state.cell) this.selectCell(this.state.cell);
  }

  /** Replaces the panel's content: without a result, no heatmap or examples may remain on screen. */
  private showStatus(message: string, progress?: number): void {
    this.clearResult();
    const bar = progress === undefined ? null : el('progress', { attrs: { max: '1', value: String(progress) } });
    replaceChildren(this.status, el('p', {}, message), bar);
  }

  private showError(message: string, detail?: string): void {
    this.clearResult();
    replaceChildren(this.status, el('p', { className: 'error' }, message), detail ? el('pre', { className: 'detail' }, detail) : null);
  }

  /** `keepLive`: a live update replaces the earlier one in place (no flicker of the drawn cells). */
  private clearResult(keepLive = false): void {
    this.view = undefined;
    this.comparison.clear();
    if (!keepLive) this.live.clear();
    this.plot.clear();
    this.examples.showHint('');
    replaceChildren(this.title, el('h1', {}, 'Layer Probe'));
    replaceChildren(this.notice);
    replaceChildren(this.baselineStrip);
    this.metricSelect.hidden = true;
    this.compareButton.hidden = true;
    this.exportMenu.element.hidden = true;
    this.rerun.hide();
    this.content.hidden = true;
    this.status.hidden = false;
  }

  private async draw(): Promise<void> {
    if (!this.view) return;
    const info = METRIC_INFO[this.state.metric];
    this.caption.textContent =
      `Colour: ${info.label}, ${info.description} (scale ${info.zmin} → ${info.zmax}). ` +
      'Grey cells are undefined: a split of that cell held a single class.';
    await this.plot.render(this.view, this.state.metric, this.theme, this.state.cell);
  }

  /** The figure formats are drawn here, from the view and metric shown; the host makes the others. */
  private async export(format: ExportFormat): Promise<void> {
    const view = this.view;
    if (!view) return;
    const metric = this.state.metric;
    const what = EXPORT_FORMAT_INFO[format].filter;
    try {
      const figure = format === 'png' || format === 'svg' ? exportSvg(view, metric) : undefined;
      const data = figure && (format === 'png' ? await svgToPngBase64(figure) : figure.svg);
      this.notice.textContent = `Exporting the ${what}…`;
      this.bridge.post({ type: 'export', format, metric, ...(data === undefined ? {} : { data }) });
    } catch (error) {
      this.notice.textContent = `Could not export the ${what}: ${(error as Error).message}`;
      this.bridge.post({ type: 'log', level: 'error', message: `export ${format}: ${(error as Error).message}` });
    }
  }

  private setMetric(metric: MetricName): void {
    this.state.metric = metric;
    this.saveState();
    void this.draw();
  }

  private selectCell(cell: Cell): void {
    if (!this.view) return;
    this.state.cell = cell;
    this.saveState();
    this.plot.setSelected(cell);
    this.examples.showHint(`Loading the examples of ${this.cellTitle(cell)}…`);
    this.bridge.post({ type: 'selectCell', layer: cell.layer, token: cell.token });
  }

  private showExamples(message: ExamplesMessage): void {
    const cell = this.state.cell;
    // Answers to an earlier click, or for a previous result, are stale.
    if (!this.view || !cell || cell.layer !== message.layer || cell.token !== message.token) return;
    this.examples.show(this.cellTitle(cell), message.examples);
  }

  private cellTitle(cell: Cell): string {
    const view = this.view;
    if (!view) return '';
    const auc = view.metrics.auc[view.layers.indexOf(cell.layer)]?.[cell.token] ?? null;
    return `Layer ${cell.layer} · ${view.tokens[cell.token]} — AUC ${formatMetric(auc)}`;
  }

  private openExample(example: ExampleView): void {
    const file = this.view?.dataset.file ?? 'the dataset';
    this.bridge.post({ type: 'openExample', rowIndex: example.rowIndex });
    this.notice.textContent = this.bridge.standalone
      ? `Row ${example.rowIndex} starts at line ${example.line} of ${file}.`
      : `Opening row ${example.rowIndex} (line ${example.line}) of ${file}.`;
  }

  private saveState(): void {
    this.bridge.setState(this.state);
  }
}

function isCellOf(view: HeatmapView, cell: Cell): boolean {
  return view.layers.includes(cell.layer) && cell.token < view.tokens.length;
}

const bridge = typeof acquireVsCodeApi === 'function' ? vscodeBridge(acquireVsCodeApi()) : standaloneBridge(readEmbeddedResult());
new HeatmapApp(bridge).start();
