import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { TOKEN_POSITIONS } from '../../../src/contract/types';
import { providerOrder } from '../../../src/core/model/executionProviders';
import { type RunInput, runProbe } from '../../../src/core/pipeline/runProbe';
import { sampleAndSplit } from '../../../src/core/probe/split';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from './plantedDataset';

const MODEL = fixtureModel('tiny-llama-unfused-extdata');
const OPTIONS = runOptions({ modelFolder: MODEL, sampleLimit: 0 });
const col = (name: string): number => TOKEN_POSITIONS.indexOf(name as (typeof TOKEN_POSITIONS)[number]);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-pipeline-'));
}

const sha = (file: string): string => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

test('planted signal shows exactly where causal attention allows it, on a real fixture model', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir);
  const before = sha(datasetFile);
  const input: RunInput = { datasetFile, options: OPTIONS };
  const result = await runProbe(input);

  assert.equal(result.model.numLayers, 4);
  assert.equal(result.model.hiddenSize, 64);
  assert.deepEqual(result.tokens, [...TOKEN_POSITIONS]);
  assert.equal(result.dataset.rowsRead, 241);
  assert.deepEqual(result.dataset.dropped, [{ reason: 'invalid exact answer', count: 1 }]);
  assert.equal(result.nTrain + result.nTest, 240);
  // The split is drawn over all 241 records (reference order), then the invalid record 240 is removed.
  const split = sampleAndSplit(241, { sampleLimit: 0, testFraction: 0.2, seed: 0 });
  assert.equal(split.test.length, 49);
  assert.deepEqual(result.test.rowIndex, split.test.filter((r) => r !== 240));
  assert.equal(result.dataset.contentHash, before);
  // The examples list's texts: the test rows' prompt, answer and exact answer (no gold column here).
  const records = fs.readFileSync(datasetFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
  assert.deepEqual(result.test.question, result.test.rowIndex.map((r) => records[r]!.prompt));
  assert.deepEqual(result.test.modelAnswer, result.test.rowIndex.map((r) => records[r]!.model_answer));
  assert.deepEqual(result.test.exactAnswer, result.test.rowIndex.map((r) => records[r]!.exact_answer));
  assert.equal(result.test.goldAnswer, undefined);

  // Sequence: <s> Q … \n A : ▁The ▁answer ▁is ▁WORD . \n  → the word is -3, the answer starts at q.
  const auc = result.metrics.auc;
  for (let layer = 0; layer < 4; layer++) {
    for (const name of ['last_q', 'first_answer', 'second_answer', 'exact_answer_before_first', '-8', '-7', '-6', '-5', '-4']) {
      const v = auc[layer][col(name)]!;
      assert.ok(Math.abs(v - 0.5) <= 0.2, `layer ${layer} ${name}: AUC ${v} should be near chance`);
    }
    // On the word itself the label is a function of the token: near-perfect. After it, the word reaches
    // the probe only through (random-weight) attention: high, but not perfect.
    for (const name of ['exact_answer_first', 'exact_answer_last', '-3']) {
      assert.ok(auc[layer][col(name)]! >= 0.95, `layer ${layer} ${name}: AUC ${auc[layer][col(name)]}`);
    }
    for (const name of ['exact_answer_after_last', '-2', '-1']) {
      assert.ok(auc[layer][col(name)]! >= 0.85, `layer ${layer} ${name}: AUC ${auc[layer][col(name)]}`);
    }
  }
  // The word is one token: first = last = -3, after_last = -2, and the positions are those of the ids.
  for (let i = 0; i < result.nTest; i++) {
    const p = result.test.positions[i];
    const L = result.test.pieces[i].length;
    assert.equal(p[col('exact_answer_first')], L - 3);
    assert.equal(p[col('exact_answer_last')], L - 3);
    assert.equal(p[col('exact_answer_after_last')], L - 2);
    assert.equal(p[col('first_answer')], result.test.qLength[i]);
    assert.equal(result.test.pieces[i][L - 1], '\n');
  }
  // Per-example scores line up with labels: the best cell ranks every correct row above every error.
  assert.equal(result.test.scores[2][col('exact_answer_last')].length, result.nTest);
  // Every defined cell carries its seeded bootstrap interval, which brackets the AUC itself.
  for (let layer = 0; layer < 4; layer++) {
    for (let t = 0; t < TOKEN_POSITIONS.length; t++) {
      const [lo, hi] = result.aucInterval[layer][t]!;
      const v = auc[layer][t]!;
      assert.ok(lo <= v && v <= hi && hi - lo < 0.5, `layer ${layer} ${TOKEN_POSITIONS[t]}: ${v} outside [${lo}, ${hi}]`);
    }
  }
  assert.equal(sha(datasetFile), before, 'the dataset file is never modified');
  assert.deepEqual(fs.readdirSync(dir), ['planted.jsonl'], 'nothing else is written next to the dataset');
});

