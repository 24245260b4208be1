import type { PromptFormat } from '../tokenize/chatTemplate';
import * as path from 'node:path';
import type { ProbeResult } from '../result/types';
import type { Table } from '../dataset/readTable';
import { SEQUENCE_RULE } from '../tokenize/sequence';
import { TOKEN_POSITIONS, type ColumnMapping, type ProbeLocation, type RunSettings } from '../types';
import type { Activations } from './activationStage';
import type { PreparedRows } from './prepareRows';
import type { RowSelection } from './selectRows';
import type { ProbeGrid } from './trainProbes';
import { TOOL_VERSION, onnxruntimeVersion } from './versions';

export interface ResultParts {
  promptFormat: PromptFormat;
  datasetFile: string;
  modelDir: string;
  settings: RunSettings;
  location: ProbeLocation;
  table: Table;
  contentHash: string;
  mapping: ColumnMapping;
  dropped: { reason: string; count: number }[];
  selection: RowSelection;
  rows: PreparedRows;
  activations: Activations;
  grid: ProbeGrid;
  probeDefaults: { C: number; tol: number; maxIter: number };
}

/** The result file's content for one location's probe grid. */
export function buildResult(p: ResultParts): ProbeResult {
  const { rows, activations: acts, grid } = p;
  const { train, test, ordered, sequences, pieces } = rows;
  return {
    schemaVersion: 1,
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
      dir: p.modelDir,
      name: path.basename(path.resolve(p.modelDir)),
      numLayers: acts.numLayers,
      hiddenSize: acts.hiddenSize,
      location: p.location,
      provider: acts.provider,
      providersTried: acts.providersTried,
      blockKind: acts.blockKind,
      sequenceRule: SEQUENCE_RULE,
    },
    settings: {
      ...p.settings,
      location: p.location,
      splitSource: p.selection.splitSource,
      probe: { solver: grid.solver, ...p.probeDefaults },
      promptFormat: p.promptFormat,
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
    },
  };
}
