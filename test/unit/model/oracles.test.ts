// The numerical oracles of the fixtures (../shared/fixtures/README.md) on the real graphs:
// the rewrite leaves logits bit-identical, the exposed tensors obey the residual identities, and the
// final norm of the last residual times the lm_head weight gives the logits back.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { test } from 'node:test';

import type { InferenceSession } from 'onnxruntime-node';

import type { ProbeLocation } from '../../../src/contract/locations';
import { ActivationSession } from '../../../src/core/model/activationSession';
import { buildFeeds, feedSpecOf } from '../../../src/core/model/feeds';
import { resolveModelFolder } from '../../../src/core/model/modelFolder';
import { createOrtSession, openOriginalSession } from '../../../src/core/model/ortSession';
import { tensorToFloat32 } from '../../../src/core/model/tensorData';
import { type OnnxGraph, parseModel, readInitializerFloat32 } from '../../../src/core/onnx/graph';
import { float32ToHalfBits, halfBitsToFloat32 } from '../../../src/core/onnx/half';
import { findLayers, type LayerMap } from '../../../src/core/onnx/layers';
import { rewriteForActivations } from '../../../src/core/onnx/rewrite';
import { fixtureModel } from '../../helpers/fixtures';

interface FixtureOracle {
  model: string;
  fp16: boolean;
  /** Final norm of the last residual stream: RMSNorm (LLaMA) or LayerNorm (GPT-2, the qwen stub). */
  norm: 'rms' | 'layer';
  normWeight: string;
  normBias?: string;
  epsilon: (graph: OnnxGraph, map: LayerMap, dir: string) => number;
  lmHead: string;
  /** Largest |norm·W − logits| relative to the largest |logit| of the row (measured ≤ 6e-7 fp32, ≤ 8e-4 fp16). */
  logitsTolerance: number;
  /** Learned absolute positions added to the token embeddings before layer 0 (GPT-2's wpe). */
  positionTable?: string;
}

const fusedNormEpsilon = (graph: OnnxGraph, map: LayerMap): number => graph.nodes[map.reemit[0].node].attributes.epsilon as number;

const FIXTURES: FixtureOracle[] = [
  {
    model: 'tiny-random-llama-fp16',
    fp16: true,
    norm: 'rms',
    normWeight: 'model.layers.2.final_norm_layernorm.weight',
    epsilon: fusedNormEpsilon,
    lmHead: 'lm_head.MatMul.weight',
    logitsTolerance: 5e-3,
  },
  {
    model: 'tiny-random-llama-gqa-fp32',
    fp16: false,
    norm: 'rms',
    normWeight: 'model.layers.2.final_norm_layernorm.weight',
    epsilon: fusedNormEpsilon,
    lmHead: 'lm_head.MatMul.weight',
    logitsTolerance: 3e-6,
  },
  {
    model: 'tiny-llama-unfused-extdata',
    fp16: false,
    norm: 'rms',
    normWeight: 'model.norm.weight',
    epsilon: (graph, _map, dir) => readInitializerFloat32(graph, 'const_eps', dir)[0],
    lmHead: 'lm_head.weight_T',
    logitsTolerance: 3e-6,
  },
  {
    model: 'toy-facts-llama',
    fp16: false,
    norm: 'rms',
    normWeight: 'model.norm.weight',
    epsilon: (graph, _map, dir) => readInitializerFloat32(graph, '/model/norm/Constant_1_output_0', dir)[0],
    // Tied embeddings: the export stores the embedding transposed for the MatMul (checked in graph.test.ts).
    lmHead: 'onnx::MatMul_1510',
    logitsTolerance: 3e-6,
  },
  {
    model: 'tiny-random-gpt2-fused',
    fp16: false,
    norm: 'layer',
    // This random test export shares one set of LayerNorm weights across all its norms.
    normWeight: 'transformer.h.0.ln_1.weight',
    normBias: 'transformer.h.0.ln_1.bias',
    epsilon: fusedNormEpsilon,
    lmHead: 'onnx::MatMul_1400',
    logitsTolerance: 3e-6,
    positionTable: 'transformer.wpe.weight',
  },
  {
    model: 'tiny-qwen-gqa-fp16-notokenizer',
    fp16: true,
    norm: 'layer',
    normWeight: 'norm.w',
    normBias: 'norm.b',
    epsilon: fusedNormEpsilon,
    lmHead: 'lm_head.w',
    logitsTolerance: 5e-3,
  },
];

