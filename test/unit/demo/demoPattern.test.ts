import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { createDemoAssets } from '../../../src/demo/createDemoAssets';
import { columnsBeforeExactAnswer, demoPatternViolations } from '../../../src/demo/demoPattern';

// Built once: both tests probe the same deterministic demo model and dataset.
const assets = createDemoAssets(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-demo-')));

test('the demo heatmap shows what causal attention implies', async () => {
  const { modelDir, datasetFile } = await assets;
  const result = await runProbe({
    datasetFile,
    options: runOptions({ modelFolder: modelDir, sampleLimit: 0 }),
  });
  // The fixed lead-in puts first/second answer before the exact answer, with the prompt's positions.
  const before: string[] = columnsBeforeExactAnswer(result).map((t) => result.tokens[t]);
  for (const name of ['last_q', 'first_answer', 'second_answer', 'exact_answer_before_first']) {
    assert.ok(before.includes(name), `${name} must lie before the exact answer (got ${before.join(', ')})`);
  }
  assert.deepEqual(demoPatternViolations(result), []);
});

test('resid_post shows the same pattern, and the check catches an off-by-one shift', async () => {
  const { modelDir, datasetFile } = await assets;
  const result = await runProbe({
    datasetFile,
    options: runOptions({ modelFolder: modelDir, location: 'resid_post', sampleLimit: 0 }),
  });
  assert.deepEqual(demoPatternViolations(result), []);
  // Pretend positions were read one token late: the exact-answer signal would show up at
  // exact_answer_before_first, and the check must say so.
  const shifted = structuredClone(result);
  const beforeFirst = shifted.tokens.indexOf('exact_answer_before_first');
  const first = shifted.tokens.indexOf('exact_answer_first');
  for (const row of shifted.metrics.auc) row[beforeFirst] = row[first];
  const problems = demoPatternViolations(shifted);
  assert.equal(problems.length, result.layers.length);
  assert.match(problems[0], /layer 0, exact_answer_before_first: AUC 1\.000 \(expected 0\.5 ± 0\.1\)/);
});
