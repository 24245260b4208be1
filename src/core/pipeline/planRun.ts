// What a rerun would cost before it starts: how many of the rows it would probe are already in the
// activation cache for each location. Read-only — no cache folder is created or cleaned, the model is
// not loaded, nothing is tokenized: the rows come from the same seeded selection a run makes, and the
// cached ones from the cache manifests (a chunk that later fails its checks is recomputed by the run).

import * as fs from 'node:fs';
import * as path from 'node:path';

import type { ColumnMapping } from '../../contract/columns';
import type { RunOptions } from '../../contract/runOptions';
import type { RunPlan } from '../../contract/workerProtocol';
import { cacheFolderName, cacheKeyFor, modelIdentity } from '../cache/cacheKey';
import { readManifest } from '../cache/manifest';
import { resolveColumnMapping } from '../dataset/columns';
import { contentHash, readTable } from '../dataset/readTable';
import { toRows } from '../dataset/rows';
import { selectRows } from './selectRows';

export interface PlanRequest {
  datasetFile: string;
  options: RunOptions;
  cacheDir?: string;
  /** The columns of the run being redone (a plan never asks). */
  columns: ColumnMapping;
}

export async function planRun(request: PlanRequest): Promise<RunPlan> {
  const { options } = request;
  const table = await readTable(request.datasetFile, { maxMB: options.maxDatasetMB, encoding: options.encoding });
  const mapping = resolveColumnMapping(request.datasetFile, table.columns, request.columns);
  const { rows } = toRows(table, mapping);
  const selection = selectRows(table.records.length, rows, options);
  const wanted = selection.all.map((r) => r.rowIndex);
  const locations = [options.location];
  if (!options.activationCache || !request.cacheDir) {
    return { rows: wanted.length, uncached: Object.fromEntries(locations.map((l) => [l, wanted.length])), cache: 'off' };
  }
  const datasetHash = await contentHash(request.datasetFile);
  const model = modelIdentity(options.modelFolder);
  const uncached: RunPlan['uncached'] = {};
  for (const location of locations) {
    const key = cacheKeyFor({ options, location, datasetHash, columns: mapping, model });
    const dir = path.join(request.cacheDir, cacheFolderName(key));
    const { manifest } = fs.existsSync(dir) ? readManifest(dir, key) : {};
    const cached = new Set(manifest?.chunks.flatMap((c) => c.rows) ?? []);
    uncached[location] = wanted.filter((r) => !cached.has(r)).length;
  }
  return { rows: wanted.length, uncached, cache: 'on' };
}
