// Runs the extension-host integration suite in a real VS Code: code-server 4.100.3 (VS Code 1.100.3)
// in Debian's chromium. The workbench URL's `payload` loads this checkout as the extension under
// development and the compiled suite as its tests; when they finish the workbench calls
// window.codeAutomationExit(code, logs), which this runner exposes to the page and turns into its
// own exit code. Usage (from the repository root, after `npm run build` and test/e2e/setup.sh):
//   node --import tsx test/e2e/runExtensionHostTests.ts
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { Browser } from 'playwright-core';

import { launchBrowser } from './support/browser';
import { buildSuite } from './support/buildSuite';
import { type CodeServer, createProfile, removeProfile, startCodeServer } from './support/codeServer';
import { FIXTURES, OUTPUT_DIR, REPO_ROOT } from './support/paths';

const TIMEOUT_MS = 5 * 60_000;
const OUT = path.join(OUTPUT_DIR, 'extension-host');

interface LogFile {
  relativePath: string;
  contents: string;
}

async function main(): Promise<number> {
  const started = Date.now();
  fs.rmSync(OUT, { recursive: true, force: true });
  fs.mkdirSync(OUT, { recursive: true });
  const suite = await buildSuite();
  const report = path.join(OUT, 'mocha.txt');
  const profile = createProfile('ext');
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startCodeServer(profile, {
      logFile: path.join(OUT, 'code-server.log'),
      env: { LAYER_PROBE_E2E_REPORT: report, LAYER_PROBE_FIXTURES: FIXTURES },
    });
    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const consoleLog = fs.createWriteStream(path.join(OUT, 'browser-console.log'));
    page.on('console', (message) => consoleLog.write(`[${message.type()}] ${message.text()}\n`));
    page.on('pageerror', (error) => consoleLog.write(`[pageerror] ${error.stack ?? error.message}\n`));
    let exited: (code: number) => void = () => undefined;
    const exit = new Promise<number>((resolve) => (exited = resolve));
    // The workbench calls it with the suite's exit code and its own log files.
    await page.exposeFunction('codeAutomationExit', (code: number, logs?: LogFile[]) => {
      for (const log of logs ?? []) {
        const file = path.join(OUT, 'workbench-logs', log.relativePath);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, log.contents);
      }
      exited(code);
    });
    const url = server.workbenchUrl(profile.workspace, [
      ['extensionDevelopmentPath', server.remoteUri(REPO_ROOT)],
      ['extensionTestsPath', server.remoteUri(suite)],
    ]);
    await page.goto(url);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), TIMEOUT_MS)));
    const code = await Promise.race([exit, timeout]);
    clearTimeout(timer);
    await page.screenshot({ path: path.join(OUT, 'workbench-at-exit.png') });
    consoleLog.end();
    const text = fs.existsSync(report) ? fs.readFileSync(report, 'utf8') : '(the suite wrote no report: it did not start)\n';
    process.stdout.write(text);
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (code === 'timeout') {
      console.error(`Extension-host tests did not finish within ${TIMEOUT_MS / 1000} s; logs in ${path.relative(REPO_ROOT, OUT)}`);
      return 1;
    }
    console.log(`Extension-host tests in code-server: exit code ${code} after ${seconds} s (logs in ${path.relative(REPO_ROOT, OUT)})`);
    return code;
  } finally {
    await browser?.close();
    await server?.stop();
    removeProfile(profile);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
