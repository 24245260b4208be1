// Item 6 of issue 12: every case of the corpus against the real CLI, several at a time, each in a
// folder of its own with an empty HOME. A case fails on a hang, a stack trace, a changed input, a
// file written outside out/ and cache/ (or into HOME), the wrong exit status, a message that does not
// name the file and place, or a raw errno as the message. A known failure (README table) fails only on
// the first three.
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { FIXTURES } from '../helpers/fixtures';
import { CORPUS } from './corpus';
import { CLI, runCase } from './harness';

const CONCURRENCY = Number(process.env.BAD_INPUTS_CONCURRENCY ?? 4);
const ONLY = process.env.BAD_INPUTS_ONLY;
const cases = ONLY ? CORPUS.filter((c) => c.id.includes(ONLY)) : CORPUS;

// The shared fixture models the cases link to or run: byte-identical after the corpus.
const fixtureDigest = (): string => {
  const h = crypto.createHash('sha256');
  for (const m of ['tiny-llama-unfused-extdata', 'toy-facts-llama', 'not-a-transformer', 'tiny-random-gpt2-fused', 'tiny-qwen-gqa-fp16-notokenizer']) {
    const dir = path.join(FIXTURES, 'models', m);
    for (const f of fs.readdirSync(dir).sort()) h.update(f).update(fs.readFileSync(path.join(dir, f)));
  }
  return h.digest('hex');
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-probe-bad-inputs-'));
const results = new Map<string, 'pass' | 'known' | 'fail'>();
let digestBefore = '';

before(() => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run npm run build first`);
  const ids = new Set<string>();
  for (const c of CORPUS) { assert.ok(!ids.has(c.id), `duplicate case id ${c.id}`); ids.add(c.id); }
  if (!ONLY) assert.ok(CORPUS.length >= 150, `the corpus has ${CORPUS.length} cases, fewer than 150`);
  digestBefore = fixtureDigest();
});

describe('bad inputs against dist/cli.js', { concurrency: CONCURRENCY }, () => {
  cases.forEach((c, i) => {
    it(c.id, { timeout: ((c.timeoutS ?? 60) + 60) * 1000 }, async (t) => {
      const dir = path.join(root, `${String(i).padStart(3, '0')}-${c.id.replace(/[^a-z0-9]+/gi, '-')}`);
      fs.mkdirSync(dir, { recursive: true });
      const outcome = await runCase(c, dir);
      const tail = outcome.stderr.split('\n').filter(Boolean).slice(-4).join('\n');
      if (c.known) {
        results.set(c.id, outcome.hard.length || outcome.soft.length ? 'known' : 'pass');
        if (!outcome.hard.length && !outcome.soft.length) t.diagnostic(`known failure now passes: drop "known" from ${c.id}`);
        else t.diagnostic(`known failure (${c.known}): ${outcome.soft.join('; ')}`);
        assert.deepEqual(outcome.hard, [], `${c.id} (exit ${outcome.status}):\n${tail}`);
      } else {
        results.set(c.id, outcome.hard.length || outcome.soft.length ? 'fail' : 'pass');
        assert.deepEqual([...outcome.hard, ...outcome.soft], [], `${c.id} (exit ${outcome.status}):\n${tail}`);
      }
      fs.rmSync(dir, { recursive: true, force: true });
    });
  });
});

after(() => {
  const count = (v: string): number => [...results.values()].filter((r) => r === v).length;
  process.stdout.write(`bad-input corpus: ${cases.length} cases, ${count('pass')} pass, ${count('known')} known failures, ${count('fail')} fail\n`);
  if (!ONLY) assert.equal(fixtureDigest(), digestBefore, 'a shared fixture model changed');
  if ([...results.values()].every((r) => r !== 'fail')) fs.rmSync(root, { recursive: true, force: true });
});