/** Three prompts of different lengths (ids valid for every fixture, whose smallest vocabulary is 1000). */
const BATCH = [
  [1, 450, 7483, 310, 3444, 338],
  [1, 13, 29901],
  [1, 894, 29901, 1724, 338, 278, 7483, 310],
].map((row) => row.map((id) => id % 1000));

interface Run {
  graph: OnnxGraph;
  map: LayerMap;
  dir: string;
  /** Fetched tensor → float32 [batch, seqLen, …]. */
  values: Map<string, Float32Array>;
  seqLen: number;
  originalLogits: Float32Array;
}

const runs = new Map<string, Promise<Run>>();

/** Runs the original graph and a rewrite exposing every layer tensor, on the same padded batch. */
function runFixture(model: string): Promise<Run> {
  let run = runs.get(model);
  if (!run) {
    run = (async () => {
      const dir = fixtureModel(model);
      const folder = resolveModelFolder(dir);
      const graph = parseModel(fs.readFileSync(folder.modelFile), folder.modelFile);
      const map = findLayers(graph, { expectedLayers: folder.numLayers });
      const tensors = map.layers.flatMap((l) => [l.residPre, l.attnOut!, l.residMid!, l.mlpIn!, l.mlpOut!, l.residPost]);
      const rewritten = await createOrtSession(rewriteForActivations(graph, map, { tensors, keepLogits: true }), dir, model);
      const original = await openOriginalSession(dir);
      const { feeds, seqLen } = buildFeeds(feedSpecOf(graph), BATCH, map.embedding?.vocabSize);
      const fetch = async (session: InferenceSession, names: string[]) => {
        const out = await session.run(feeds, names);
        return new Map(names.map((n) => [n, tensorToFloat32(out[n], n)]));
      };
      const values = await fetch(rewritten.session, [...new Set([...tensors, 'logits'])]);
      const originalLogits = (await fetch(original.session, ['logits'])).get('logits')!;
      await rewritten.session.release();
      await original.session.release();
      return { graph, map, dir, values, seqLen, originalLogits };
    })();
    runs.set(model, run);
  }
  return run;
}

/** Calls `visit(offset)` for the first element of every real (unpadded) position of [batch, seqLen, width]. */
function forRealPositions(seqLen: number, width: number, visit: (offset: number, row: number) => void): void {
  BATCH.forEach((row, r) => {
    for (let p = 0; p < row.length; p++) visit((r * seqLen + p) * width, r);
  });
}

const roundToHalf = (x: number): number => halfBitsToFloat32(Uint16Array.of(float32ToHalfBits(x)))[0];

