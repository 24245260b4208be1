// Greedy decoding with the graph's KV cache against the no-cache path, on real onnxruntime: every fixture
// with cache inputs, generated with-past and merged decoders, and the trained toy-facts-llama rebuilt with
// cache I/O from its own weights. Same tokens (rows that stop early included), chosen-token logits and
// log-probabilities within a few output ulps, probabilities equal to the softmax of the full logit row.

import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';

import { DEFAULT_PROMPT_FORMAT } from '../../../src/contract/runOptions';
import { generateGreedy, generateGreedyWithScores, GenerationError, type GreedyResult, openGreedySession } from '../../../src/core/generate/greedy';
import { buildFeeds, feedSpecOf } from '../../../src/core/model/feeds';
import { openOriginalSession, type OriginalSession } from '../../../src/core/model/ortSession';
import { tensorToFloat32 } from '../../../src/core/model/tensorData';
import { OnnxDataType, OnnxModelBuilder } from '../../../src/core/onnx/writer';
import { loadModelTokenizer } from '../../../src/core/tokenize/modelTokenizer';
import { promptTokens } from '../../../src/core/tokenize/sequence';
import { fixtureDataset, fixtureModel } from '../../helpers/fixtures';
import { tempModelFolder } from '../model/tempModel';
import { type DecoderSpec, generateDecoder, VOCAB } from '../onnx/generatedDecoder';
import { assertAgree, checkPathsAgree, logitsEpsilon, testPrompts, ULPS } from './decode/pathsAgree';
import { toyFactsWithCache } from './decode/toyFactsWithCache';

const MAX_NEW = 10;

async function withSession<T>(dir: string, body: (original: OriginalSession) => Promise<T>): Promise<T> {
  const original = await openOriginalSession(dir);
  try {
    return await body(original);
  } finally {
    await original.session.release();
  }
}

function report(t: TestContext, what: string, r: Awaited<ReturnType<typeof checkPathsAgree>>): void {
  const parts = Object.entries(r.agreements).map(
    ([name, a]) => `${name}: ${a.agreeing}/${a.tokens} tokens, max |Δlogit| ${a.maxLogitDiff.toExponential(2)} (tol ${a.tolerance.toExponential(2)}), max |Δlogprob| ${a.maxLogprobDiff.toExponential(2)}`,
  );
  t.diagnostic(`${what}: stop id ${r.stopId} ends ${r.stoppedEarly} rows early, ${r.ranFull} run to ${MAX_NEW}; ${parts.join('; ')}`);
}

describe('KV-cache greedy decoding on the fixture models with cache inputs', () => {
  const fixtures = [
    { name: 'tiny-random-llama-gqa-fp32', kind: 'group-query-attention', vocab: 32000 },
    { name: 'tiny-random-llama-fp16', kind: 'with-past', vocab: 32000 },
    { name: 'tiny-qwen-gqa-fp16-notokenizer', kind: 'group-query-attention', vocab: 1000 },
    { name: 'tiny-random-gpt2-fused', kind: 'fused-gpt2', vocab: 1000 },
  ] as const;
  for (const fixture of fixtures) {
    it(`${fixture.name}: the cached path gives the no-cache path's tokens, logits and log-probabilities`, async (t) => {
      await withSession(fixtureModel(fixture.name), async (original) => {
        const r = await checkPathsAgree(original, fixtureModel(fixture.name), testPrompts(fixture.vocab), MAX_NEW, fixture.name);
        report(t, fixture.name, r);
        const auto = await generateGreedyWithScores(original, testPrompts(fixture.vocab), { maxNewTokens: MAX_NEW, stopIds: [r.stopId] });
        assert.equal(auto.decoding.path, 'kv-cache', 'auto takes the cached path');
        assert.equal(auto.decoding.cacheKind, fixture.kind);
        // These prefills' logits are smaller than the weights: no second session.
        assert.equal(auto.decoding.logitsSlice, 'none');
        assert.match(auto.decoding.note ?? '', /not sliced: a sliced copy would load the weights/);
        assert.deepEqual(auto.ids, r.reference.ids);
        const sliced = await generateGreedyWithScores(original, testPrompts(fixture.vocab), { maxNewTokens: 2, stopIds: [], sliceLogits: true });
        assert.equal(sliced.decoding.logitsSlice, 'lm_head-input');
      });
    });
  }
});

