// A row's bad input_output_ids are refused naming the dataset file as well as the row and its line.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { runOptions } from '../../../src/contract/runOptions';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from './plantedDataset';

const MODEL = fixtureModel('tiny-llama-unfused-extdata');

test('a token id outside the vocabulary names the file, the row and its line', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bad-ids-'));
  const file = plantedDataset(dir, 40);
  // Every row carries ids (the column is all or nothing): its prompt's tokens and its answer's; row 5 a bad one.
  const tokenizer = loadModelTokenizer(MODEL);
  const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((line, i) => {
    const record = JSON.parse(line) as { prompt: string; model_answer: string };
    const ids = tokenizer.encode(record.prompt + record.model_answer, { addSpecialTokens: true });
    return JSON.stringify({ ...record, input_output_ids: i === 5 ? [...ids.slice(0, -1), 99_999] : ids });
  });
  fs.writeFileSync(file, lines.join('\n') + '\n');
  await assert.rejects(runProbe({ datasetFile: file, options: runOptions({ modelFolder: MODEL, sampleLimit: 0, activationCache: false, baselines: false }) }), (err: Error) => {
    assert.ok(err.message.startsWith(`${file}: row 5 (line 6): input_output_ids[`), err.message);
    assert.match(err.message, /input_output_ids\[\d+\] = 99999 is not a token id of this tokenizer \(0…31999\)$/);
    return true;
  });
  fs.rmSync(dir, { recursive: true, force: true });
});
