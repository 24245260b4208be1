// The numerical oracles of the fixtures (oracles.test.ts), on generated graphs of the layouts no fixture
// has: parallel-residual blocks in every summation form, an onnxruntime-genai style fused parallel
// layout, optimum merged decoders (If on use_cache_branch), int4 MatMulNBits weights, int32/int64 ids
// with and without position_ids, KV-cache inputs fed empty. Through ActivationSession, as the pipeline
// opens models: logits bit-identical to the original graph, exact residual identities (parallel blocks:
// resid_pre + attn_out + mlp_out = resid_post, in the graph's own order of additions), final norm ×
// lm_head = logits, and a right-padded batch equal to one prompt at a time at every location. resid_mid
// exists in sequential blocks only: parallel ones refuse it with LocationUnavailableError.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { PROBE_LOCATIONS } from '../../../src/contract/locations';
import { ActivationSession, LocationUnavailableError } from '../../../src/core/model/activationSession';
import { buildFeeds, feedSpecOf } from '../../../src/core/model/feeds';
import { createOrtSession, openOriginalSession } from '../../../src/core/model/ortSession';
import { tensorToFloat32 } from '../../../src/core/model/tensorData';
import { readInitializerFloat32 } from '../../../src/core/onnx/graph';
import { findLayers } from '../../../src/core/onnx/layers';
import { parseDecoderGraph } from '../../../src/core/onnx/mergedDecoder';
import { rewriteForActivations } from '../../../src/core/onnx/rewrite';
import { type DecoderSpec, type GeneratedDecoder, generateDecoder } from '../onnx/generatedDecoder';
import { tempModelFolder } from './tempModel';

const CASES: { title: string; spec: DecoderSpec; file?: string }[] = [
  { title: 'sequential, int64 ids with position_ids', spec: { layers: 2, blocks: 'sequential', positionIds: true } },
  { title: 'parallel (r + a) + m in three operand orders, shared norm, int32 ids', spec: { layers: 3, blocks: 'parallel-nested', idsType: 'int32' } },
  { title: 'parallel r + (a + m), separate norms (NeoX), int32 ids with position_ids', spec: { layers: 2, blocks: 'parallel-branch-sum', sharedNorm: false, idsType: 'int32', positionIds: true } },
  { title: 'parallel through SkipLayerNormalization, fused final norm (genai Phi-2)', spec: { layers: 2, blocks: 'parallel-fused' } },
  { title: 'MatMulNBits int4 weights, KV-cache inputs fed empty', spec: { layers: 2, blocks: 'sequential', weights: 'int4', pastInputs: true } },
  { title: 'optimum merged decoder, sequential', spec: { layers: 2, blocks: 'sequential', merged: 'same-names' }, file: 'decoder_model_merged.onnx' },
  { title: 'optimum merged decoder, parallel, renamed branch outputs', spec: { layers: 2, blocks: 'parallel-nested', merged: 'renamed', positionIds: true }, file: 'decoder_model_merged.onnx' },
];

const BATCH = [
  [1, 45, 38, 31, 44, 33, 29, 7],
  [1, 13, 9],
  [1, 63, 2, 24, 33],
];

const f = Math.fround;

