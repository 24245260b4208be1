import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { NON_TTY_INTERVAL_MS, ProgressPrinter } from '../../../src/cli/progressPrinter';

/** A stream that records what is written; `isTTY` as a terminal or a log file would say. */
function fakeStream(isTTY: boolean, columns?: number): { written: string[]; isTTY: boolean; columns?: number; write: (text: string) => boolean } {
  const written: string[] = [];
  return { written, isTTY, columns, write: (text) => (written.push(text), true) };
}

describe('ProgressPrinter on a terminal', () => {
  test('rewrites one live line, keeps each stage\'s last line, and clears what is left at the end', () => {
    const stream = fakeStream(true);
    const printer = new ProgressPrinter(stream, { now: () => 0 });
    printer.update('extract', 0, 4000, 'Forward passes 0/4,000 rows');
    printer.update('extract', 1200, 4000, 'Forward passes 1,200/4,000 rows · 85 rows/s · about 35 s left');
    printer.update('extract', 4000, 4000, 'Forward passes 4,000/4,000 rows · 85 rows/s · 45 s');
    printer.update('probe', 3, 60, 'Probes 3/60');
    printer.finish();
    assert.deepEqual(stream.written, [
      '\r\x1b[K[extract] Forward passes 0/4,000 rows',
      '\r\x1b[K[extract] Forward passes 1,200/4,000 rows · 85 rows/s · about 35 s left',
      '\r\x1b[K[extract] Forward passes 4,000/4,000 rows · 85 rows/s · 45 s\n',
      '\r\x1b[K[probe] Probes 3/60',
      '\r\x1b[K',
    ]);
  });

  test('a log line goes above the live line, which is drawn again', () => {
    const stream = fakeStream(true);
    const printer = new ProgressPrinter(stream);
    printer.update('probe', 3, 60, 'Probes 3/60');
    printer.log('  warning: 2 probes did not converge');
    assert.equal(stream.written.at(-1), '\r\x1b[K  warning: 2 probes did not converge\n[probe] Probes 3/60');
  });

  test('a live line wider than the terminal is cut short (a wrapped line cannot be rewritten)', () => {
    const stream = fakeStream(true, 20);
    new ProgressPrinter(stream).update('extract', 1, 4000, 'Forward passes 1/4,000 rows');
    assert.equal(stream.written[0], '\r\x1b[K[extract] Forward …');
  });

  test('nothing at all with quiet; finish with no live line writes nothing', () => {
    const stream = fakeStream(true);
    const printer = new ProgressPrinter(stream, { quiet: true });
    printer.update('extract', 1, 10, 'Forward passes 1/10 rows');
    printer.log('x');
    printer.finish();
    new ProgressPrinter(stream).finish();
    assert.deepEqual(stream.written, []);
  });
});

describe('ProgressPrinter into a log file (not a terminal)', () => {
  test("a stage's start and end, and one line a minute between instead of one per batch", () => {
    const stream = fakeStream(false);
    const clock = { t: 0 };
    const printer = new ProgressPrinter(stream, { now: () => clock.t });
    printer.update('extract', 0, 4000, 'Forward passes 0/4,000 rows');
    // A batch every 2 s for 150 s: lines at 60 s and 120 s only.
    for (let s = 2; s <= 150; s += 2) {
      clock.t = s * 1000;
      printer.update('extract', s * 20, 4000, `Forward passes ${s * 20} rows`);
    }
    clock.t = 151_000;
    printer.update('extract', 4000, 4000, 'Forward passes 4,000/4,000 rows · 26 rows/s · 2 min');
    printer.update('extract', 4000, 4000, 'Activations of 4,000 rows');
    printer.update('probe', 1, 60, 'Probes 1/60');
    assert.deepEqual(stream.written, [
      '[extract] Forward passes 0/4,000 rows\n',
      '[extract] Forward passes 1200 rows\n',
      '[extract] Forward passes 2400 rows\n',
      '[extract] Forward passes 4,000/4,000 rows · 26 rows/s · 2 min\n',
      '[probe] Probes 1/60\n',
    ]);
    assert.equal(NON_TTY_INTERVAL_MS, 60_000);
  });

  test('log lines are plain lines; a new total starts a new stage (a lock wait, then the count)', () => {
    const stream = fakeStream(false);
    const printer = new ProgressPrinter(stream, { now: () => 0 });
    printer.update('baselines', 0, 1, 'Waiting for another run');
    printer.update('baselines', 0, 1, 'Waiting for another run, 2 s');
    printer.log('  a log line');
    printer.update('baselines', 0, 100, 'Baselines 0/100 rows');
    assert.deepEqual(stream.written, ['[baselines] Waiting for another run\n', '  a log line\n', '[baselines] Baselines 0/100 rows\n']);
  });
});
