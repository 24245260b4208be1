import assert from 'node:assert/strict';
import { test } from 'node:test';

import type { RunStage } from '../../../src/contract/workerProtocol';
import { timedProgress } from '../../../src/core/progress/timedProgress';

function recorder(): { messages: string[]; clock: { t: number }; timed: ReturnType<typeof timedProgress> } {
  const messages: string[] = [];
  const clock = { t: 0 };
  return { messages, clock, timed: timedProgress((_stage: RunStage, _done, _total, message) => messages.push(message), () => clock.t) };
}

test('forward passes gain rows/s and the time left, and their elapsed time at the end', () => {
  const { messages, clock, timed } = recorder();
  timed('extract', 0, 4000, 'Forward passes 0/4,000 rows');
  clock.t = 1000;
  timed('extract', 85, 4000, 'Forward passes 85/4,000 rows');
  clock.t = 14_000;
  timed('extract', 1190, 4000, 'Forward passes 1,190/4,000 rows');
  clock.t = 47_000;
  timed('extract', 4000, 4000, 'Forward passes 4,000/4,000 rows');
  assert.deepEqual(messages, [
    'Forward passes 0/4,000 rows',
    'Forward passes 85/4,000 rows',
    'Forward passes 1,190/4,000 rows · 85 rows/s · about 35 s left',
    'Forward passes 4,000/4,000 rows · 85 rows/s · 45 s',
  ]);
});

test('model load: its elapsed time when loaded; a new stage restarts the clock', () => {
  const { messages, clock, timed } = recorder();
  timed('model', 0, 1, 'Loading toy (1.2 GB on disk)');
  clock.t = 3400;
  timed('model', 1, 1, 'Loaded toy (1.2 GB on disk)');
  timed('probe', 0, 60, 'Probes 0/60');
  clock.t = 5400;
  timed('probe', 20, 60, 'Probes 20/60');
  assert.deepEqual(messages, ['Loading toy (1.2 GB on disk)', 'Loaded toy (1.2 GB on disk) · 3.4 s', 'Probes 0/60', 'Probes 20/60 · 10 probes/s · about 4 s left']);
});

test('generation keeps its tokens/s and gains only the time left', () => {
  const { messages, clock, timed } = recorder();
  timed('generate', 0, 240, 'Generating answers 0/240');
  clock.t = 60_000;
  timed('generate', 24, 240, 'Generating answers 24/240 · 35.2 tokens/s');
  assert.deepEqual(messages.at(-1), 'Generating answers 24/240 · 35.2 tokens/s · about 9 min left');
});

test('a lock wait (0/1) and then the stage itself: the stage clock starts at its own first update', () => {
  const { messages, clock, timed } = recorder();
  timed('baselines', 0, 1, 'Waiting for another run');
  clock.t = 30_000;
  timed('baselines', 0, 100, 'Baselines 0/100 rows');
  clock.t = 32_000;
  timed('baselines', 10, 100, 'Baselines 10/100 rows');
  assert.equal(messages.at(-1), 'Baselines 10/100 rows · 5.0 rows/s · about 20 s left');
});
