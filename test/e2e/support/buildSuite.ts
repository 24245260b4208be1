// Compiles the extension-host suite (test/e2e/extensionHost/*.ts) to CommonJS in out/e2e/extensionHost,
// one bundle per file. `vscode` is the extension host's; `mocha` stays external so the runner and
// the test files share one Mocha (its describe/it are bound when Mocha loads each file).
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as esbuild from 'esbuild';

import { REPO_ROOT, SUITE_OUT_DIR } from './paths';

export async function buildSuite(): Promise<string> {
  const sourceDir = path.join(REPO_ROOT, 'test', 'e2e', 'extensionHost');
  const entryPoints = fs
    .readdirSync(sourceDir)
    .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
    .map((f) => path.join(sourceDir, f));
  fs.rmSync(SUITE_OUT_DIR, { recursive: true, force: true });
  await esbuild.build({
    entryPoints,
    outdir: SUITE_OUT_DIR,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return path.join(SUITE_OUT_DIR, 'index.js');
}