for (const fx of FIXTURES) {
  test(`${fx.model}: the rewrite leaves logits bit-identical`, async () => {
    const { values, originalLogits, seqLen } = await runFixture(fx.model);
    const logits = values.get('logits')!;
    assert.equal(logits.length, originalLogits.length);
    const vocab = logits.length / (BATCH.length * seqLen);
    forRealPositions(seqLen, vocab, (offset) => {
      for (let v = 0; v < vocab; v++) {
        if (!Object.is(logits[offset + v], originalLogits[offset + v])) {
          assert.fail(`logit ${offset + v}: ${logits[offset + v]} (rewritten) ≠ ${originalLogits[offset + v]} (original)`);
        }
      }
    });
  });

  test(`${fx.model}: resid_pre + attn_out = resid_mid and resid_mid + mlp_out = resid_post`, async () => {
    const { values, map, graph, dir, seqLen } = await runFixture(fx.model);
    // fp16 graphs add in float32 and store the rounded half; fp32 graphs add in float32.
    const round = fx.fp16 ? roundToHalf : Math.fround;
    let checked = 0;
    for (const [i, layer] of map.layers.entries()) {
      const steps: [string, string, string | undefined, string][] = [
        [layer.residPre, layer.attnOut!, layer.attnOutBias, layer.residMid!],
        [layer.residMid!, layer.mlpOut!, layer.mlpOutBias, layer.residPost],
      ];
      for (const [residual, branch, biasName, sumName] of steps) {
        const r = values.get(residual)!;
        const b = values.get(branch)!;
        const s = values.get(sumName)!;
        const bias = biasName === undefined ? undefined : readInitializerFloat32(graph, biasName, dir);
        const d = r.length / (BATCH.length * seqLen);
        forRealPositions(seqLen, d, (offset) => {
          for (let k = 0; k < d; k++) {
            let expected = Math.fround(r[offset + k] + b[offset + k]);
            if (bias) expected = Math.fround(expected + bias[k]);
            expected = round(expected);
            if (expected !== s[offset + k]) {
              assert.fail(`layer ${i}, ${sumName}[${offset + k}] = ${s[offset + k]}, expected ${residual} + ${branch} = ${expected}`);
            }
            checked++;
          }
        });
      }
    }
    assert.ok(checked > 0);
  });

  test(`${fx.model}: final norm(last resid_post) × lm_head weight reproduces the logits`, async () => {
    const { values, map, graph, dir, seqLen } = await runFixture(fx.model);
    const last = values.get(map.layers[map.numLayers - 1].residPost)!;
    const logits = values.get('logits')!;
    const gamma = readInitializerFloat32(graph, fx.normWeight, dir);
    const beta = fx.normBias ? readInitializerFloat32(graph, fx.normBias, dir) : undefined;
    const eps = fx.epsilon(graph, map, dir);
    const w = readInitializerFloat32(graph, fx.lmHead, dir);
    const d = gamma.length;
    const vocab = w.length / d;
    assert.equal(logits.length, BATCH.length * seqLen * vocab);
    let worst = 0;
    forRealPositions(seqLen, d, (offset, row) => {
      const x = last.subarray(offset, offset + d);
      const mean = fx.norm === 'layer' ? x.reduce((a, v) => a + v, 0) / d : 0;
      const meanSquare = x.reduce((a, v) => a + (v - mean) ** 2, 0) / d;
      const scale = 1 / Math.sqrt(meanSquare + eps);
      const normed = Array.from(x, (v, k) => (v - mean) * scale * gamma[k] + (beta ? beta[k] : 0));
      const position = offset / d;
      const logitRow = logits.subarray(position * vocab, (position + 1) * vocab);
      let maxLogit = 0;
      let maxDiff = 0;
      for (let v = 0; v < vocab; v++) {
        let dot = 0;
        for (let k = 0; k < d; k++) dot += normed[k] * w[k * vocab + v];
        maxLogit = Math.max(maxLogit, Math.abs(logitRow[v]));
        maxDiff = Math.max(maxDiff, Math.abs(dot - logitRow[v]));
      }
      assert.ok(maxLogit > 0, `row ${row}: logits are all zero`);
      worst = Math.max(worst, maxDiff / maxLogit);
    });
    assert.ok(worst <= fx.logitsTolerance, `relative error ${worst} > ${fx.logitsTolerance}`);
  });
}

/** The residual-stream locations and the branches between them, as the pipeline fetches them. */
const STREAM: ProbeLocation[] = ['resid_pre', 'resid_mid', 'attn_out', 'mlp_out', 'resid_post'];

