import assert from 'node:assert/strict';
import { test } from 'node:test';

import { integerFlag, parseCommandLine, stringFlag } from '../../../src/cli/commandLine';
import { UsageError } from '../../../src/cli/usageError';

const OPTIONS = { out: { type: 'string' }, limit: { type: 'string' }, quiet: { type: 'boolean', default: false } } as const;
const WHAT = { command: 'judge', input: 'answers file' };

/** Runs `fn` with process.stdout/stderr writes captured. */
function captured<T>(fn: () => T): { value: T; stdout: string; stderr: string } {
  const out = { stdout: '', stderr: '' };
  const writes = [process.stdout.write, process.stderr.write];
  process.stdout.write = ((chunk: string) => ((out.stdout += chunk), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string) => ((out.stderr += chunk), true)) as typeof process.stderr.write;
  try {
    return { value: fn(), ...out };
  } finally {
    [process.stdout.write, process.stderr.write] = writes;
  }
}

test('one input file and the flags come back; --help prints the usage and exits 0, no input prints it to stderr and exits 2', () => {
  const line = parseCommandLine(['a.csv', '--out', 'b.csv', '--quiet'], OPTIONS, 'USAGE\n', WHAT);
  assert.ok(typeof line !== 'number');
  assert.equal(line.input, 'a.csv');
  assert.equal(stringFlag(line.values, 'out'), 'b.csv');
  assert.equal(line.values.quiet, true);
  assert.equal(stringFlag(line.values, 'limit'), undefined);

  const help = captured(() => parseCommandLine(['a.csv', '-h'], OPTIONS, 'USAGE\n', WHAT));
  assert.deepEqual(help, { value: 0, stdout: 'USAGE\n', stderr: '' });
  const none = captured(() => parseCommandLine(['--quiet'], OPTIONS, 'USAGE\n', WHAT));
  assert.deepEqual(none, { value: 2, stdout: '', stderr: 'USAGE\n' });
});

test('extra positional arguments, unknown flags and missing values are usage errors that name them', () => {
  assert.throws(() => parseCommandLine(['a.csv', 'b.csv'], OPTIONS, '', WHAT), (e: Error) => e instanceof UsageError && e.message === 'judge takes one answers file; unexpected argument "b.csv"');
  assert.throws(() => parseCommandLine(['a.csv', 'b', 'c'], OPTIONS, '', WHAT), /unexpected arguments "b" "c"$/);
  assert.throws(() => parseCommandLine(['a.csv', '--limt', '3'], OPTIONS, '', WHAT), (e: Error) => e instanceof UsageError && /--limt/.test(e.message));
  assert.throws(() => parseCommandLine(['a.csv', '--out'], OPTIONS, '', WHAT), (e: Error) => e instanceof UsageError && /--out/.test(e.message));
});

test('integer flags: absent is undefined; empty, fractional, non-numeric and below-minimum values are refused with the flag and the text', () => {
  assert.equal(integerFlag({}, 'limit', 0), undefined);
  assert.equal(integerFlag({ limit: '40' }, 'limit', 0), 40);
  assert.equal(integerFlag({ limit: '0' }, 'limit', 0), 0);
  for (const bad of ['', ' ', '1.5', 'ten', '-1']) {
    assert.throws(() => integerFlag({ limit: bad }, 'limit', 0), (e: Error) => e instanceof UsageError && e.message === `--limit must be an integer ≥ 0, got "${bad}"`);
  }
  assert.throws(() => integerFlag({ 'batch-size': '0' }, 'batch-size', 1), /--batch-size must be an integer ≥ 1, got "0"/);
});
