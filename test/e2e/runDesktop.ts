// Runs the extension-host integration suite in desktop VS Code through @vscode/test-electron: the
// same compiled suite runExtensionHostTests.ts runs in code-server. For machines with a display (or
// xvfb-run) and either network access to download VS Code or a local VS Code:
//   npm run test:ext:desktop                                            (downloads VS Code 1.100.3)
//   VSCODE_EXECUTABLE=/usr/share/code/code npm run test:ext:desktop     (an installed VS Code)
//   VSCODE_TEST_VERSION=stable npm run test:ext:desktop                 (another version)
// CI does not run it: no VS Code can be downloaded there.
import * as path from 'node:path';

import { runTests } from '@vscode/test-electron';

import { buildSuite } from './support/buildSuite';
import { createProfile, removeProfile } from './support/codeServer';
import { CACHE_DIR, FIXTURES, OUTPUT_DIR, REPO_ROOT } from './support/paths';

async function main(): Promise<number> {
  const extensionTestsPath = await buildSuite();
  const profile = createProfile('desktop');
  try {
    return await runTests({
      extensionDevelopmentPath: REPO_ROOT,
      extensionTestsPath,
      ...(process.env.VSCODE_EXECUTABLE
        ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE }
        : // Downloaded next to code-server, outside the source tree (the default is ./.vscode-test).
          { version: process.env.VSCODE_TEST_VERSION ?? '1.100.3', cachePath: path.join(CACHE_DIR, 'vscode-test') }),
      launchArgs: [
        profile.workspace,
        '--user-data-dir',
        profile.userDataDir,
        '--extensions-dir',
        profile.extensionsDir,
        // Only the extension under development (test-electron adds --disable-workspace-trust etc.).
        '--disable-extensions',
      ],
      extensionTestsEnv: {
        LAYER_PROBE_FIXTURES: FIXTURES,
        LAYER_PROBE_E2E_REPORT: path.join(OUTPUT_DIR, 'desktop', 'mocha.txt'),
      },
    });
  } finally {
    removeProfile(profile);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('Desktop extension-host tests failed:', error);
    process.exit(1);
  },
);
