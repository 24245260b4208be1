// No telemetry without consent, and nothing written outside the run's folders: the real dist/cli.js
// with HOME pointed at an empty folder leaves it empty, and onnxruntime's /tmp/mat-debug-<pid>.log
// does not appear (both are written by onnxruntime's built-in telemetry unless it is turned off).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

import { fixtureModel } from '../../helpers/fixtures';
import { ortDebugLogWatch } from '../../helpers/ortDebugLog';

const CLI = path.resolve('dist', 'cli.js');

const listAll = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).sort();

test('a probe run writes nothing into HOME, nothing to /tmp, only its output and cache folders', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-telemetry-'));
  const home = path.join(root, 'home');
  const work = path.join(root, 'work');
  fs.mkdirSync(home);
  fs.mkdirSync(work);
  const rows = Array.from({ length: 40 }, (_, i) => JSON.stringify({ question: `Q: item ${i}?\nA:`, model_answer: ` ${i % 2 ? 'yes' : 'no'}\n`, correct: i % 2, exact_answer: i % 2 ? 'yes' : 'no' }));
  fs.writeFileSync(path.join(work, 'data.jsonl'), rows.join('\n'));
  // The user's environment without any opt-out of ours: the CLI must turn the telemetry off itself.
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, XDG_CACHE_HOME: path.join(home, '.cache'), XDG_CONFIG_HOME: path.join(home, '.config') };
  delete env.ORT_DISABLE_TELEMETRY;
  const ortLogs = ortDebugLogWatch();
  const run = spawnSync(process.execPath, [CLI, 'probe', 'data.jsonl', '--model', fixtureModel('tiny-llama-unfused-extdata'), '--out', 'out', '--cache-dir', 'cache'], { encoding: 'utf8', cwd: work, env });
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(listAll(home), [], 'HOME stays empty');
  assert.ok(!ortLogs.wroteFor(run.pid), `onnxruntime's /tmp/mat-debug-${run.pid}.log was written`);
  const written = listAll(work).filter((f) => f !== 'data.jsonl');
  assert.ok(written.length > 0);
  for (const f of written) assert.ok(f === 'out' || f === 'cache' || f.startsWith(`out${path.sep}`) || f.startsWith(`cache${path.sep}`), `written outside out/ and cache/: ${f}`);
  assert.ok(written.includes(path.join('out', 'result.json')));
  fs.rmSync(root, { recursive: true, force: true });
});
