// Rate and time left of one long stage, from its done/total updates. The clock is injected so the
// arithmetic is tested without waiting; callers pass Date.now (or performance.now) in milliseconds.

/** Below this, a rate is mostly the stage's start-up noise (first batch, JIT, a cold cache). */
export const MIN_SECONDS_FOR_RATE = 2;
/**
 * Time constant of the moving average: long enough that one slow batch does not swing the ETA, short
 * enough that a stage whose speed changes (rows sorted by length, cached rows first) catches up.
 */
export const SMOOTHING_SECONDS = 20;

export interface StageTiming {
  /** Seconds since the stage's first update. */
  elapsedSeconds: number;
  /** Smoothed items per second while running; the stage's average once done; absent until it is known. */
  perSecond?: number;
  /** Absent until a rate is known, and once the stage is done. */
  secondsLeft?: number;
}

export class StageRate {
  private start: { t: number; done: number } | undefined;
  private last = { t: 0, done: 0 };
  private smoothed: number | undefined;

  constructor(private readonly now: () => number) {}

  observe(done: number, total: number): StageTiming {
    const t = this.now();
    if (!this.start) {
      this.start = { t, done };
      this.last = { t, done };
      return { elapsedSeconds: 0 };
    }
    const elapsedSeconds = (t - this.start.t) / 1000;
    const doneHere = done - this.start.done;
    if (done >= total) {
      return elapsedSeconds > 0 && doneHere > 0 ? { elapsedSeconds, perSecond: doneHere / elapsedSeconds } : { elapsedSeconds };
    }
    const dt = (t - this.last.t) / 1000;
    if (elapsedSeconds >= MIN_SECONDS_FOR_RATE && doneHere > 0 && dt > 0) {
      if (this.smoothed === undefined) {
        this.smoothed = doneHere / elapsedSeconds;
      } else {
        // Weighted by the time the step took, so many quick updates count as much as one slow one.
        const alpha = 1 - Math.exp(-dt / SMOOTHING_SECONDS);
        this.smoothed += alpha * ((done - this.last.done) / dt - this.smoothed);
      }
    }
    // Updates in the same millisecond are folded into the next step (a zero dt has no rate).
    if (dt > 0) this.last = { t, done };
    if (this.smoothed === undefined || this.smoothed <= 0) return { elapsedSeconds };
    return { elapsedSeconds, perSecond: this.smoothed, secondsLeft: (total - done) / this.smoothed };
  }
}
