// Shared checks for the KV-cache tests: run the no-cache and the cached path on the same prompts and
// assert that they agree (same tokens, chosen-token logits and log-probabilities within a tolerance
// derived from the output precision and the logits' scale).

import assert from 'node:assert/strict';

import { generateGreedyWithScores, type GreedyOptions, type GreedyResult, openGreedySession } from '../../../../src/core/generate/greedy';
import type { OriginalSession } from '../../../../src/core/model/ortSession';
import { ELEM_FLOAT16 } from '../../../../src/core/onnx/elemTypes';
import { mulberry32 } from '../../../../src/demo/prng';

/**
 * Prompt lengths of a test batch: several lengths, some shared by up to three prompts, so that with
 * batchSize 2 one length group is split over two batches and others are batches of one.
 */
export const PROMPT_LENGTHS = [3, 5, 2, 3, 7, 5, 3, 4, 12, 5];

/** Seeded prompts with BOS (1) and ids in [3, min(vocab, 1000)). */
export function testPrompts(vocab: number, seed = 3, lengths = PROMPT_LENGTHS): number[][] {
  const rand = mulberry32(seed);
  const top = Math.min(vocab, 1000);
  return lengths.map((n) => [1, ...Array.from({ length: n - 1 }, () => 3 + Math.floor(rand() * (top - 3)))]);
}

/**
 * A stop id that makes some rows stop early and leaves others running to maxNewTokens: among the tokens
 * the rows produce without stop ids, the one that ends the most rows early while leaving at least one row
 * without it (ties: the lowest id).
 */
export function pickStopId(ids: number[][]): number {
  const candidates = [...new Set(ids.flatMap((row) => row.slice(0, -1)))].sort((a, b) => a - b);
  let best: number | undefined;
  let bestCount = 0;
  for (const id of candidates) {
    const stopped = ids.filter((row) => row.slice(0, -1).includes(id)).length;
    const untouched = ids.filter((row) => !row.includes(id)).length;
    if (untouched > 0 && stopped > bestCount) {
      best = id;
      bestCount = stopped;
    }
  }
  assert.ok(best !== undefined, 'no token stops some rows early and not others');
  return best;
}

/** Machine epsilon of the logits' element type (the spacing of floats at 1). */
export function logitsEpsilon(original: OriginalSession): number {
  const logits = original.graph.outputs.find((o) => o.name === 'logits');
  return logits?.elemType === ELEM_FLOAT16 ? 2 ** -10 : 2 ** -23;
}

/**
 * Both paths compute the same sums in different shapes (one position against a cache, or every position
 * at once), so they differ by rounding only. Measured on every graph here: at most 2 units of the output
 * type's epsilon times the largest |logit| (fp32 and fp16 alike). The tolerance allows 16 (8× headroom,
 * for other CPUs' kernels).
 */
export const ULPS = 16;

export interface Agreement {
  tokens: number;
  agreeing: number;
  maxLogitDiff: number;
  maxLogprobDiff: number;
  tolerance: number;
  scale: number;
}

/** Asserts that `cached` gives `reference`'s tokens and, token by token, its logits and log-probabilities. */
export function assertAgree(original: OriginalSession, reference: GreedyResult, cached: GreedyResult, what: string): Agreement {
  assert.deepEqual(cached.ids, reference.ids, `${what}: tokens differ`);
  const scale = Math.max(...reference.logits.flat().map(Math.abs));
  const tolerance = ULPS * logitsEpsilon(original) * scale;
  let maxLogitDiff = 0;
  let maxLogprobDiff = 0;
  reference.ids.forEach((row, i) =>
    row.forEach((_, k) => {
      maxLogitDiff = Math.max(maxLogitDiff, Math.abs(cached.logits[i][k] - reference.logits[i][k]));
      maxLogprobDiff = Math.max(maxLogprobDiff, Math.abs(cached.logprobs[i][k] - reference.logprobs[i][k]));
      assert.ok(Math.abs(cached.probs[i][k] - Math.exp(cached.logprobs[i][k])) <= 1e-15, `${what}: prob ≠ exp(logprob)`);
    }),
  );
  assert.ok(maxLogitDiff <= tolerance, `${what}: chosen-token logits differ by ${maxLogitDiff} > ${tolerance}`);
  // log softmax is 1-Lipschitz in each of x_id and log Σ exp(x) (in the max norm): twice the logit bound.
  assert.ok(maxLogprobDiff <= 2 * tolerance, `${what}: log-probabilities differ by ${maxLogprobDiff} > ${2 * tolerance}`);
  const tokens = reference.ids.flat().length;
  return { tokens, agreeing: tokens, maxLogitDiff, maxLogprobDiff, tolerance, scale };
}

