// The in-memory rewrite that cuts the logits to the last position: which method each graph gets, that
// the user's bytes are untouched, and that the sliced logits are the original's last position.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { describe, it } from 'node:test';

import { sliceLogitsToLastPosition } from '../../../../src/core/generate/decode/lastPositionLogits';
import { buildFeeds, feedSpecOf } from '../../../../src/core/model/feeds';
import { createOrtSession, openOriginalSession } from '../../../../src/core/model/ortSession';
import { tensorToFloat32 } from '../../../../src/core/model/tensorData';
import { parseModel } from '../../../../src/core/onnx/graph';
import { OnnxDataType, OnnxModelBuilder } from '../../../../src/core/onnx/writer';
import { fixtureModel } from '../../../helpers/fixtures';
import { tempModelFolder } from '../../model/tempModel';
import { generateDecoder, VOCAB } from '../../onnx/generatedDecoder';
import { logitsEpsilon, testPrompts, ULPS } from './pathsAgree';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function checkSliced(dir: string, vocab: number, method: string, exact: boolean): Promise<number> {
  const original = await openOriginalSession(dir);
  try {
    const before = sha(original.graph.bytes);
    const rewrite = sliceLogitsToLastPosition(original.graph);
    assert.ok(rewrite, 'a rewrite');
    assert.equal(rewrite.method, method);
    assert.equal(sha(original.graph.bytes), before, 'the original bytes are not modified');
    const graph = parseModel(rewrite.bytes, 'sliced');
    assert.equal(graph.nodes.length, original.graph.nodes.length + 2);
    const logits = graph.outputs.find((o) => o.name === 'logits');
    assert.ok(logits && logits.dims === undefined, 'logits declared by name only');
    assert.deepEqual(graph.outputs.map((o) => o.name), original.graph.outputs.map((o) => o.name));
    const sliced = await createOrtSession(rewrite.bytes, path.dirname(original.folder.modelFile), 'sliced');
    try {
      // Equal-length rows (the cached path's batches) end at the last column.
      const rows = testPrompts(vocab, 7, [6, 6, 6]);
      const { feeds } = buildFeeds(feedSpecOf(original.graph), rows, undefined);
      const full = (await original.session.run(feeds, ['logits'])).logits;
      const last = (await sliced.session.run(feeds, ['logits'])).logits;
      assert.deepEqual(last.dims, [3, 1, full.dims[2]]);
      const a = tensorToFloat32(full, 'full');
      const b = tensorToFloat32(last, 'last');
      const v = full.dims[2];
      let maxDiff = 0;
      let scale = 0;
      for (let r = 0; r < 3; r++) {
        for (let j = 0; j < v; j++) {
          const x = a[(r * 6 + 5) * v + j];
          maxDiff = Math.max(maxDiff, Math.abs(x - b[r * v + j]));
          scale = Math.max(scale, Math.abs(x));
        }
      }
      if (exact) assert.equal(maxDiff, 0, 'a Gather after the logits copies them');
      else assert.ok(maxDiff <= ULPS * logitsEpsilon(original) * scale, `max |Δ| ${maxDiff}`);
      return maxDiff;
    } finally {
      await sliced.session.release();
    }
  } finally {
    await original.session.release();
  }
}

describe('sliceLogitsToLastPosition', () => {
  for (const [name, vocab] of [
    ['tiny-random-llama-gqa-fp32', 32000],
    ['tiny-random-llama-fp16', 32000],
    ['tiny-qwen-gqa-fp16-notokenizer', 1000],
    ['tiny-random-gpt2-fused', 1000],
    ['toy-facts-llama', 32000],
    ['tiny-llama-unfused-extdata', 32000],
  ] as const) {
    it(`${name}: gathers the lm_head input; the last position's logits match the full graph's`, async (t) => {
      const diff = await checkSliced(fixtureModel(name), vocab, 'lm_head-input', false);
      t.diagnostic(`max |Δ| against the full logits' last position: ${diff}`);
    });
  }

  it('a merged decoder (lm_head inside If branches): gathers the If output, bit-identical', async (t) => {
    const dir = tempModelFolder(t, { 'model.onnx': generateDecoder({ layers: 2, blocks: 'sequential', merged: 'same-names' }).bytes, 'config.json': { vocab_size: VOCAB } });
    await checkSliced(dir, VOCAB, 'logits-output', true);
  });

  it('leaves alone graphs whose logits another node reads, or with no such output', () => {
    const m = new OnnxModelBuilder();
    m.addInput('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
    m.addFloatInitializer('embed', [8, 4], new Float32Array(32));
    m.addFloatInitializer('head', [4, 8], new Float32Array(32));
    m.addNode({ opType: 'Gather', inputs: ['embed', 'input_ids'], outputs: ['h'] });
    m.addNode({ opType: 'MatMul', inputs: ['h', 'head'], outputs: ['logits'] });
    m.addNode({ opType: 'Softmax', inputs: ['logits'], outputs: ['probs'] });
    m.addOutput('logits', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', 8]);
    m.addOutput('probs', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', 8]);
    const graph = parseModel(m.toBytes(), 'reads-logits');
    assert.equal(sliceLogitsToLastPosition(graph), undefined);
    assert.equal(sliceLogitsToLastPosition(graph, 'not-an-output'), undefined);
    assert.equal(sliceLogitsToLastPosition(graph, 'probs')?.method, 'logits-output');
  });
});
