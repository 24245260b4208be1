// Before any work: is this file the model's labelled answers (probe it) or a raw benchmark of questions
// and gold answers (generate the answers first)? Read once, with the same column and kind detection the
// probing and generating steps use, so the answer here is what they would do.

import type { RunOptions } from '../../contract/runOptions';
import type { DatasetInspection } from '../../contract/workerProtocol';
import { detectColumns } from '../dataset/columns';
import { readTable } from '../dataset/readTable';
import { loadModelTokenizer } from '../tokenize/modelTokenizer';
import { detectDatasetKind } from './kinds';

export async function inspectDataset(datasetFile: string, options: RunOptions): Promise<DatasetInspection> {
  const table = await readTable(datasetFile, { maxMB: options.maxDatasetMB, encoding: options.encoding });
  const detection = detectColumns(table.columns);
  const answered = detection.refusal === undefined && detection.missing.length === 0;
  const modelKind = loadModelTokenizer(options.modelFolder, { kind: options.modelKind === 'auto' ? undefined : options.modelKind }).kind;
  const base = { file: datasetFile, rows: table.records.length, columns: table.columns, answered, modelKind };
  if (answered) return base;
  const kind = options.datasetKind !== 'auto' ? { kind: options.datasetKind, reason: 'given' } : detectDatasetKind(table.columns, table.records);
  return kind ? { ...base, kind: kind.kind, kindReason: kind.reason } : base;
}