test('re-running with the same seed gives identical matrices', async () => {
  const dir = tempDir();
  const datasetFile = plantedDataset(dir, 120);
  const a = await runProbe({ datasetFile, options: OPTIONS });
  const b = await runProbe({ datasetFile, options: OPTIONS });
  assert.deepEqual(a.metrics, b.metrics);
  assert.deepEqual(a.aucInterval, b.aucInterval);
  assert.deepEqual(a.test.rowIndex, b.test.rowIndex);
  const c = await runProbe({ datasetFile, options: { ...OPTIONS, seed: 3 } });
  assert.notDeepEqual(a.test.rowIndex, c.test.rowIndex);
});

test('bad inputs end with messages naming the file and the row, column or graph node', async () => {
  const dir = tempDir();
  const good = plantedDataset(dir, 40);
  const write = (name: string, text: string): string => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  const run = (datasetFile: string, modelDir = MODEL) => runProbe({ datasetFile, options: { ...OPTIONS, modelFolder: modelDir } });

  await assert.rejects(run(write('empty.jsonl', '')), /empty\.jsonl/);
  await assert.rejects(
    run(write('broken.jsonl', '{"prompt":"a","model_answer":"b","correct":1}\n{"prompt": oops}\n')),
    (err: Error) => /broken\.jsonl/.test(err.message) && /line 2/.test(err.message),
  );
  await assert.rejects(
    run(write('nocorrect.jsonl', '{"prompt":"Q","model_answer":"A"}\n')),
    (err: Error) => /nocorrect\.jsonl/.test(err.message) && /correct/.test(err.message),
  );
  const oneClass = fs
    .readFileSync(good, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.stringify({ ...JSON.parse(l), correct: 1 }))
    .join('\n');
  await assert.rejects(run(write('oneclass.jsonl', oneClass)), /oneclass\.jsonl.*both classes/);
  await assert.rejects(run(good, fixtureModel('not-a-transformer')), /not-a-transformer|decoder\.onnx/);
  await assert.rejects(run(good, fixtureModel('not-a-transformer')), /does not look like a decoder-only transformer/);
  await assert.rejects(run(good, fixtureModel('tiny-qwen-gqa-fp16-notokenizer')), /tokenizer\.json/);
});

