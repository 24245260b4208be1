// float16 vs float32 activation cache: how far the heatmap moves.
//   node --import tsx bench/cacheDtype/run.ts <answers.jsonl> [--model <dir>] [--samples <n>] [--seeds 0,1,2]
// Probes the same answered dataset twice per seed, once from a float32 and once from a float16 cache
// (same rows, same split), and prints per seed the cache sizes and the AUC differences over all
// layer × token cells. The answers file is the model's own: for the trained toy model,
//   node dist/cli.js generate ../shared/fixtures/datasets/toy-facts/facts_questions_only.jsonl \
//     --model ../shared/fixtures/models/toy-facts-llama --out <answers.jsonl>
// AUC moves in steps of 1/(P·N) (one test pair reordered); the table gives each difference in pairs too.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

import type { ProbeResult } from '../../src/contract/result';
import { type CacheDtype, runOptions } from '../../src/contract/runOptions';
import { TOKEN_POSITIONS } from '../../src/contract/types';
import { runProbe } from '../../src/core/pipeline/runProbe';
import { formatBytes, listCacheFolders } from '../../src/storage/cacheFolders';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: path.resolve('..', 'shared', 'fixtures', 'models', 'toy-facts-llama') },
    samples: { type: 'string', default: '0' },
    seeds: { type: 'string', default: '0' },
  },
});
const datasetFile = positionals[0];
if (!datasetFile || !fs.existsSync(datasetFile)) {
  console.error('usage: node --import tsx bench/cacheDtype/run.ts <answers.jsonl> [--model <dir>] [--samples <n>] [--seeds 0,1,2] (see the header for making answers.jsonl)');
  process.exit(2);
}
const seeds = values.seeds.split(',').map(Number);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bench-dtype-'));

async function probe(cacheDtype: CacheDtype, seed: number): Promise<{ result: ProbeResult; cacheBytes: number }> {
  const cacheDir = path.join(root, `${cacheDtype}-${seed}`);
  const options = runOptions({ modelFolder: values.model, sampleLimit: Number(values.samples), seed, baselines: false, cacheDtype });
  const result = await runProbe({ datasetFile, options, cacheDir });
  return { result, cacheBytes: listCacheFolders(cacheDir).reduce((s, f) => s + f.bytes, 0) };
}

async function main(): Promise<void> {
  const header = ['seed', 'train/test', 'f32 cache', 'f16 cache', 'best AUC f32', 'best AUC f16', 'max |ΔAUC|', 'at (layer, token)', 'in pairs', 'mean |ΔAUC|', 'cells changed'];
  const rows: string[][] = [];
  try {
    for (const seed of seeds) {
      const f32 = await probe('float32', seed);
      const f16 = await probe('float16', seed);
      const positives = f32.result.test.label.filter((y) => y === 1).length;
      const pairs = positives * (f32.result.test.label.length - positives);
      let max = 0;
      let at = '';
      let sum = 0;
      let changed = 0;
      let cells = 0;
      let best32 = 0;
      let best16 = 0;
      f32.result.metrics.auc.forEach((row, l) =>
        row.forEach((a, t) => {
          const b = f16.result.metrics.auc[l][t];
          if (a === null || b === null) return;
          const d = Math.abs(a - b);
          cells++;
          sum += d;
          if (d > 1e-12) changed++;
          if (d > max) [max, at] = [d, `${l}, ${TOKEN_POSITIONS[t]}`];
          best32 = Math.max(best32, a);
          best16 = Math.max(best16, b);
        }),
      );
      rows.push([
        String(seed),
        `${f32.result.nTrain}/${f32.result.nTest}`,
        formatBytes(f32.cacheBytes),
        formatBytes(f16.cacheBytes),
        best32.toFixed(4),
        best16.toFixed(4),
        max.toFixed(5),
        at || '—',
        String(Math.round(max * pairs)),
        (sum / cells).toFixed(6),
        `${changed}/${cells}`,
      ]);
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cols: string[]): string => `| ${cols.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(`${path.basename(values.model)} · ${path.basename(datasetFile)} · location mlp_out`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
