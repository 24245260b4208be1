// Where things are, for the runners and UI tests (plain Node). Like the unit tests, they run from
// the repository root (npm scripts), with ../shared beside the checkout.
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO_ROOT = process.cwd();
export const FIXTURES = process.env.LAYER_PROBE_FIXTURES ?? path.resolve(REPO_ROOT, '..', 'shared', 'fixtures');
export const FIXTURE_MODEL = path.join(FIXTURES, 'models', 'tiny-llama-unfused-extdata');

/** Screenshots, logs and reports of the VS Code test layers (git-ignored). */
export const OUTPUT_DIR = path.join(REPO_ROOT, '.test-output', 'e2e');

/** Outside the source tree: code-server is a test tool, never a dependency of the project. */
export const CACHE_DIR = process.env.LAYER_PROBE_E2E_CACHE ?? path.join(os.homedir(), '.cache', 'layer-probe-e2e');
export const CODE_SERVER_VERSION = '4.100.3';

export function codeServerBin(): string {
  return process.env.LAYER_PROBE_CODE_SERVER ?? path.join(CACHE_DIR, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', '.bin', 'code-server');
}

export const CHROMIUM = process.env.LAYER_PROBE_CHROMIUM ?? '/usr/bin/chromium';

/** The extension-host suite compiled by buildSuite.ts (out/ is git-ignored). */
export const SUITE_OUT_DIR = path.join(REPO_ROOT, 'out', 'e2e', 'extensionHost');