describe('KV-cache greedy decoding on generated decoders', () => {
  const specs: [string, DecoderSpec, string, string][] = [
    ['with past inputs', { layers: 2, blocks: 'sequential', pastInputs: true }, 'with-past', 'lm_head-input'],
    ['with past inputs, position_ids, int32 ids', { layers: 3, blocks: 'sequential', pastInputs: true, positionIds: true, idsType: 'int32' }, 'with-past', 'lm_head-input'],
    ['with past inputs, parallel blocks, int4 MatMulNBits', { layers: 2, blocks: 'parallel-nested', pastInputs: true, positionIds: true, weights: 'int4' }, 'with-past', 'lm_head-input'],
    ['merged (If on use_cache_branch), same names', { layers: 2, blocks: 'sequential', merged: 'same-names', positionIds: true }, 'merged', 'logits-output'],
    ['merged, renamed branch outputs, fused parallel blocks', { layers: 2, blocks: 'parallel-fused', merged: 'renamed', positionIds: true, seed: 11 }, 'merged', 'logits-output'],
  ];
  for (const [what, spec, kind, slice] of specs) {
    it(`${what}: same tokens, logits within ${ULPS} ulps`, async (t) => {
      const dir = tempModelFolder(t, { 'model.onnx': generateDecoder(spec).bytes, 'config.json': { vocab_size: VOCAB, num_hidden_layers: spec.layers } });
      await withSession(dir, async (original) => {
        const r = await checkPathsAgree(original, dir, testPrompts(VOCAB, 5), MAX_NEW, what);
        report(t, what, r);
        const auto = await generateGreedyWithScores(original, testPrompts(VOCAB, 5), { maxNewTokens: MAX_NEW, stopIds: [r.stopId] });
        assert.equal(auto.decoding.path, 'kv-cache');
        assert.equal(auto.decoding.cacheKind, kind);
        const sliced = await generateGreedyWithScores(original, testPrompts(VOCAB, 5), { maxNewTokens: 2, stopIds: [], sliceLogits: true });
        assert.equal(sliced.decoding.logitsSlice, slice);
      });
    });
  }
});

