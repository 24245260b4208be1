// A prompt longer than the model's position table (toy-facts-llama: max_position_embeddings 128) is
// dropped, counted and named by row and line — never fed to the graph, whose position Gather would fail
// with onnxruntime's "indices element out of data bounds" — and a run where every row is too long is refused.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { TOY_MODEL, toyFactsDataset } from '../compare/toyFactsRuns';

test('rows over the model\'s 128 positions are dropped, counted and named; all of them too long is refused', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-too-long-'));
  const file = toyFactsDataset(dir, 'capitals.jsonl', /capital/i, 120, 7);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
  const padding = Array.from({ length: 150 }, (_, i) => `word${i}`).join(' ');
  // Rows 3 and 10 (lines 4 and 11) get a prompt far over 128 tokens.
  for (const row of [3, 10]) {
    const record = JSON.parse(lines[row]) as { prompt: string };
    record.prompt = `${padding}\n${record.prompt}`;
    lines[row] = JSON.stringify(record);
  }
  fs.writeFileSync(file, lines.join('\n') + '\n');
  const logged: string[] = [];
  const result = await runProbe({ datasetFile: file, options: runOptions({ modelFolder: TOY_MODEL, sampleLimit: 0, activationCache: false, baselines: false }) }, { log: (l) => logged.push(l) });
  assert.deepEqual(result.dataset.dropped, [{ reason: "sequence longer than the model's 128 positions", count: 2 }]);
  assert.equal(result.nTrain + result.nTest, 118);
  const named = logged.filter((l) => l.startsWith('dropped row'));
  assert.equal(named.length, 2);
  assert.match(named[0], /^dropped row 3 \(line 4\): \d{3} tokens, the model holds 128 positions$/);
  assert.match(named[1], /^dropped row 10 \(line 11\): /);
  assert.ok(!result.test.rowIndex.includes(3) && !result.test.rowIndex.includes(10));

  const allLong = path.join(dir, 'all-long.jsonl');
  fs.writeFileSync(allLong, lines.map((l) => JSON.stringify({ ...(JSON.parse(l) as object), prompt: `${padding}\nQ: x?\nA:` })).join('\n') + '\n');
  await assert.rejects(
    runProbe({ datasetFile: allLong, options: runOptions({ modelFolder: TOY_MODEL, sampleLimit: 0, activationCache: false, baselines: false }) }),
    { message: `${allLong}: every selected row is longer than the model's 128 positions (max_position_embeddings): nothing can be probed; shorten the prompts or use a model with a longer context` },
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
