// Which of a run's rows one shard of `layer-probe extract --shard i/n` extracts. Round robin over the
// positions of the rows a probe run would run through the model (train then test, seeded sample and
// split applied, too-long rows dropped): shard i takes positions p with p % n == i. Round robin rather
// than contiguous blocks, so every shard gets a similar mix of lengths (the sample is in random order
// anyway) and the shards finish at about the same time.

import { LayerProbeError } from '../../contract/errors';

export class ShardError extends LayerProbeError {
  override name = 'ShardError';
}

export interface Shard {
  /** 0-based: the first shard is 0/n, the last (n-1)/n. */
  index: number;
  count: number;
}

/** "i/n" → Shard; anything else (not integers, i ≥ n, n < 1) is an error saying what is accepted. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const accepted = 'i/n with integers 0 ≤ i < n (i is 0-based: shards 0/2 and 1/2 make a whole)';
  if (!match) throw new ShardError(`--shard must be ${accepted}, got "${text}"`);
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1) {
    throw new ShardError(`--shard must be ${accepted}; "${text}" has n = ${match[2]}`);
  }
  if (index >= count) {
    throw new ShardError(`--shard must be ${accepted}; "${text}" has i = ${index}, but the last of ${count} shards is ${count - 1}/${count}`);
  }
  return { index, count };
}

/** The positions (into the run's ordered rows) that `shard` extracts. */
export function shardPositions(total: number, shard: Shard): number[] {
  const positions: number[] = [];
  for (let p = shard.index; p < total; p += shard.count) positions.push(p);
  return positions;
}
