// Ambient declarations for the webview bundle: the VS Code webview API (absent in the standalone
// page, hence optional) and the slice of plotly.js-dist-min we use (it ships without types).

interface VsCodeWebviewApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare let acquireVsCodeApi: (() => VsCodeWebviewApi) | undefined;

declare module 'plotly.js-dist-min' {
  export interface PlotPoint {
    /** Heatmap points carry [row, column] indices into z. */
    pointIndex: number | number[];
    x: unknown;
    y: unknown;
  }
  export interface PlotMouseEvent {
    points: PlotPoint[];
  }
  export interface PlotlyHTMLElement extends HTMLDivElement {
    on(event: 'plotly_click', handler: (event: PlotMouseEvent) => void): void;
  }
  export interface PlotlyStatic {
    react(root: HTMLElement, data: object[], layout: object, config?: object): Promise<PlotlyHTMLElement>;
    relayout(root: HTMLElement, update: object): Promise<PlotlyHTMLElement>;
    purge(root: HTMLElement): void;
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
