// Memory of the rewrite path on a model whose weights are embedded in model.onnx (the generated 12 × 768
// decoder of bigModel.ts, 621 MiB): one bigChild.ts `ours` measurement, RSS after graph read + rewrite
// before any session, and the child's peak.
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
  console.log(`model.onnx ${Math.round(size / 2 ** 20)} MiB (weights embedded)`);
  console.log(out.trim());
} finally {
  fs.rmSync(big.dir, { recursive: true, force: true });
}
