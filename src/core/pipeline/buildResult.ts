import * as path from 'node:path';

import type { ColumnMapping } from '../../contract/columns';
import { type ProbeResult, RESULT_SCHEMA_VERSION } from '../../contract/result';
import type { RunOptions } from '../../contract/runOptions';
import { TOKEN_POSITIONS } from '../../contract/types';
import type { Table } from '../dataset/readTable';
import { LOGISTIC_DEFAULTS } from '../probe/logistic';
import { SEQUENCE_RULE } from '../tokenize/sequence';
import type { Activations } from './activationStage';
import { exampleTexts } from './exampleTexts';
import type { PreparedRows } from './prepareRows';
import type { RowSelection } from './selectRows';
import type { ProbeGrid } from './trainProbes';
import { onnxruntimeVersion, TOOL_VERSION } from './versions';

export interface ResultParts {
  datasetFile: string;
  /** The run's options, `location` set to this result's location. */
  options: RunOptions;
  table: Table;
  contentHash: string;
  mapping: ColumnMapping;
  dropped: { reason: string; count: number }[];
  selection: RowSelection;
  rows: PreparedRows;
  activations: Activations;
  grid: ProbeGrid;
}

/** The result file's content for one location's probe grid. */
export function buildResult(p: ResultParts): ProbeResult {
  const { rows, activations: acts, grid } = p;
  const { train, test, ordered, sequences, pieces } = rows;
  return {
    schemaVersion: RESULT_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    tool: { name: 'layer-probe', version: TOOL_VERSION, onnxruntime: onnxruntimeVersion() },
    dataset: {
      file: p.datasetFile,
      format: p.table.format,
      contentHash: p.contentHash,
      columns: p.mapping,
      rowsRead: p.table.records.length,
      rowsUsed: ordered.length,
      dropped: p.dropped,
    },
    model: {
      dir: p.options.modelFolder,
      name: path.basename(path.resolve(p.options.modelFolder)),
      numLayers: acts.numLayers,
      hiddenSize: acts.hiddenSize,
      location: p.options.location,
      provider: acts.provider,
      providersTried: acts.providersTried,
      forwardPassRows: acts.forwardPassRows,
      blockKind: acts.blockKind,
      sequenceRule: SEQUENCE_RULE,
    },
    settings: {
      options: p.options,
      sampleLimit: p.selection.sampleLimit,
      splitSource: p.selection.splitSource,
      probe: { solver: grid.solver, C: LOGISTIC_DEFAULTS.C, tol: LOGISTIC_DEFAULTS.tol, maxNewtonIterations: LOGISTIC_DEFAULTS.maxIter },
    },
    layers: Array.from({ length: acts.numLayers }, (_, i) => i),
    tokens: [...TOKEN_POSITIONS],
    nTrain: train.length,
    nTest: test.length,
    metrics: grid.metrics,
    aucInterval: grid.aucInterval,
    iterations: grid.iterations,
    converged: grid.converged,
    test: {
      rowIndex: test.map((r) => r.rowIndex),
      line: test.map((r) => r.line),
      label: test.map((r) => r.correct),
      pieces,
      qLength: sequences.slice(train.length).map((s) => s.qLength),
      positions: sequences.slice(train.length).map((s) => s.positions),
      scores: grid.scores,
      ...exampleTexts(p.table, p.mapping, test),
    },
  };
}