for (const fx of FIXTURES) {
  test(`${fx.model}: through ActivationSession, resid_pre → attn_out → resid_mid → mlp_out → resid_post add up exactly`, async (t) => {
    const { graph, map, dir } = await runFixture(fx.model);
    const session = await ActivationSession.open(dir, { locations: STREAM });
    try {
      const { activations: act, seqLen } = await session.run(BATCH);
      const d = session.hiddenSize;
      const round = fx.fp16 ? roundToHalf : Math.fround;
      for (const location of STREAM) assert.equal(act[location]!.length, map.numLayers, location);

      // 1. resid_pre + attn_out (+ bias) = resid_mid and resid_mid + mlp_out (+ bias) = resid_post, in the
      // graph's float32 additions (fp16 graphs store the rounded half).
      const identities: [ProbeLocation, ProbeLocation, 'attnOutBias' | 'mlpOutBias', ProbeLocation][] = [
        ['resid_pre', 'attn_out', 'attnOutBias', 'resid_mid'],
        ['resid_mid', 'mlp_out', 'mlpOutBias', 'resid_post'],
      ];
      for (const [from, branch, biasField, to] of identities) {
        let worst = 0;
        let checked = 0;
        let withBias = false;
        for (const [l, layer] of map.layers.entries()) {
          const [r, b, s] = [act[from]![l], act[branch]![l], act[to]![l]];
          assert.ok(b.some((v) => Math.abs(v) > 1e-4), `layer ${l}: ${branch} is not all zero`);
          const biasName = layer[biasField];
          const bias = biasName === undefined ? undefined : readInitializerFloat32(graph, biasName, dir);
          withBias ||= bias !== undefined;
          forRealPositions(seqLen, d, (offset) => {
            for (let k = offset; k < offset + d; k++) {
              let expected = Math.fround(r[k] + b[k]);
              if (bias) expected = Math.fround(expected + bias[k - offset]);
              worst = Math.max(worst, Math.abs(round(expected) - s[k]));
              checked++;
            }
          });
        }
        t.diagnostic(`${from} + ${branch}${withBias ? ' + fused bias' : ''} vs ${to}: max |difference| ${worst} over ${checked} values`);
        assert.ok(checked > 0);
        assert.equal(worst, 0, `${from} + ${branch} ≠ ${to}`);
      }

      // 2. resid_pre of layer l + 1 is resid_post of layer l: the same tensor, fetched once, but an array
      // of its own for each location.
      for (let l = 0; l + 1 < map.numLayers; l++) {
        assert.equal(map.layers[l + 1].residPre, map.layers[l].residPost);
        assert.deepEqual(act.resid_pre![l + 1], act.resid_post![l], `layer ${l}`);
        assert.notStrictEqual(act.resid_pre![l + 1], act.resid_post![l]);
      }

      // 3. resid_pre of layer 0 is the embedding rows of the input ids (plus the position rows in GPT-2).
      assert.ok(map.embedding, 'every fixture has a plain embedding table');
      const table = readInitializerFloat32(graph, map.embedding.weight, dir);
      const positions = fx.positionTable ? readInitializerFloat32(graph, fx.positionTable, dir) : undefined;
      let worst = 0;
      BATCH.forEach((row, r) => {
        row.forEach((id, p) => {
          const at = (r * seqLen + p) * d;
          for (let k = 0; k < d; k++) {
            const expected = positions ? Math.fround(table[id * d + k] + positions[p * d + k]) : table[id * d + k];
            worst = Math.max(worst, Math.abs(round(expected) - act.resid_pre![0][at + k]));
          }
        });
      });
      t.diagnostic(`resid_pre[0] vs ${map.embedding.weight}[ids]${positions ? ` + ${fx.positionTable}[positions]` : ''}: max |difference| ${worst}`);
      assert.equal(worst, 0);

      // 4. The session's tensors are those of the plain rewrite above (which fetched each name once).
      const { values } = await runFixture(fx.model);
      for (const [l, layer] of map.layers.entries()) {
        assert.deepEqual(act.resid_pre![l], values.get(layer.residPre));
        assert.deepEqual(act.resid_mid![l], values.get(layer.residMid!));
      }
    } finally {
      await session.close();
    }
  });
}

test('the rewrite exposes each tensor once when locations share it (resid_pre of l + 1 = resid_post of l)', async () => {
  for (const fx of FIXTURES) {
    const { graph, map } = await runFixture(fx.model);
    const tensors = map.layers.flatMap((l) => [l.residPre, l.residMid!, l.attnOut!, l.mlpOut!, l.residPost, l.mlpIn!]);
    const unique = [...new Set(tensors)];
    assert.ok(unique.length < tensors.length, `${fx.model}: some locations share a tensor`);
    const outputs = parseModel(rewriteForActivations(graph, map, { tensors, keepLogits: false }), 'rewritten').outputs.map((o) => o.name);
    const requested = outputs.slice(0, unique.length);
    assert.deepEqual(requested, unique, `${fx.model}: requested tensors first, each once, in request order`);
    assert.equal(new Set(outputs).size, outputs.length, `${fx.model}: no output name twice`);
  }
});
