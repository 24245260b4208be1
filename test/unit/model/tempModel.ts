// Model folders written for one test into the system temp directory (never into the fixtures).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

/** Writes `files` (bytes, text, or JSON objects) into a fresh folder, removed when the test ends. */
export function tempModelFolder(t: TestContext, files: Record<string, Uint8Array | string | object>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-model-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    const data = content instanceof Uint8Array || typeof content === 'string' ? content : JSON.stringify(content);
    fs.writeFileSync(path.join(dir, name), data);
  }
  return dir;
}
