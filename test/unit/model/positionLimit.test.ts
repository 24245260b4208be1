import assert from 'node:assert/strict';
import { test } from 'node:test';

import { resolveModelFolder } from '../../../src/core/model/modelFolder';
import { modelPositionLimit } from '../../../src/core/model/positionLimit';
import { fixtureModel } from '../../helpers/fixtures';

test('the prompt-length limit comes from the config, else from the graph\'s position table', () => {
  // No max_position_embeddings in its config.json: the unfused rotary cos/sin tables have 512 rows.
  assert.deepEqual(modelPositionLimit(resolveModelFolder(fixtureModel('tiny-llama-unfused-extdata'))), { limit: 512, source: 'the position table in model.onnx' });
  // config.json says 128; its graph computes rotary positions without a table.
  assert.deepEqual(modelPositionLimit(resolveModelFolder(fixtureModel('toy-facts-llama'))), { limit: 128, source: 'config.json' });
  // genai_config.json gives context_length 2048.
  assert.equal(modelPositionLimit(resolveModelFolder(fixtureModel('tiny-random-llama-fp16'))).limit, 2048);
});
