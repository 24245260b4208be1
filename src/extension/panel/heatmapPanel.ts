// Host side of the heatmap panels: one WebviewPanel per shown run, several open side by side (a
// result already shown in a panel is revealed there instead of opened twice).
// The webview keeps no context while hidden (retainContextWhenHidden is off, to save memory with a
// heavy Plotly page): each time it is shown again it reloads and sends `ready`, and the panel
// replays what it displays; the webview's own state (vscode.setState) restores metric and cell.
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as vscode from 'vscode';

import type { Comparison } from '../../contract/comparison';
import { examplesForCell } from '../../contract/examples';
import { type HeatmapView, toHeatmapView } from '../../contract/heatmapView';
import type { RerunFields } from '../../contract/rerun';
import { parseProbeResult, type ProbeResult } from '../../contract/result';
import { createNonce, webviewHtml } from '../../contract/webviewPage';
import { type ComparisonMessage, type ErrorMessage, type ExamplesMessage, type ExportedMessage, type HostMessage, isWebviewMessage, type LiveMessage, type LogMessage, type ResultMessage, type StatusMessage, toPanelState, type WebviewMessage } from '../../contract/webviewProtocol';
import { exportHeatmap } from './exportHeatmap';
import { revealDatasetLine } from './revealRow';

/** The messages that replace what the panel shows; the latest one is replayed on every `ready`. */
type DisplayMessage = ResultMessage | StatusMessage | ErrorMessage | ComparisonMessage | LiveMessage;

export interface HeatmapPanelOptions {
  /** Where the webview's `log` messages go (the extension's output channel); console by default. */
  log?: (level: LogMessage['level'], message: string) => void;
  /** The panel's *Compare with…*: compare the run in `resultFile` with one the user picks. */
  compareWith?: (resultFile: string) => Promise<unknown>;
  /** What rerunning the shown result with the panel's fields would need (forward passes or none). */
  planRerun?: (result: ProbeResult, fields: RerunFields) => Promise<{ text: string; problem: boolean }>;
  /** Reruns the shown result with the panel's fields (a new run folder and panel). */
  rerun?: (result: ProbeResult, fields: RerunFields) => Promise<unknown>;
}

export class HeatmapPanel implements vscode.Disposable {
  static readonly viewType = 'layerProbe.heatmap';
  /** The panel shown or focused last (for commands that act on "the" panel). */
  private static current: HeatmapPanel | undefined;
  private static readonly all = new Set<HeatmapPanel>();
  private static readonly opened = new vscode.EventEmitter<HeatmapPanel>();
  /** Fires for every panel created (a run's live panel opens before its command returns; tests follow it). */
  static readonly onDidOpen = HeatmapPanel.opened.event;

  private result: ProbeResult | undefined;
  private resultFile: string | undefined;
  private display: DisplayMessage | undefined;
  private ready = false;
  private isDisposed = false;
  /** Examples answered while the webview was not ready; sent after the display on `ready`. */
  private queue: ExamplesMessage[] = [];
  private lastResult: HeatmapView | undefined;
  private lastExamples: ExamplesMessage | undefined;
  private lastLive: LiveMessage | undefined;
  private readonly posted = new vscode.EventEmitter<HostMessage>();
  private readonly disposed = new vscode.EventEmitter<void>();
  private readonly displayed = new vscode.EventEmitter<HostMessage>();
  private readonly disposables: vscode.Disposable[] = [this.posted, this.disposed, this.displayed];

  /** Fires for every message actually posted to the webview (integration tests wait on it). */
  readonly onDidPostMessage = this.posted.event;
  /** Fires for every change of what the panel shows, posted at once or (webview not ready) held for `ready`. */
  readonly onDidChangeDisplay = this.displayed.event;
  readonly onDidDispose = this.disposed.event;

  /** The panel shown or focused last, if any is open. */
  static get currentPanel(): HeatmapPanel | undefined {
    return HeatmapPanel.current;
  }

  /** Every open panel, in the order they were opened. */
  static get openPanels(): readonly HeatmapPanel[] {
    return [...HeatmapPanel.all];
  }

  /**
   * Shows `result`: revealed in the panel that already shows `resultFile`, else in a new panel beside
   * the others (each run keeps its own panel, so runs can be looked at side by side).
   */
  static show(extensionUri: vscode.Uri, result: ProbeResult, resultFile?: string, options?: HeatmapPanelOptions): HeatmapPanel {
    const existing = resultFile === undefined ? undefined : [...HeatmapPanel.all].find((p) => p.resultFile === resultFile);
    if (existing) existing.panel.reveal(existing.panel.viewColumn ?? vscode.ViewColumn.Active);
    const panel = existing ?? HeatmapPanel.open(extensionUri, options);
    panel.showResult(result, resultFile);
    return panel;
  }