export interface PathsReport {
  stopId: number;
  stoppedEarly: number;
  ranFull: number;
  reference: GreedyResult;
  agreements: Record<string, Agreement>;
}

/**
 * The no-cache path (batched, right-padded) is the reference. The cached path must give its tokens with
 * the logits sliced in a second session, without slicing, in a session from openGreedySession (`dir`),
 * one prompt at a time and in batches of 16, on a stop id that ends some rows early (those rows leave
 * their batches; the others must not notice).
 */
export async function checkPathsAgree(
  original: OriginalSession,
  dir: string,
  prompts: number[][],
  maxNewTokens: number,
  what: string,
): Promise<PathsReport> {
  const base: GreedyOptions = { maxNewTokens, stopIds: [], batchSize: 2 };
  const free = await generateGreedyWithScores(original, prompts, { ...base, kvCache: 'off' });
  const stopId = pickStopId(free.ids);
  const options: GreedyOptions = { ...base, stopIds: [stopId] };
  const reference = await generateGreedyWithScores(original, prompts, { ...options, kvCache: 'off' });
  assert.equal(reference.decoding.path, 'no-cache');
  const stoppedEarly = reference.ids.filter((row) => row.length < maxNewTokens).length;
  const ranFull = reference.ids.filter((row) => row.length === maxNewTokens && !row.includes(stopId)).length;
  assert.ok(stoppedEarly > 0 && ranFull > 0, `${what}: the stop id should end some rows early and not others`);
  reference.ids.forEach((row) => assert.ok(row.length === maxNewTokens || row.at(-1) === stopId));

  const agreements: Record<string, Agreement> = {};
  const variants: [string, GreedyOptions, boolean][] = [
    ['sliced copy', { ...options, kvCache: 'on', sliceLogits: true }, true],
    ['unsliced', { ...options, kvCache: 'on', sliceLogits: false }, false],
    ['one at a time', { ...options, kvCache: 'on', batchSize: 1, sliceLogits: true }, true],
    ['batch of 16', { ...options, kvCache: 'on', batchSize: 16, sliceLogits: false }, false],
  ];
  for (const [name, variant, sliced] of variants) {
    const cached = await generateGreedyWithScores(original, prompts, variant);
    assert.equal(cached.decoding.path, 'kv-cache', `${what} (${name}): ${cached.decoding.note ?? ''}`);
    if (sliced) assert.notEqual(cached.decoding.logitsSlice, 'none', `${what} (${name}): ${cached.decoding.note ?? ''}`);
    else assert.equal(cached.decoding.logitsSlice, 'none');
    agreements[name] = assertAgree(original, reference, cached, `${what} (${name})`);
  }
  const greedy = await openGreedySession(dir);
  try {
    assert.notEqual(greedy.logitsSlice, 'none', `${what}: openGreedySession: ${greedy.sliceNote ?? ''}`);
    const cached = await generateGreedyWithScores(greedy, prompts, options);
    assert.equal(cached.decoding.path, 'kv-cache');
    assert.equal(cached.decoding.logitsSlice, greedy.logitsSlice);
    agreements.openGreedySession = assertAgree(original, reference, cached, `${what} (openGreedySession)`);
  } finally {
    await greedy.session.release();
  }
  return { stopId, stoppedEarly, ranFull, reference, agreements };
}