describe('toy-facts-llama (trained, no cache inputs) rebuilt with KV-cache I/O from its own initializers', () => {
  const source = fixtureModel('toy-facts-llama');
  // Every question of the file for the original-vs-cached comparison (the 1,500/1,500); the rebuilt
  // graph's own no-cache path, quadratic in the answer length, on the first SUBSET only.
  const SUBSET = 64;
  let dir: string;
  let prompts: number[][];
  before(() => {
    const rebuilt = toyFactsWithCache(source);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-toy-facts-cache-'));
    fs.writeFileSync(path.join(dir, 'model.onnx'), rebuilt.bytes);
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(rebuilt.config));
    const tok = loadModelTokenizer(source);
    const lines = fs.readFileSync(fixtureDataset('toy-facts', 'facts_questions_only.jsonl'), 'utf8').trim().split('\n');
    prompts = lines.map((l) => promptTokens(tok, `Q: ${(JSON.parse(l) as { question: string }).question}\nA:`, DEFAULT_PROMPT_FORMAT));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('the original graph takes the no-cache path, the rebuilt one the cached path, with the same answers', async (t) => {
    const options = { maxNewTokens: 24, stopIds: [13], batchSize: 16 };
    const reference = await withSession(source, (original) => generateGreedyWithScores(original, prompts, options));
    assert.equal(reference.decoding.path, 'no-cache');
    assert.match(reference.decoding.note ?? '', /no KV-cache inputs/);
    const greedy = await openGreedySession(dir);
    let cached: GreedyResult;
    try {
      assert.equal(greedy.logitsSlice, 'lm_head-input');
      cached = await generateGreedyWithScores(greedy, prompts, options);
      assert.equal(cached.decoding.path, 'kv-cache');
      assert.equal(cached.decoding.logitsSlice, 'lm_head-input');
      await assert.rejects(generateGreedyWithScores(greedy, prompts, { ...options, kvCache: 'off' }), /last position only/);
    } finally {
      await greedy.session.release();
    }
    await withSession(dir, async (rebuilt) => {
      // A different graph of the same weights: its logits are the original's to float32 rounding.
      const a = assertAgree(rebuilt, reference, cached, 'rebuilt toy-facts-llama vs the original');
      const subset = prompts.slice(0, SUBSET);
      const noCache = await generateGreedyWithScores(rebuilt, subset, { ...options, kvCache: 'off' });
      const { ids, logits, logprobs, probs } = cached;
      const cachedSubset = { ...cached, ids: ids.slice(0, SUBSET), logits: logits.slice(0, SUBSET), logprobs: logprobs.slice(0, SUBSET), probs: probs.slice(0, SUBSET) };
      const b = assertAgree(rebuilt, noCache, cachedSubset, 'rebuilt toy-facts-llama, cached vs no-cache');
      const stopped = reference.ids.filter((row) => row.at(-1) === 13).length;
      t.diagnostic(
        `${prompts.length} questions, ${a.tokens} tokens, ${stopped} rows end on '\\n': original (no cache) vs rebuilt (cache) max |Δlogit| ` +
          `${a.maxLogitDiff.toExponential(2)}; rebuilt no-cache vs cache ${b.maxLogitDiff.toExponential(2)} (tol ${b.tolerance.toExponential(2)})`,
      );
    });
  });
});

describe('scores: the probability is the softmax of the whole logit row', () => {
  /** The logits at the last position of one unpadded row, by a plain forward pass. */
  async function lastRow(original: OriginalSession, ids: number[]): Promise<Float32Array> {
    const { feeds } = buildFeeds(feedSpecOf(original.graph), [ids], undefined);
    const out = await original.session.run(feeds, ['logits']);
    const tensor = out.logits;
    const vocab = tensor.dims[2];
    const all = tensorToFloat32(tensor, 'logits');
    return all.slice((ids.length - 1) * vocab, ids.length * vocab);
  }

  for (const name of ['tiny-random-llama-gqa-fp32', 'tiny-random-llama-fp16']) {
    it(`${name}: both paths' probabilities and log-probabilities match a direct softmax`, async () => {
      await withSession(fixtureModel(name), async (original) => {
        const prompts = testPrompts(32000, 9, [4, 6, 4]);
        const options = { maxNewTokens: 5, stopIds: [], batchSize: 1 };
        const plain = await generateGreedyWithScores(original, prompts, { ...options, kvCache: 'off' });
        const cached = await generateGreedyWithScores(original, prompts, { ...options, kvCache: 'on' });
        const eps = logitsEpsilon(original);
        for (const [i, prompt] of prompts.entries()) {
          for (let k = 0; k < plain.ids[i].length; k++) {
            const row = await lastRow(original, [...prompt, ...plain.ids[i].slice(0, k)]);
            const id = plain.ids[i][k];
            let max = -Infinity;
            let best = -1;
            row.forEach((x, v) => {
              if (x > max) [max, best] = [x, v];
            });
            assert.equal(best, id, 'the chosen token is the argmax of the row');
            let sum = 0;
            for (const x of row) sum += Math.exp(x - row[id]);
            const prob = 1 / sum;
            // The unpadded no-cache pass sees exactly this row: only float64 summation order differs.
            assert.equal(plain.logits[i][k], row[id]);
            assert.ok(Math.abs(plain.probs[i][k] - prob) <= 1e-12 * prob, `prob ${plain.probs[i][k]} vs ${prob}`);
            assert.ok(Math.abs(plain.logprobs[i][k] - Math.log(prob)) <= 1e-12);
            // The cached path's row differs by rounding: within the logit tolerance, twice for log p.
            const tol = ULPS * eps * Math.max(...row.map(Math.abs));
            assert.ok(Math.abs(cached.logits[i][k] - row[id]) <= tol);
            assert.ok(Math.abs(cached.logprobs[i][k] - Math.log(prob)) <= 2 * tol);
          }
        }
      });
    });
  }
});

describe('choosing the path', () => {
  it('graphs without cache inputs: auto decodes without a cache, exactly as kvCache off; on is refused', async () => {
    await withSession(fixtureModel('toy-facts-llama'), async (original) => {
      const prompts = testPrompts(32000, 4, [5, 3, 5]);
      const options = { maxNewTokens: 4, stopIds: [13] };
      const auto = await generateGreedyWithScores(original, prompts, options);
      const off = await generateGreedyWithScores(original, prompts, { ...options, kvCache: 'off' });
      assert.equal(auto.decoding.path, 'no-cache');
      assert.deepEqual(auto, { ...off, decoding: auto.decoding });
      assert.deepEqual(await generateGreedy(original, prompts, options), off.ids);
      await assert.rejects(generateGreedyWithScores(original, prompts, { ...options, kvCache: 'on' }), (err: Error) => {
        assert.ok(err instanceof GenerationError);
        assert.match(err.message, /no KV-cache inputs/);
        return true;
      });
    });
  });

  it('openGreedySession opens graphs without a cache as exported', async () => {
    const greedy = await openGreedySession(fixtureModel('toy-facts-llama'));
    try {
      assert.equal(greedy.logitsSlice, 'none');
      assert.equal(greedy.sliceNote, undefined);
      const prompts = testPrompts(32000, 4, [5, 3, 5]);
      const r = await generateGreedyWithScores(greedy, prompts, { maxNewTokens: 3, stopIds: [] });
      assert.equal(r.decoding.path, 'no-cache');
      await withSession(fixtureModel('toy-facts-llama'), async (original) => {
        assert.deepEqual(r.ids, await generateGreedy(original, prompts, { maxNewTokens: 3, stopIds: [] }));
      });
    } finally {
      await greedy.session.release();
    }
  });

  it('a fixed-size recurrent state is not a KV cache (not-a-transformer): on is refused with the reason', async () => {
    await withSession(fixtureModel('not-a-transformer'), async (original) => {
      await assert.rejects(generateGreedyWithScores(original, [[1, 2]], { maxNewTokens: 2, stopIds: [], kvCache: 'on' }), /not-a-transformer[\\/]decoder\.onnx: cannot decode with a KV cache: .*past_conv\.0.*not a key\/value cache/);
    });
  });

  it('generateGreedy takes the cached path on cache graphs and returns its ids', async () => {
    await withSession(fixtureModel('tiny-random-llama-gqa-fp32'), async (original) => {
      const prompts = testPrompts(32000);
      const options = { maxNewTokens: 6, stopIds: [] };
      const cached = await generateGreedyWithScores(original, prompts, { ...options, kvCache: 'on' });
      assert.deepEqual(await generateGreedy(original, prompts, options), cached.ids);
    });
  });

  it('limits, progress, and a first token that is a stop id', async () => {
    await withSession(fixtureModel('tiny-random-llama-gqa-fp32'), async (original) => {
      const prompts = testPrompts(32000);
      const zero = await generateGreedyWithScores(original, prompts, { maxNewTokens: 0, stopIds: [], kvCache: 'on' });
      assert.deepEqual(zero.ids, prompts.map(() => []));
      const one = await generateGreedyWithScores(original, prompts, { maxNewTokens: 1, stopIds: [], kvCache: 'on' });
      const stop = one.ids[0][0];
      const progress: number[] = [];
      const r = await generateGreedyWithScores(original, prompts, {
        maxNewTokens: 4,
        stopIds: [stop],
        batchSize: 2,
        kvCache: 'on',
        onProgress: (done, total) => {
          assert.equal(total, prompts.length);
          progress.push(done);
        },
      });
      assert.deepEqual(r.ids[0], [stop]);
      assert.equal(progress.at(-1), prompts.length);
      assert.deepEqual(progress, [...progress].sort((a, b) => a - b));
      await assert.rejects(generateGreedyWithScores(original, prompts, { maxNewTokens: 2, stopIds: [], kvCache: 'on', batchSize: 0 }), GenerationError);
    });
  });

  it('auto falls back to the no-cache path when a graph does not feed its cache back as expected', async (t) => {
    // present.0.key is the past itself (it never grows): the cached path notices at the first step.
    const m = new OnnxModelBuilder();
    m.addInput('input_ids', OnnxDataType.INT64, ['batch_size', 'sequence_length']);
    m.addInput('past_key_values.0.key', OnnxDataType.FLOAT, ['batch_size', 'past_sequence_length', 4]);
    m.addFloatInitializer('embed', [8, 4], Array.from({ length: 32 }, (_, i) => Math.sin(i)));
    m.addFloatInitializer('head', [4, 8], Array.from({ length: 32 }, (_, i) => Math.cos(3 * i)));
    m.addNode({ opType: 'Gather', inputs: ['embed', 'input_ids'], outputs: ['h'] });
    m.addNode({ opType: 'MatMul', inputs: ['h', 'head'], outputs: ['logits'] });
    m.addNode({ opType: 'Identity', inputs: ['past_key_values.0.key'], outputs: ['present.0.key'] });
    m.addOutput('logits', OnnxDataType.FLOAT, ['batch_size', 'sequence_length', 8]);
    m.addOutput('present.0.key', OnnxDataType.FLOAT, ['batch_size', 'past_sequence_length', 4]);
    const dir = tempModelFolder(t, { 'model.onnx': m.toBytes(), 'config.json': { vocab_size: 8 } });
    await withSession(dir, async (original) => {
      const prompts = [[1, 2, 3], [4, 5, 6]];
      const options = { maxNewTokens: 3, stopIds: [] };
      await assert.rejects(generateGreedyWithScores(original, prompts, { ...options, kvCache: 'on' }), /cache output 'present\.0\.key' has shape/);
      const auto = await generateGreedyWithScores(original, prompts, options);
      assert.equal(auto.decoding.path, 'no-cache');
      assert.match(auto.decoding.note ?? '', /KV-cache path failed on the first batch/);
      assert.deepEqual(auto.ids, (await generateGreedyWithScores(original, prompts, { ...options, kvCache: 'off' })).ids);
    });
  });
});
