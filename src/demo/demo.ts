// `npm run demo`: builds the demo model, tokenizer and dataset with our own code (no download), probes
// them through the CLI, and checks the heatmap shows what causal attention implies.
// First: onnxruntime's telemetry is off before anything loads it.
import '../core/onnx/telemetryOff';

import * as fs from 'node:fs';
import * as path from 'node:path';

import { main } from '../cli/main';
import { parseProbeResult } from '../contract/result';
import { createDemoAssets } from './createDemoAssets';
import { columnsBeforeExactAnswer, demoPatternViolations } from './demoPattern';

async function demo(): Promise<number> {
  const root = path.resolve(process.argv[2] ?? '.demo');
  const { modelDir, datasetFile } = await createDemoAssets(root);
  process.stdout.write(`Demo model:   ${modelDir}\nDemo dataset: ${datasetFile}\n\n`);
  const outDir = path.join(root, 'out');
  const code = await main(['probe', datasetFile, '--model', modelDir, '--out', outDir, '--samples', '0'], __dirname);
  if (code !== 0) return code;

  const resultFile = path.join(outDir, 'result.json');
  const result = parseProbeResult(fs.readFileSync(resultFile, 'utf8'), resultFile);
  const before = columnsBeforeExactAnswer(result).map((t) => result.tokens[t]);
  const problems = demoPatternViolations(result);
  process.stdout.write(
    `\nDemo check (correctness depends only on the exact-answer tokens; causal attention):\n` +
      `  chance (0.5 ± 0.1) before the answer at: ${before.join(', ')}\n` +
      `  ≥ 0.9 at exact_answer_last and exact_answer_after_last, ≥ 0.75 at -1, in every layer\n`,
  );
  if (problems.length > 0) {
    process.stdout.write(`  FAILED:\n${problems.map((p) => `    ${p}\n`).join('')}`);
    return 1;
  }
  process.stdout.write(`  passed. Open ${path.join(outDir, 'heatmap.html')} in a browser to explore it.\n`);
  return 0;
}

demo().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  },
);