  /** A new panel (showing "waiting" until told otherwise). */
  static open(extensionUri: vscode.Uri, options: HeatmapPanelOptions = {}): HeatmapPanel {
    const panel = vscode.window.createWebviewPanel(HeatmapPanel.viewType, 'Layer Probe', vscode.ViewColumn.Active, {
      ...webviewOptions(extensionUri),
      enableFindWidget: true,
    });
    return new HeatmapPanel(panel, extensionUri, options);
  }

  /** Adopts a panel VS Code restored after a reload (see registerHeatmapPanelSerializer). */
  static revive(panel: vscode.WebviewPanel, extensionUri: vscode.Uri, options: HeatmapPanelOptions = {}): HeatmapPanel {
    return new HeatmapPanel(panel, extensionUri, options);
  }

  private constructor(
    readonly panel: vscode.WebviewPanel,
    private readonly extensionUri: vscode.Uri,
    private readonly options: HeatmapPanelOptions,
  ) {
    HeatmapPanel.all.add(this);
    HeatmapPanel.current = this;
    HeatmapPanel.opened.fire(this);
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    panel.iconPath = { light: vscode.Uri.joinPath(media, 'heatmap-light.svg'), dark: vscode.Uri.joinPath(media, 'heatmap-dark.svg') };
    const webview = panel.webview;
    webview.options = webviewOptions(extensionUri);
    const dist = vscode.Uri.joinPath(extensionUri, 'dist');
    webview.html = webviewHtml({
      cspSource: webview.cspSource,
      nonce: createNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.js')).toString(),
      styleUri: webview.asWebviewUri(vscode.Uri.joinPath(dist, 'webview.css')).toString(),
      title: 'Layer Probe',
    });
    this.disposables.push(
      webview.onDidReceiveMessage((message: unknown) => void this.receive(message)),
      panel.onDidChangeViewState(() => {
        // A hidden webview without retained context is torn down; it says `ready` again when shown.
        if (!panel.visible) this.ready = false;
        if (panel.active) HeatmapPanel.current = this;
      }),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  /** The result.json of the run shown, when it has one. */
  get shownResultFile(): string | undefined {
    return this.resultFile;
  }

  /** The result currently shown (the full ProbeResult, kept host-side to answer cell clicks). */
  get currentResult(): ProbeResult | undefined {
    return this.result;
  }

  /** The view of the last `result` message posted to the webview. */
  get lastPostedResult(): HeatmapView | undefined {
    return this.lastResult;
  }

  /** The last `examples` message posted to the webview. */
  get lastPostedExamples(): ExamplesMessage | undefined {
    return this.lastExamples;
  }

  /** False once the panel is closed (by the user or the code). */
  get isOpen(): boolean {
    return !this.isDisposed;
  }

  /** Whether the webview has said `ready` since it was last (re)loaded. */
  get isReady(): boolean {
    return this.ready;
  }

  showResult(result: ProbeResult, resultFile?: string): void {
    this.result = result;
    this.resultFile = resultFile;
    this.panel.title = panelTitle(result);
    this.setDisplay({ type: 'result', view: toHeatmapView(result), resultFile });
  }

  /** Two runs' difference heatmap; the panel then shows no single result (cell clicks do nothing). */
  showComparison(comparison: Comparison): void {
    this.result = undefined;
    this.resultFile = undefined;
    // A transfer's side a is already titled `model · A's dataset → B's dataset · location`.
    this.panel.title = comparison.transfer ? comparison.a.title : `${comparison.a.title} − ${comparison.b.title}`;
    this.setDisplay({ type: 'comparison', comparison });
  }

  /** E.g. a run in progress. The panel stops showing any earlier result: it never shows one it does not have. */
  showStatus(message: string, progress?: number): void {
    this.result = undefined;
    this.resultFile = undefined;
    this.setDisplay({ type: 'status', message, progress });
  }

  /** A run in progress (its stage and the probes finished so far); its result replaces it. */
  showLive(live: Omit<LiveMessage, 'type'>): void {
    this.result = undefined;
    this.resultFile = undefined;
    this.panel.title = `${live.title} (running)`;
    this.setDisplay({ type: 'live', ...live });
  }

  /** The last `live` message posted to the webview (tests follow the run with it). */
  get lastPostedLive(): LiveMessage | undefined {
    return this.lastLive;
  }

  showError(message: string, detail?: string): void {
    this.result = undefined;
    this.resultFile = undefined;
    this.setDisplay({ type: 'error', message, detail });
  }

  dispose(): void {
    // Also reached from the panel's own onDidDispose when the user closes it.
    if (this.isDisposed) return;
    this.isDisposed = true;
    HeatmapPanel.all.delete(this);
    if (HeatmapPanel.current === this) HeatmapPanel.current = [...HeatmapPanel.all].at(-1);
    this.disposed.fire();
    this.panel.dispose();
    while (this.disposables.length) this.disposables.pop()?.dispose();
  }

  private setDisplay(message: DisplayMessage): void {
    this.display = message;
    this.queue = [];
    this.displayed.fire(message);
    if (this.ready) this.send(message);
  }

  /**
   * Handles `message` exactly as if the webview had posted it, and resolves once it is handled (for
   * `openExample`: once the dataset is shown). For the extension-host integration tests, which drive
   * cell and example clicks through the real message handling but cannot click inside the webview.
   */
  handleMessageForTesting(message: unknown): Promise<void> {
    return this.receive(message);
  }

  private receive(message: unknown): Promise<void> {
    if (!isWebviewMessage(message)) {
      this.log('warn', `Ignored a malformed webview message: ${JSON.stringify(message)?.slice(0, 200)}`);
      return Promise.resolve();
    }
    return this.handle(message).catch((error: unknown) => this.log('error', error instanceof Error ? error.message : String(error)));
  }

  private async handle(message: WebviewMessage): Promise<void> {
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        const pending = [this.display, ...this.queue];
        this.queue = [];
        for (const m of pending) if (m) this.send(m);
        return;
      }
      case 'selectCell': {
        if (!this.result) return;
        const examples = examplesForCell(this.result, message.layer, message.token);
        const reply: ExamplesMessage = { type: 'examples', layer: message.layer, token: message.token, examples };
        if (this.ready) this.send(reply);
        else this.queue.push(reply);
        return;
      }
      case 'openExample': {
        const result = this.result;
        const i = result?.test.rowIndex.indexOf(message.rowIndex) ?? -1;
        const line = result?.test.line[i];
        if (!result || line === undefined) return;
        await revealDatasetLine(result.dataset.file, line, result.settings.options.encoding);
        return;
      }
      case 'log':
        this.log(message.level, `webview: ${message.message}`);
        return;
      case 'planRerun': {
        if (!this.result || !this.options.planRerun) return;
        const plan = await this.options.planRerun(this.result, message.fields);
        this.send({ type: 'rerunPlan', ...plan });
        return;
      }
      case 'rerun':
        if (this.result && this.options.rerun) await this.options.rerun(this.result, message.fields);
        return;
      case 'compareWith':
        if (this.resultFile && this.options.compareWith) await this.options.compareWith(this.resultFile);
        return;
      case 'export': {
        const reply: ExportedMessage = this.result
          ? await exportHeatmap(this.result, message, this.extensionUri)
          : { type: 'exported', format: message.format, outcome: 'failed', message: 'This panel shows no result to export.' };
        if (reply.outcome === 'failed') this.log('warn', reply.message);
        // How it ended is only news to the page that asked; a reloaded page has forgotten the request.
        if (this.ready) this.send(reply);
        return;
      }
    }
  }

