// One benchmark variant in its own process, for its own peak RSS (process.resourceUsage().maxRSS):
//   node --import tsx bench/generate/variant.ts <modelDir> <variant> <prompts> <lengths,comma,separated> <newTokens> <repeats>
// Variants:
//   cached                 generateGreedy on an openOriginalSession session (defaults: KV cache, sliceLogits
//                          'auto', which keeps the caller's session for these small prefills)
//   cached-sliced-copy     the same with sliceLogits: true (a second, sliced session beside the caller's)
//   cached-greedy-session  generateGreedy on an openGreedySession session (one session, logits sliced)
//   cached-scores          generateGreedyWithScores (+ the softmax over the vocabulary per token)
//   no-cache               kvCache: 'off' (today's path: the whole sequence again at every step)
//   bare-decode            newTokens KV-cache decode steps of all rows at once, cache of the mean final
//                          length, no JS work at all: onnxruntime's floor per generated token
//   bare-prefill           one forward pass of the graph over the final sequences (prompt + new tokens)
// Session opening is not timed (each variant opens what it needs before the clock starts), except the
// sliced copy of cached-sliced-copy, which generateGreedy itself opens. Prints one JSON line.

import { Tensor } from 'onnxruntime-node';

import { generateGreedy, generateGreedyWithScores, type GreedyOptions, openGreedySession } from '../../src/core/generate/greedy';
import { buildFeeds, feedSpecOf } from '../../src/core/model/feeds';
import { openOriginalSession, type OriginalSession } from '../../src/core/model/ortSession';
import { BENCH_SHAPE, benchPrompts } from './benchModel';

const [modelDir, variant, countArg, lengthsArg, newArg, repeatsArg] = process.argv.slice(2);
const count = Number(countArg);
const lengths = lengthsArg.split(',').map(Number);
const newTokens = Number(newArg);
const repeats = Number(repeatsArg);

const GENERATE: Record<string, { kvCache: 'on' | 'off'; sliceLogits?: boolean; scores?: boolean; greedySession?: boolean }> = {
  cached: { kvCache: 'on' },
  'cached-sliced-copy': { kvCache: 'on', sliceLogits: true },
  'cached-greedy-session': { kvCache: 'on', greedySession: true },
  'cached-scores': { kvCache: 'on', scores: true },
  'no-cache': { kvCache: 'off' },
};

async function main(): Promise<void> {
  const generate = GENERATE[variant];
  const session: OriginalSession = generate?.greedySession ? await openGreedySession(modelDir) : await openOriginalSession(modelDir);
  const prompts = benchPrompts(count, lengths, BENCH_SHAPE.vocab);
  const base: GreedyOptions = { maxNewTokens: newTokens, stopIds: [], batchSize: 16 };
  const times: number[] = [];
  let tokens = 0;
  let detail = '';
  for (let rep = 0; rep < repeats; rep++) {
    const started = performance.now();
    if (generate) {
      const options: GreedyOptions = { ...base, kvCache: generate.kvCache, sliceLogits: generate.sliceLogits };
      const ids = generate.scores ? (await generateGreedyWithScores(session, prompts, options)).ids : await generateGreedy(session, prompts, options);
      tokens = ids.flat().length;
      times.push((performance.now() - started) / 1000);
      if (rep === 0) {
        const d = (await generateGreedyWithScores(session, prompts.slice(0, 1), { ...options, maxNewTokens: 1 })).decoding;
        detail = `${d.path}, logits slice ${d.logitsSlice ?? '-'}`;
      }
      continue;
    }
    if (variant === 'bare-prefill') {
      const rows = prompts.map((p) => [...p, ...Array.from({ length: newTokens }, (_, k) => 3 + ((p.length * 31 + k * 17) % 30000))]);
      const { feeds } = buildFeeds(feedSpecOf(session.graph), rows, undefined);
      await session.session.run(feeds, ['logits']);
      tokens = rows.flat().length;
      detail = `${rows.length} rows right-padded, one pass, logits of every position fetched`;
    } else if (variant === 'bare-decode') {
      const rows = prompts.length;
      const past = Math.round(lengths.reduce((a, b) => a + b, 0) / lengths.length + newTokens / 2);
      const feeds: Record<string, Tensor> = {
        input_ids: new Tensor('int64', new BigInt64Array(rows).fill(5n), [rows, 1]),
        attention_mask: new Tensor('int64', new BigInt64Array(rows * (past + 1)).fill(1n), [rows, past + 1]),
        position_ids: new Tensor('int64', new BigInt64Array(rows).fill(BigInt(past)), [rows, 1]),
      };
      const { heads, headDim } = BENCH_SHAPE;
      for (let i = 0; i < BENCH_SHAPE.layers; i++) {
        for (const kv of ['key', 'value']) {
          feeds[`past_key_values.${i}.${kv}`] = new Tensor('float32', new Float32Array(rows * heads * past * headDim).fill(0.01), [rows, heads, past, headDim]);
        }
      }
      const fetches = session.graph.outputs.map((o) => o.name);
      for (let k = 0; k < newTokens; k++) await session.session.run(feeds, fetches);
      tokens = rows * newTokens;
      detail = `${newTokens} steps × ${rows} rows in one batch, cache of ${past}, every output fetched`;
    } else throw new Error(`unknown variant ${variant}`);
    times.push((performance.now() - started) / 1000);
  }
  await session.session.release();
  const sorted = [...times].sort((a, b) => a - b);
  const out = { variant, tokens, best: sorted[0], median: sorted[Math.floor(sorted.length / 2)], times, maxRssMiB: process.resourceUsage().maxRSS / 1024, detail };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