test('auto provider falls back to CPU where no GPU provider loads, and says so in the result', async () => {
  // The order per platform is in executionProviders.test.ts; on this machine (no GPU device node) auto is cuda → cpu.
  assert.deepEqual(providerOrder('cuda'), ['cuda']);
  const datasetFile = plantedDataset(tempDir(), 60);
  const logs: string[] = [];
  const result = await runProbe(
    { datasetFile, options: { ...OPTIONS, executionProvider: 'auto' } },
    { log: (l) => logs.push(l) },
  );
  // This test machine has no CUDA libraries (onnxruntime-node's install script, which fetches them, does not run: .npmrc).
  if (process.platform === 'linux') {
    assert.equal(result.model.provider, 'cpu');
    assert.deepEqual(result.model.providersTried, ['cuda', 'cpu']);
    assert.ok(logs.some((l) => /execution provider cuda is not available here; running on cpu/.test(l)), logs.join('\n'));
    // Asking for CUDA explicitly is an error naming the model, never a silent CPU run.
    await assert.rejects(
      runProbe({ datasetFile, options: { ...OPTIONS, executionProvider: 'cuda' } }),
      /model\.onnx: onnxruntime could not load the model \(cuda:/,
    );
  }
});

test('a split column is used whole unless a sample limit is given explicitly, and the log says which', async () => {
  const dir = tempDir();
  const planted = plantedDataset(dir, 1100);
  const lines = fs.readFileSync(planted, 'utf8').trim().split('\n');
  const withSplit = path.join(dir, 'split.jsonl');
  fs.writeFileSync(withSplit, lines.map((l, i) => JSON.stringify({ ...JSON.parse(l), split: i % 5 === 0 ? 'test' : 'train' })).join('\n'));
  const logs: string[] = [];
  const whole = await runProbe({ datasetFile: withSplit, options: { ...OPTIONS, sampleLimit: null } }, { log: (l) => logs.push(l) });
  // 1,101 records, every fifth a test row; the invalid last one (record 1100, a test row) is dropped.
  // The reference's default of 1,000 sampled rows would have cut this split.
  assert.equal(whole.nTrain + whole.nTest, 1100);
  assert.equal(whole.nTest, 220);
  assert.equal(whole.settings.splitSource, 'column');
  assert.equal(whole.settings.sampleLimit, 0);
  assert.ok(logs.some((l) => /column split, the split column is used whole \(no sample limit given\)/.test(l)), logs.join('\n'));
  const limited = await runProbe({ datasetFile: withSplit, options: { ...OPTIONS, sampleLimit: 300 } });
  assert.ok(limited.nTrain + limited.nTest <= 300);
  assert.equal(limited.settings.sampleLimit, 300);
  // Without a split column the default is still the reference's 1000-row sample.
  const seeded = await runProbe({ datasetFile: planted, options: { ...OPTIONS, sampleLimit: null } });
  assert.ok(seeded.nTrain + seeded.nTest <= 1000 && seeded.nTrain + seeded.nTest >= 999);
  assert.equal(seeded.settings.sampleLimit, 1000);
});

test('prompt and question columns: the one containing the other is the prompt; unrelated ones are asked', async () => {
  const dir = tempDir();
  const planted = fs.readFileSync(plantedDataset(dir, 60), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { prompt: string });
  const nested = path.join(dir, 'nested.jsonl');
  // `question` is the bare question, `prompt` the text the model saw around it (the reference's raw_question/question).
  fs.writeFileSync(nested, planted.map((r) => JSON.stringify({ ...r, question: r.prompt.slice(3, -4) })).join('\n'));
  const logs: string[] = [];
  let asked = 0;
  const result = await runProbe(
    { datasetFile: nested, options: OPTIONS },
    { log: (l) => logs.push(l), resolveColumns: async () => (asked++, { prompt: 'question' }) },
  );
  assert.equal(asked, 0, 'no question asked');
  assert.equal(result.dataset.columns.prompt, 'prompt');
  assert.ok(logs.some((l) => l.includes('column "prompt" is the prompt: in every row it contains "question"')), logs.join('\n'));

  const unrelated = path.join(dir, 'unrelated.jsonl');
  fs.writeFileSync(unrelated, planted.map((r, i) => JSON.stringify({ ...r, question: `item ${i}` })).join('\n'));
  const chosen = await runProbe({ datasetFile: unrelated, options: OPTIONS }, { resolveColumns: async () => (asked++, { prompt: 'prompt' }) });
  assert.equal(asked, 1, 'unrelated candidates are still asked');
  assert.equal(chosen.dataset.columns.prompt, 'prompt');
});
