import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { promptFormatOf, runOptions } from '../../../src/contract/runOptions';
import { runProbe } from '../../../src/core/pipeline/runProbe';
import { fixtureModel } from '../../helpers/fixtures';
import { plantedDataset } from './plantedDataset';

const TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% endfor %}{% if add_generation_prompt %}{{ ' Answer:' }}{% endif %}";

/**
 * toy-facts-llama as an "instruct" model: its files linked, a chat template of its own added. (Its weights
 * are embedded: onnxruntime refuses external data reached through a symlink that leaves the folder.)
 */
function instructModel(): string {
  const src = fixtureModel('toy-facts-llama');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-instruct-'));
  for (const f of ['model.onnx', 'config.json', 'tokenizer.json', 'special_tokens_map.json']) {
    fs.symlinkSync(path.join(src, f), path.join(dir, f));
  }
  const config = JSON.parse(fs.readFileSync(path.join(src, 'tokenizer_config.json'), 'utf8'));
  fs.writeFileSync(path.join(dir, 'tokenizer_config.json'), JSON.stringify({ ...config, chat_template: TEMPLATE }));
  return dir;
}

test('instruct models probe chat-templated prompts; the choice and add_generation_prompt are recorded', async () => {
  const modelDir = instructModel();
  const datasetFile = plantedDataset(fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-instruct-data-')), 60);
  const options = runOptions({ modelFolder: modelDir, location: 'resid_post', sampleLimit: 0 });
  const logs: string[] = [];
  const plain = await runProbe({ datasetFile, options: { ...options, chatTemplate: 'none' } });
  const templated = await runProbe({ datasetFile, options }, { log: (l) => logs.push(l) });
  const withHeader = await runProbe({ datasetFile, options: { ...options, addGenerationPrompt: true } });

  assert.deepEqual(promptFormatOf(templated.settings.options), { chatTemplate: 'auto', addGenerationPrompt: false });
  assert.deepEqual(promptFormatOf(withHeader.settings.options), { chatTemplate: 'auto', addGenerationPrompt: true });
  assert.ok(logs.some((l) => /instruct model .*prompts in its chat template, add_generation_prompt false/.test(l)), logs.join('\n'));
  const prompt = (r: typeof plain, i: number): string => r.test.pieces[i].slice(0, r.test.qLength[i]).join('');
  // Same rows in the same order (same split), three different prompt encodings.
  assert.deepEqual(templated.test.rowIndex, plain.test.rowIndex);
  assert.match(prompt(plain, 0), /^<s> Q: Which city did traveller \d+ visit\?\nA:$/);
  assert.match(prompt(templated, 0), /^<s> \[INST\] Q: Which city did traveller \d+ visit\?\nA: \[\/INST\]$/);
  assert.match(prompt(withHeader, 0), /\[\/INST\] Answer:$/);
  // last_q is the final prompt token: "]" of [/INST] as in the reference's Mistral-Instruct runs.
  const lastQ = templated.test.positions[0][0];
  assert.equal(templated.test.pieces[0][lastQ], ']');
});