  private send(message: HostMessage): void {
    if (message.type === 'result') this.lastResult = message.view;
    if (message.type === 'examples') this.lastExamples = message;
    if (message.type === 'live') this.lastLive = message;
    void this.panel.webview.postMessage(message);
    this.posted.fire(message);
  }

  private log(level: LogMessage['level'], message: string): void {
    if (this.options.log) this.options.log(level, message);
    else console[level === 'info' ? 'log' : level](`[layer-probe] ${message}`);
  }
}

/** `model · dataset · location`; the dataset is the benchmark when the answers were generated from one. */
export function panelTitle(result: ProbeResult): string {
  const dataset = path.basename(result.answers?.benchmarkFile ?? result.dataset.file);
  return `${result.model.name} · ${dataset} · ${result.model.location}`;
}

function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/** Reads a result.json written by the extension or the CLI; throws a message naming the file and the problem. */
export async function readResultFile(file: string): Promise<ProbeResult> {
  let text: string;
  try {
    text = await fs.promises.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${file} no longer exists` : `${file} cannot be read (${code ?? String(err)})`);
  }
  return parseProbeResult(text, file);
}

/**
 * Restores heatmap panels after VS Code restarts. The webview's saved state names the result file;
 * when it cannot be read the panel says so rather than showing nothing or something stale.
 * (package.json needs the activation event `onWebviewPanel:layerProbe.heatmap`.)
 */
export function registerHeatmapPanelSerializer(
  extensionUri: vscode.Uri,
  options: HeatmapPanelOptions & { loadResult?: (resultFile: string) => Promise<ProbeResult> } = {},
): vscode.Disposable {
  const loadResult = options.loadResult ?? readResultFile;
  return vscode.window.registerWebviewPanelSerializer(HeatmapPanel.viewType, {
    async deserializeWebviewPanel(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
      const panel = HeatmapPanel.revive(webviewPanel, extensionUri, options);
      const { resultFile } = toPanelState(state);
      if (!resultFile) {
        panel.showError('The result this panel showed is no longer available.', 'Run "Layer Probe: Probe Dataset…" again.');
        return;
      }
      try {
        panel.showResult(await loadResult(resultFile), resultFile);
      } catch (err) {
        panel.showError('The result this panel showed cannot be shown.', `${(err as Error).message}. Run "Layer Probe: Probe Dataset…" again.`);
      }
    },
  });
}
