import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MIN_SECONDS_FOR_RATE, StageRate } from '../../../src/core/progress/stageRate';

/** A clock the test moves by hand (milliseconds). */
function fakeClock(): { now: () => number; advance: (seconds: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (seconds) => (t += seconds * 1000) };
}

describe('StageRate', () => {
  test('no rate or ETA before 2 s, however many items are done', () => {
    const clock = fakeClock();
    const rate = new StageRate(clock.now);
    assert.deepEqual(rate.observe(0, 4000), { elapsedSeconds: 0 });
    clock.advance(MIN_SECONDS_FOR_RATE - 0.5);
    assert.deepEqual(rate.observe(300, 4000), { elapsedSeconds: 1.5 });
  });

  test('a steady 85 rows/s gives 85 rows/s and the rows left over it', () => {
    const clock = fakeClock();
    const rate = new StageRate(clock.now);
    rate.observe(0, 4000);
    let timing = rate.observe(0, 4000);
    for (let done = 170; done <= 1200; done += 170) {
      clock.advance(2);
      timing = rate.observe(done, 4000);
    }
    assert.ok(Math.abs(timing.perSecond! - 85) < 1e-9, `rate ${timing.perSecond}`);
    assert.ok(Math.abs(timing.secondsLeft! - (4000 - 1190) / 85) < 1e-9, `left ${timing.secondsLeft}`);
  });

  test('the moving average follows a change of speed within a few time constants', () => {
    const clock = fakeClock();
    const rate = new StageRate(clock.now);
    rate.observe(0, 100_000);
    let done = 0;
    for (let i = 0; i < 30; i++) {
      clock.advance(1);
      done += 100;
      rate.observe(done, 100_000);
    }
    // Now 10× slower: the stage average would still say ~ 60 rows/s after 60 s more; the EMA is near 10.
    let timing = rate.observe(done, 100_000);
    for (let i = 0; i < 60; i++) {
      clock.advance(1);
      done += 10;
      timing = rate.observe(done, 100_000);
    }
    const average = done / 90;
    assert.ok(timing.perSecond! < 20 && timing.perSecond! > 10, `smoothed ${timing.perSecond}, stage average ${average}`);
  });

  test('rows resumed before the stage started do not count as speed', () => {
    const clock = fakeClock();
    const rate = new StageRate(clock.now);
    rate.observe(900, 1000);
    clock.advance(10);
    const timing = rate.observe(950, 1000);
    assert.equal(timing.perSecond, 5);
    assert.equal(timing.secondsLeft, 10);
  });

  test('once done: the average rate over the stage, its elapsed time, no ETA', () => {
    const clock = fakeClock();
    const rate = new StageRate(clock.now);
    rate.observe(0, 60);
    clock.advance(3);
    rate.observe(50, 60);
    clock.advance(1);
    assert.deepEqual(rate.observe(60, 60), { elapsedSeconds: 4, perSecond: 15 });
  });

  test('updates in the same millisecond fold into the next step instead of dividing by zero', () => {
    const clock = fakeClock();
    const rate = new StageRate(clock.now);
    rate.observe(0, 100);
    clock.advance(2);
    rate.observe(20, 100);
    rate.observe(30, 100);
    clock.advance(1);
    const timing = rate.observe(40, 100);
    assert.ok(Number.isFinite(timing.perSecond) && timing.perSecond! > 10 && timing.perSecond! < 20, `rate ${timing.perSecond}`);
  });
});
