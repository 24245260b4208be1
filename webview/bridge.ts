// The webview talks to "a host" through this interface. Inside VS Code the host is the extension
// (acquireVsCodeApi); in the standalone HTML file there is none, so a local stand-in answers from
// the result embedded in the page.
import { examplesForCell } from '../src/contract/examples';
import { toHeatmapView } from '../src/contract/heatmapView';
import { parseProbeResult, type ProbeResult } from '../src/contract/result';
import { EMBEDDED_RESULT_ID } from '../src/contract/webviewPage';
import { type HostMessage, isHostMessage, type PanelState, type WebviewMessage } from '../src/contract/webviewProtocol';

export interface HostBridge {
  /** True when no extension is behind the page (standalone HTML): opening an example is not possible. */
  readonly standalone: boolean;
  post(message: WebviewMessage): void;
  onMessage(handler: (message: HostMessage) => void): void;
  getState(): unknown;
  setState(state: PanelState): void;
}


export function vscodeBridge(api: VsCodeWebviewApi): HostBridge {
  return {
    standalone: false,
    post: (message) => api.postMessage(message),
    onMessage: (handler) =>
      window.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (isHostMessage(event.data)) handler(event.data);
      }),
    getState: () => api.getState(),
    setState: (state) => api.setState(state),
  };
}

/** Reads the embedded result, or explains (as an `error` message) why there is none. */
export function readEmbeddedResult(): ProbeResult | string {
  const element = document.getElementById(EMBEDDED_RESULT_ID);
  if (!element?.textContent) return 'This page has no embedded probe result.';
  try {
    return parseProbeResult(element.textContent, 'The embedded probe result');
  } catch (error) {
    return (error as Error).message;
  }
}

export function standaloneBridge(result: ProbeResult | string): HostBridge {
  const handlers: ((message: HostMessage) => void)[] = [];
  let state: unknown;
  // Delivered asynchronously, like real webview messages, so the app never depends on re-entrancy.
  const send = (message: HostMessage): void => {
    setTimeout(() => handlers.forEach((handler) => handler(message)), 0);
  };
  return {
    standalone: true,
    post(message) {
      if (message.type === 'ready') {
        send(typeof result === 'string' ? { type: 'error', message: result } : { type: 'result', view: toHeatmapView(result) });
      } else if (message.type === 'selectCell' && typeof result !== 'string') {
        try {
          send({ type: 'examples', layer: message.layer, token: message.token, examples: examplesForCell(result, message.layer, message.token) });
        } catch (error) {
          console.warn('layer-probe:', error);
        }
      } else if (message.type === 'log') {
        console[message.level === 'info' ? 'log' : message.level]('layer-probe:', message.message);
      }
      // openExample: there is no editor to open; the app shows the row and line itself.
    },
    onMessage: (handler) => void handlers.push(handler),
    getState: () => state,
    setState: (next) => void (state = next),
  };
}
