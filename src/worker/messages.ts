import type { ColumnDetection } from '../core/dataset/columns';
import type { RunInput, RunStage } from '../core/pipeline/runProbe';
import type { ProbeResult } from '../core/result/types';
import type { ColumnMapping } from '../core/types';

/** Extension host → probing worker. */
export type ToWorker =
  | { type: 'run'; input: RunInput }
  | { type: 'columns'; mapping: Partial<ColumnMapping> | undefined };

/** Probing worker → extension host. */
export type FromWorker =
  | { type: 'progress'; stage: RunStage; done: number; total: number; message: string }
  | { type: 'log'; line: string }
  | { type: 'askColumns'; detection: ColumnDetection; columns: string[] }
  | { type: 'result'; result: ProbeResult }
  | { type: 'error'; message: string; kind: string };
