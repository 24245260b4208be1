// Entry point of the extension-host integration suite (`extensionTestsPath`): VS Code loads this file
// in its extension host and calls run(). The same compiled suite runs in code-server's Node extension
// host (runExtensionHostTests.ts, via the workbench's `payload` URL) and in desktop VS Code
// (runDesktop.ts, via @vscode/test-electron). Mocha's output goes to the console and, when
// LAYER_PROBE_E2E_REPORT names a file, line by line into it: the extension host's console is not the
// runner's, and a report written as it goes still tells what ran if the run is cut short.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { format } from 'node:util';

import Mocha from 'mocha';

export async function run(): Promise<void> {
  const report = process.env.LAYER_PROBE_E2E_REPORT;
  if (report) {
    fs.mkdirSync(path.dirname(report), { recursive: true });
    fs.writeFileSync(report, '');
    const log = console.log.bind(console);
    // Mocha's reporters print through Mocha.reporters.Base.consoleLog (console.log by default).
    Mocha.reporters.Base.consoleLog = (...args: unknown[]): void => {
      log(...args);
      fs.appendFileSync(report, `${format(...args)}\n`);
    };
  }
  // LAYER_PROBE_E2E_GREP runs only the tests whose full title matches (while working on one of them).
  const grep = process.env.LAYER_PROBE_E2E_GREP;
  const mocha = new Mocha({ ui: 'bdd', reporter: 'spec', color: false, timeout: 60_000, ...(grep ? { grep } : {}) });
  for (const file of fs.readdirSync(__dirname).sort()) {
    if (file.endsWith('.test.js')) mocha.addFile(path.join(__dirname, file));
  }
  await new Promise<void>((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} extension-host test(s) failed`)) : resolve()));
  });
}
