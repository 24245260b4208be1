// Memory of the rewrite path on a model whose weights are embedded in model.onnx (the generated 12 × 768
// decoder of bigModel.ts, 621 MiB): one bigChild.ts `ours` measurement, RSS after graph read + rewrite
// before any session, and the child's peak; beside it, in the same run, the reference: onnxruntime alone
// opening the same model.onnx from its path (its own file loading, all outputs, lm_head included).
//   node --import tsx --import ./src/core/onnx/telemetryOff.ts bench/extract/embeddedRss.ts

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { writeBigModel } from './bigModel';

const big = writeBigModel();
try {
  const size = fs.statSync(path.join(big.dir, 'model.onnx')).size;
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', '--import', './src/core/onnx/telemetryOff.ts', path.join('bench', 'extract', 'bigChild.ts'), big.dir, 'ours', '4', '32', '64', '1'],
    { encoding: 'utf8' },
  );
  // onnxruntime alone: session from the file path, then its peak RSS (MiB).
  const reference = execFileSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--import',
      './src/core/onnx/telemetryOff.ts',
      '-e',
      `const ort = require('onnxruntime-node');
       const t = performance.now();
       ort.InferenceSession.create(${JSON.stringify(path.join(big.dir, 'model.onnx'))}, { executionProviders: ['cpu'], graphOptimizationLevel: 'all', logSeverityLevel: 3 }).then(() => {
         const status = require('fs').readFileSync('/proc/self/status', 'utf8').split(String.fromCharCode(10));
         const kb = (k) => parseInt(status.find((l) => l.startsWith(k + ':')).slice(k.length + 1).trim(), 10);
         console.log(JSON.stringify({ mode: 'onnxruntime alone, from the file path', sessionCreate: (performance.now() - t) / 1000, rssMb: Math.round(kb('VmRSS') / 1024), hwmMb: Math.round(kb('VmHWM') / 1024) }));
       });`,
    ],
    { encoding: 'utf8' },
  );
  console.log(`model.onnx ${Math.round(size / 2 ** 20)} MiB (weights embedded)`);
  console.log(out.trim());
  console.log(reference.trim());
} finally {
  fs.rmSync(big.dir, { recursive: true, force: true });
}
