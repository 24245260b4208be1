// The one protocol between the extension host and the probing worker process (dist/worker.js, forked
// with an IPC channel and structured-clone serialization). The host sends `run`, answers `askColumns`
// with `columns`, and kills the process to cancel.
import type { ColumnDetection, ColumnMapping } from './columns';
import type { ProbeResult } from './result';
import type { RunOptions } from './runOptions';

/** What one probing run is asked to do; `options` were parsed through the options table. */
export interface RunRequest {
  datasetFile: string;
  options: RunOptions;
  /** Root of the activation caches (used when `options.activationCache`); absent: nothing is cached. */
  cacheDir?: string;
  /** Column roles fixed in advance (CLI `--columns`, or an earlier answer in the UI). */
  columns?: Partial<ColumnMapping>;
}

export const RUN_STAGES = ['dataset', 'tokenize', 'model', 'extract', 'probe', 'baselines'] as const;
export type RunStage = (typeof RUN_STAGES)[number];

/** Extension host → probing worker. */
export type ToWorker =
  | { type: 'run'; request: RunRequest }
  | { type: 'columns'; mapping: Partial<ColumnMapping> | undefined };

/** Probing worker → extension host. */
export type FromWorker =
  | { type: 'progress'; stage: RunStage; done: number; total: number; message: string }
  | { type: 'log'; line: string }
  | { type: 'askColumns'; detection: ColumnDetection; columns: string[] }
  | { type: 'result'; result: ProbeResult }
  /** `kind` is the error class's name (`DatasetError`, `OnnxGraphError`, …); `causes` its cause chain's messages. */
  | { type: 'error'; message: string; kind: string; causes: string[] };
