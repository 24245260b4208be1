// The live heatmap's feed: probes come coarse to fine in layers, and each reported cell carries exactly
// the values the finished result holds for it.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { METRIC_NAMES, TOKEN_POSITIONS } from '../../../src/contract/types';
import type { ProbedCell } from '../../../src/contract/workerProtocol';
import { coarseToFineLayers } from '../../../src/core/pipeline/cellOrder';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from './plantedDataset';

test('layers are ordered every fourth first, then every second, then the rest; each exactly once', () => {
  assert.deepEqual(coarseToFineLayers(12), [0, 4, 8, 2, 6, 10, 1, 3, 5, 7, 9, 11]);
  assert.deepEqual(coarseToFineLayers(4), [0, 2, 1, 3]);
  assert.deepEqual(coarseToFineLayers(1), [0]);
  assert.deepEqual(coarseToFineLayers(0), []);
  for (const n of [5, 7, 13, 32, 33, 80]) {
    const order = coarseToFineLayers(n);
    assert.deepEqual([...order].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), `${n} layers`);
    assert.deepEqual(order.slice(0, Math.ceil(n / 4)), Array.from({ length: Math.ceil(n / 4) }, (_, i) => 4 * i));
  }
});

test('every cell reported during the run holds the final value of that cell, in coarse-to-fine order', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-live-'));
  const datasetFile = plantedDataset(dir);
  const cells: ProbedCell[] = [];
  const result = await runProbe({ datasetFile, options: runOptions({ modelFolder: fixtureModel('tiny-llama-unfused-extdata'), sampleLimit: 0 }) }, { onCell: (c) => cells.push(c) });

  const total = result.model.numLayers * TOKEN_POSITIONS.length;
  assert.equal(cells.length, total);
  assert.deepEqual(cells.map((c) => c.done), Array.from({ length: total }, (_, i) => i + 1));
  assert.ok(cells.every((c) => c.total === total && c.numLayers === 4 && c.location === result.model.location));
  // Layer order 0, 2, 1, 3 on this 4-layer model, all 15 tokens of a layer before the next.
  const expectedOrder = coarseToFineLayers(4).flatMap((layer) => TOKEN_POSITIONS.map((_, token) => `${layer}:${token}`));
  assert.deepEqual(cells.map((c) => `${c.layer}:${c.token}`), expectedOrder);
  for (const cell of cells) {
    for (const m of METRIC_NAMES) assert.equal(cell.metrics[m], result.metrics[m][cell.layer][cell.token], `${m} at layer ${cell.layer}, token ${cell.token}`);
    assert.deepEqual(cell.aucInterval, result.aucInterval[cell.layer][cell.token]);
  }
  fs.rmSync(dir, { recursive: true, force: true });
});
