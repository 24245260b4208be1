// The one message protocol between the extension host and the heatmap webview.
// Every message is a discriminated union member keyed by `type`; the webview sends `ready` first
// and the host holds its messages until then. Both sides validate what they receive with the guards
// below, since a webview message is just structured-cloned data.
import type { Comparison } from './comparison';
import { EXPORT_FORMAT_INFO, type ExportFormat, isExportFormat } from './exportFormats';
import type { HeatmapView } from './heatmapView';
import { RERUN_KEYS, type RerunFields } from './rerun';
import type { ExampleView } from './result';
import { isMetricName, type MetricName, type TokenPositionName } from './types';

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

/** One finished probe of a running run, with its final AUC (the result will hold the same value). */
export interface LiveCell {
  layer: number;
  /** Column index into `tokens`. */
  token: number;
  auc: number | null;
  aucInterval: [number, number] | null;
}

/**
 * A run in progress: its stage, and the cells probed so far (all of them, so a reloaded page redraws
 * at once). Replaces whatever the panel showed; the run's `result` replaces it in turn.
 */
export interface LiveMessage {
  type: 'live';
  /** `model · dataset · location` of the run. */
  title: string;
  /** The stage's progress line, e.g. "Forward passes 120/400 rows". */
  stage: string;
  /** 0…1 over the whole run, when known. */
  progress?: number;
  tokens: TokenPositionName[];
  /** Known once the first probe finished. */
  numLayers?: number;
  cells: LiveCell[];
  cellsTotal?: number;
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

/** How an `export` ended: saved where the user chose, cancelled in the save dialog, or failed (why). */
export interface ExportedMessage {
  type: 'exported';
  format: ExportFormat;
  outcome: 'saved' | 'cancelled' | 'failed';
  /** One sentence for the panel's notice (the file saved, or what went wrong). */
  message: string;
}

/** What a rerun with the panel's fields would need (or why the fields cannot be used). */
export interface RerunPlanMessage {
  type: 'rerunPlan';
  text: string;
  /** The fields are invalid: the text says which and why, and Rerun stays disabled. */
  problem: boolean;
}

export type HostMessage = ResultMessage | ExamplesMessage | StatusMessage | LiveMessage | ErrorMessage | ComparisonMessage | ExportedMessage | RerunPlanMessage;

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

/**
 * The panel's Export…: the host asks where in VS Code's save dialog and writes the file. The webview
 * draws the figure (PNG, SVG) and sends it; the CSV, the result JSON and the standalone HTML the host
 * makes from the result it holds.
 */
export interface ExportMessage {
  type: 'export';
  format: ExportFormat;
  /** The metric shown: the figure's and the CSV's. */
  metric: MetricName;
  /** png: the image as base64; svg: the document. Absent for the formats the host makes. */
  data?: string;
}

/** The largest figure a webview may send (base64 or SVG text): far above any heatmap, far below trouble. */
export const MAX_EXPORT_DATA_LENGTH = 64 * 1024 * 1024;

/** The rerun controls changed: the host answers with a `rerunPlan`. */
export interface PlanRerunMessage {
  type: 'planRerun';
  fields: RerunFields;
}

/** Rerun the shown result with the controls' fields (a new run, in its own folder and panel). */
export interface RerunMessage {
  type: 'rerun';
  fields: RerunFields;
}

export type WebviewMessage = ReadyMessage | SelectCellMessage | OpenExampleMessage | LogMessage | CompareWithMessage | ExportMessage | PlanRerunMessage | RerunMessage;

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

function isRerunFields(value: unknown): value is RerunFields {
  return isObject(value) && Object.entries(value).every(([k, v]) => (RERUN_KEYS as readonly string[]).includes(k) && isString(v));
}

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
    case 'planRerun':
    case 'rerun':
      return isRerunFields(value.fields);
    case 'export':
      return isExportFormat(value.format) && isMetricName(value.metric) && isExportData(value.format, value.data);
    default:
      return false;
  }
}

/** PNG: non-empty base64; SVG: a document string; nothing for the formats the host makes. */
function isExportData(format: ExportFormat, data: unknown): boolean {
  if (!EXPORT_FORMAT_INFO[format].drawnByWebview) return data === undefined;
  if (!isString(data) || data.length === 0 || data.length > MAX_EXPORT_DATA_LENGTH) return false;
  return format === 'png' ? /^[A-Za-z0-9+/]+={0,2}$/.test(data) : /^\s*(?:<\?xml[^>]*\?>\s*)?<svg[\s>]/.test(data);
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
    case 'live':
      return isString(value.title) && isString(value.stage) && Array.isArray(value.tokens) && Array.isArray(value.cells);
    case 'error':
      return isString(value.message) && isOptional(value.detail, isString);
    case 'rerunPlan':
      return isString(value.text) && typeof value.problem === 'boolean';
    case 'comparison':
      return isObject(value.comparison) && Array.isArray((value.comparison as Fields).diff);
    case 'exported':
      return isExportFormat(value.format) && (value.outcome === 'saved' || value.outcome === 'cancelled' || value.outcome === 'failed') && isString(value.message);
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