for (const { title, spec, file } of CASES) {
  test(`generated ${title}: logits bit-identical, residual identities, final norm × lm_head, batch = one at a time`, async (t) => {
    const generated = generateDecoder(spec);
    const dir = tempModelFolder(t, { [file ?? 'model.onnx']: generated.bytes, 'config.json': { num_hidden_layers: spec.layers } });
    const sequential = spec.blocks === 'sequential';
    // Parallel blocks have no stream between attention and MLP: every location but resid_mid.
    const locations = PROBE_LOCATIONS.filter((loc) => sequential || loc !== 'resid_mid');
    if (!sequential) {
      await assert.rejects(
        ActivationSession.open(dir, { locations: ['resid_pre', 'resid_mid'] }),
        (e: Error) => e instanceof LocationUnavailableError && e.location === 'resid_mid' && e.message.includes('blocks are parallel'),
      );
    }
    const session = await ActivationSession.open(dir, { locations, keepLogits: true });
    try {
      assert.equal(session.numLayers, spec.layers);
      assert.equal(session.blockKind, spec.blocks === 'sequential' ? 'sequential' : 'parallel');
      assert.equal(session.hiddenSize, generated.hidden);
      assert.equal(session.vocabSize, generated.vocab);
      assert.deepEqual(session.inlinedIf, spec.merged ? ['optimum::if'] : []);
      const batch = await session.run(BATCH);
      const { seqLen } = batch;
      const d = generated.hidden;
      const positions: number[] = []; // offsets (in units of d) of every real position
      BATCH.forEach((row, r) => row.forEach((_, p) => positions.push(r * seqLen + p)));

      const act = batch.activations;

      // 1. The rewrite (and the inlining of a merged decoder) leaves the logits bit-identical.
      const original = await openOriginalSession(dir);
      try {
        const { feeds } = buildFeeds(feedSpecOf(original.graph), BATCH, generated.vocab);
        const reference = tensorToFloat32((await original.session.run(feeds, ['logits'])).logits, 'logits');
        for (const pos of positions) {
          for (let v = 0; v < generated.vocab; v++) {
            const i = pos * generated.vocab + v;
            if (!Object.is(batch.logits![i], reference[i])) assert.fail(`logit ${i}: ${batch.logits![i]} ≠ ${reference[i]} (original)`);
          }
        }
      } finally {
        await original.session.release();
      }

      // 2. Residual identities, exact in float32, in the order the graph adds, on the session's tensors;
      // a plain rewrite exposing the same names gives the same values.
      const { graph } = parseDecoderGraph(generated.bytes, 'generated');
      const map = findLayers(graph, { expectedLayers: spec.layers });
      const names = map.layers.flatMap((l) => [l.residPre, l.attnOut!, l.mlpOut!, l.residPost, ...(l.residMid ? [l.residMid] : [])]);
      const exposed = await createOrtSession(rewriteForActivations(graph, map, { tensors: names, keepLogits: false }), dir, 'generated');
      const values = new Map<string, Float32Array>();
      try {
        const out = await exposed.session.run(buildFeeds(feedSpecOf(graph), BATCH, generated.vocab).feeds, names);
        for (const name of names) values.set(name, tensorToFloat32(out[name], name));
      } finally {
        await exposed.session.release();
      }
      for (const [layer, l] of map.layers.entries()) {
        const order = map.steps[spec.blocks === 'sequential' ? 2 * layer : layer].parallel?.order;
        assert.equal(order === undefined, spec.blocks === 'sequential');
        const [r, a, m, post] = [act.resid_pre![layer], act.attn_out![layer], act.mlp_out![layer], act.resid_post![layer]];
        const mid = sequential ? act.resid_mid![layer] : undefined;
        assert.equal(l.residMid === undefined, !sequential);
        for (const [name, fromSession] of [[l.residPre, r], [l.attnOut!, a], [l.mlpOut!, m], [l.residPost, post], [l.residMid, mid]] as const) {
          if (name !== undefined) assert.deepEqual(fromSession, values.get(name), `layer ${layer}: ${name}`);
        }
        for (const pos of positions) {
          for (let k = pos * d; k < (pos + 1) * d; k++) {
            let expected: number;
            if (mid) {
              if (f(r[k] + a[k]) !== mid[k]) assert.fail(`layer ${layer}: resid_pre + attn_out ≠ resid_mid at ${k}`);
              expected = f(mid[k] + m[k]);
            } else if (order === 'branches-first') expected = f(r[k] + f(a[k] + m[k]));
            else if (order === 'attn-first') expected = f(f(r[k] + a[k]) + m[k]);
            else expected = f(f(r[k] + m[k]) + a[k]);
            if (expected !== post[k]) assert.fail(`layer ${layer}: resid_post[${k}] = ${post[k]}, expected ${expected} (${order ?? 'sequential'})`);
          }
        }
        // The stream entering block l + 1 is the one leaving block l (one tensor, an array per location).
        if (layer + 1 < spec.layers) {
          assert.deepEqual(act.resid_pre![layer + 1], post);
          assert.notStrictEqual(act.resid_pre![layer + 1], post);
        }
      }

      // resid_pre of layer 0: the embedding rows of the ids (plus the position rows, added in float32).
      const table = readInitializerFloat32(graph, map.embedding!.weight, dir);
      const positionTable = spec.positionIds ? readInitializerFloat32(graph, 'model.embed_positions.weight', dir) : undefined;
      BATCH.forEach((row, r) => {
        row.forEach((id, p) => {
          for (let k = 0; k < d; k++) {
            const expected = positionTable ? f(table[id * d + k] + positionTable[p * d + k]) : table[id * d + k];
            const got = act.resid_pre![0][(r * seqLen + p) * d + k];
            if (got !== expected) assert.fail(`resid_pre[0] row ${r} position ${p} [${k}] = ${got}, expected embedding ${expected}`);
          }
        });
      });

      // 3. The final norm of the last resid_post times lm_head gives the logits back.
      checkFinalNorm(generated, act.resid_post![spec.layers - 1], batch.logits!, positions);

      // 4. A right-padded batch gives each prompt's activations alone, at every location.
      for (const [row, prompt] of BATCH.entries()) {
        const single = await session.run([prompt]);
        for (const location of locations) {
          for (let layer = 0; layer < spec.layers; layer++) {
            const fromBatch = act[location]![layer].subarray(row * seqLen * d, (row * seqLen + prompt.length) * d);
            assert.deepEqual(fromBatch, single.activations[location]![layer], `${location} layer ${layer} row ${row}`);
          }
        }
      }
    } finally {
      await session.close();
    }
  });
}

function checkFinalNorm(g: GeneratedDecoder, last: Float32Array, logits: Float32Array, positions: number[]): void {
  const { gamma, beta, epsilon } = g.finalNorm;
  const d = g.hidden;
  let worst = 0;
  for (const pos of positions) {
    const x = last.subarray(pos * d, (pos + 1) * d);
    const mean = x.reduce((a, v) => a + v, 0) / d;
    const variance = x.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
    const normed = Array.from(x, (v, k) => ((v - mean) / Math.sqrt(variance + epsilon)) * gamma[k] + beta[k]);
    let maxLogit = 0;
    let maxDiff = 0;
    for (let v = 0; v < g.vocab; v++) {
      let dot = 0;
      for (let k = 0; k < d; k++) dot += normed[k] * g.lmHead[k * g.vocab + v];
      const logit = logits[pos * g.vocab + v];
      maxLogit = Math.max(maxLogit, Math.abs(logit));
      maxDiff = Math.max(maxDiff, Math.abs(dot - logit));
    }
    assert.ok(maxLogit > 0.1, 'logits are not all near zero');
    worst = Math.max(worst, maxDiff / maxLogit);
  }
  assert.ok(worst <= 1e-5, `final norm × lm_head vs logits: relative error ${worst}`);
}
