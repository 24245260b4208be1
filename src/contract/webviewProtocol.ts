// The one message protocol between the extension host and the heatmap webview.
// Every message is a discriminated union member keyed by `type`; the webview sends `ready` first
// and the host holds its messages until then. Both sides validate what they receive with the guards
// below, since a webview message is just structured-cloned data.
import type { Comparison } from './comparison';
import type { HeatmapView } from './heatmapView';
import type { ExampleView } from './result';
import { isMetricName, type MetricName } from './types';

// ── host → webview ───────────────────────────────────────────────────────────────────────────────

/** A finished run to draw. Replaces whatever the panel showed. */
export interface ResultMessage {
  type: 'result';
  view: HeatmapView;
  /** Where the result is stored, kept in the webview's state so a restored panel can reload it. */
  resultFile?: string;
}

/** The held-out examples behind one cell, answering `selectCell`. */
export interface ExamplesMessage {
  type: 'examples';
  layer: number;
  /** Column index into `view.tokens`. */
  token: number;
  examples: ExampleView[];
}

/** No result to show yet (e.g. a run in progress). Replaces whatever the panel showed. */
export interface StatusMessage {
  type: 'status';
  message: string;
  /** 0…1 when known. */
  progress?: number;
}

/** The run failed or the result is unavailable. Replaces whatever the panel showed. */
export interface ErrorMessage {
  type: 'error';
  message: string;
  detail?: string;
}

/** Two runs compared cell by cell (the difference heatmap). Replaces whatever the panel showed. */
export interface ComparisonMessage {
  type: 'comparison';
  comparison: Comparison;
}

export type HostMessage = ResultMessage | ExamplesMessage | StatusMessage | ErrorMessage | ComparisonMessage;

// ── webview → host ───────────────────────────────────────────────────────────────────────────────

export interface ReadyMessage {
  type: 'ready';
}

export interface SelectCellMessage {
  type: 'selectCell';
  layer: number;
  /** Column index into `view.tokens`. */
  token: number;
}

export interface OpenExampleMessage {
  type: 'openExample';
  /** `ExampleView.rowIndex`: the record's 0-based index in the dataset file. */
  rowIndex: number;
}

/** Webview diagnostics, routed to the extension's output channel. */
export interface LogMessage {
  type: 'log';
  level: 'info' | 'warn' | 'error';
  message: string;
}

/** The panel's *Compare with…* button: the host asks which run to compare the shown one with. */
export interface CompareWithMessage {
  type: 'compareWith';
}

export type WebviewMessage = ReadyMessage | SelectCellMessage | OpenExampleMessage | LogMessage | CompareWithMessage;

// ── state the webview persists (vscode.setState), also what the panel serializer receives ───────

export interface PanelState {
  metric: MetricName;
  resultKey?: string;
  resultFile?: string;
  cell?: { layer: number; token: number };
}

// ── guards ───────────────────────────────────────────────────────────────────────────────────────

type Fields = Record<string, unknown>;

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null;
const isIndex = (value: unknown): value is number => Number.isInteger(value) && (value as number) >= 0;
const isOptional = (value: unknown, check: (v: unknown) => boolean): boolean => value === undefined || check(value);
const isString = (value: unknown): value is string => typeof value === 'string';

export function isWebviewMessage(value: unknown): value is WebviewMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'ready':
    case 'compareWith':
      return true;
    case 'selectCell':
      return isIndex(value.layer) && isIndex(value.token);
    case 'openExample':
      return isIndex(value.rowIndex);
    case 'log':
      return (value.level === 'info' || value.level === 'warn' || value.level === 'error') && isString(value.message);
    default:
      return false;
  }
}

/** Shape check of the envelope; payloads come from our own host and are trusted beyond that. */
export function isHostMessage(value: unknown): value is HostMessage {
  if (!isObject(value)) return false;
  switch (value.type) {
    case 'result':
      return isObject(value.view) && isOptional(value.resultFile, isString);
    case 'examples':
      return isIndex(value.layer) && isIndex(value.token) && Array.isArray(value.examples);
    case 'status':
      return isString(value.message) && isOptional(value.progress, (p) => typeof p === 'number');
    case 'error':
      return isString(value.message) && isOptional(value.detail, isString);
    case 'comparison':
      return isObject(value.comparison) && Array.isArray((value.comparison as Fields).diff);
    default:
      return false;
  }
}

/** Accepts what `getState()` / a serializer hands back, dropping anything malformed. */
export function toPanelState(value: unknown): PanelState {
  const state: PanelState = { metric: 'auc' };
  if (!isObject(value)) return state;
  if (isMetricName(value.metric)) state.metric = value.metric;
  if (isString(value.resultKey)) state.resultKey = value.resultKey;
  if (isString(value.resultFile)) state.resultFile = value.resultFile;
  const cell = value.cell;
  if (isObject(cell) && isIndex(cell.layer) && isIndex(cell.token)) state.cell = { layer: cell.layer, token: cell.token };
  return state;
}
