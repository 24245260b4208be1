import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import * as ort from 'onnxruntime-node';

import { demoModelConfig } from '../../../src/demo/createDemoAssets';
import { buildDemoModel } from '../../../src/demo/demoModel';
import { decoderFeeds, listNodes, maxAbsDiff } from './onnxTestUtils';

const config = demoModelConfig();
const built = buildDemoModel(config, { exposeActivations: true });
const sessionPromise = ort.InferenceSession.create(built.bytes);
const V = config.vocabSize;

/** Deterministic token ids in [0, V), all ordinary tokens. */
const tokens = (n: number, salt: number): number[] => Array.from({ length: n }, (_, i) => (i * 37 + salt * 101 + 11) % (V - 2));

/** logits[b, t, :] of a [B, S, V] tensor. */
const logitsAt = (t: ort.Tensor, b: number, pos: number): Float32Array => {
  const [, S] = t.dims;
  const data = t.data as Float32Array;
  return data.subarray((b * S + pos) * V, (b * S + pos + 1) * V);
};

describe('demo model', () => {
  it('loads in onnxruntime and returns finite, non-constant logits of shape [batch, seq, vocab]', async () => {
    const session = await sessionPromise;
    assert.deepEqual(session.inputNames, ['input_ids', 'attention_mask', 'position_ids']);
    assert.equal(session.outputNames[0], 'logits');
    const out = await session.run(decoderFeeds([tokens(9, 1), tokens(9, 2)], config.eosTokenId), ['logits']);
    assert.deepEqual(out.logits.dims, [2, 9, V]);
    const data = out.logits.data as Float32Array;
    assert.ok(data.every(Number.isFinite));
    assert.ok(maxAbsDiff(logitsAt(out.logits, 0, 8), logitsAt(out.logits, 1, 8)) > 1e-3, 'different inputs, different logits');
  });

  it('is causal: logits at position t do not change when later tokens change', async () => {
    const session = await sessionPromise;
    const a = tokens(14, 3);
    const b = [...a.slice(0, 6), ...tokens(8, 4)];
    const out = await session.run(decoderFeeds([a, b], config.eosTokenId), ['logits']);
    for (let t = 0; t < 6; t++) assert.equal(maxAbsDiff(logitsAt(out.logits, 0, t), logitsAt(out.logits, 1, t)), 0, `position ${t}`);
    assert.ok(maxAbsDiff(logitsAt(out.logits, 0, 6), logitsAt(out.logits, 1, 6)) > 1e-3, 'position 6 sees the change');
  });

  it('is exact under right padding: a padded row matches the same row alone on its real positions', async () => {
    const session = await sessionPromise;
    const long = tokens(16, 5);
    const short = tokens(7, 6);
    const batched = await session.run(decoderFeeds([long, short], config.eosTokenId), ['logits']);
    const alone = await session.run(decoderFeeds([short], config.eosTokenId), ['logits']);
    assert.deepEqual(alone.logits.dims, [1, 7, V]);
    for (let t = 0; t < short.length; t++) {
      const diff = maxAbsDiff(logitsAt(batched.logits, 1, t), logitsAt(alone.logits, 0, t));
      assert.ok(diff < 1e-4, `position ${t}: max |Δ| ${diff}`);
    }
  });

  it('has export-style residual Adds: /model/layers.N/Add(resid_pre, attn_out), Add_1(resid_mid, mlp_out)', () => {
    const nodes = new Map(listNodes(built.bytes).map((n) => [n.name, n]));
    let residual = nodes.get('/model/Add')!.outputs[0]; // token + position embeddings
    built.layers.forEach((layer, i) => {
      const attnAdd = nodes.get(`/model/layers.${i}/Add`);
      const mlpAdd = nodes.get(`/model/layers.${i}/Add_1`);
      assert.deepEqual(attnAdd?.inputs, [residual, layer.attnOut]);
      assert.equal(nodes.get(`/model/layers.${i}/self_attn/o_proj/MatMul`)?.outputs[0], layer.attnOut);
      assert.deepEqual(mlpAdd?.inputs, [layer.residMid, layer.mlpOut]);
      assert.equal(nodes.get(`/model/layers.${i}/mlp/down_proj/MatMul`)?.outputs[0], layer.mlpOut);
      assert.equal(nodes.get(`/model/layers.${i}/post_attention_layernorm/Mul_1`)?.outputs[0], layer.mlpIn);
      residual = mlpAdd!.outputs[0];
    });
    assert.equal(nodes.get(`/model/layers.${config.numLayers}/Add`), undefined);
    assert.deepEqual(nodes.get('/lm_head/MatMul')?.outputs, ['logits']);
    const ops = new Set([...nodes.values()].map((n) => n.opType));
    for (const op of ['Gather', 'Pow', 'ReduceMean', 'Sqrt', 'Div', 'Trilu', 'Softmax', 'Sigmoid', 'MatMul']) assert.ok(ops.has(op), op);
  });

  it('exposes block tensors that satisfy the residual identities exactly', async () => {
    const session = await sessionPromise;
    const out = await session.run(decoderFeeds([tokens(10, 7), tokens(5, 8)], config.eosTokenId));
    for (const layer of built.layers) {
      const sum = (a: string, b: string): Float32Array => {
        const x = out[a].data as Float32Array;
        const y = out[b].data as Float32Array;
        return Float32Array.from(x, (v, i) => v + y[i]);
      };
      assert.deepEqual(out[layer.residPre].dims, [2, 10, config.hiddenSize]);
      assert.equal(maxAbsDiff(sum(layer.residPre, layer.attnOut), out[layer.residMid].data as Float32Array), 0);
      assert.equal(maxAbsDiff(sum(layer.residMid, layer.mlpOut), out[layer.residPost].data as Float32Array), 0);
    }
  });

  it('is deterministic in its seed', () => {
    const again = buildDemoModel(config).bytes;
    assert.deepEqual(again, buildDemoModel(config).bytes);
    assert.notDeepEqual(again, buildDemoModel({ ...config, seed: config.seed + 1 }).bytes);
  });
});
