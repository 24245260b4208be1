// How progress lines write counts, rates and durations: "1,200/4,000 rows · 85 rows/s · about 33 s left".

export function formatCount(n: number): string {
  return Math.floor(n).toLocaleString('en-US');
}

/** A duration a person reads at a glance: 8 s, 45 s, 4 min, 1 h 20 min (seconds up to 90, minutes up to 1 h). */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, seconds);
  if (s < 10) return `${Math.max(1, Math.ceil(s))} s`;
  if (s < 90) return `${Math.round(s / 5) * 5} s`;
  if (s < 3600 - 30) return `${Math.round(s / 60)} min`;
  const minutes = Math.round(s / 60);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** How long a finished stage took: tenths below 10 s (a model load of 3.4 s), else as formatDuration. */
export function formatElapsed(seconds: number): string {
  return seconds < 10 ? `${seconds.toFixed(1)} s` : formatDuration(seconds);
}

/** Items per second, per minute when under one a second (slow generation on a laptop). */
export function formatRate(perSecond: number, unit: string): string {
  if (perSecond >= 10) return `${formatCount(Math.round(perSecond))} ${unit}/s`;
  if (perSecond >= 1) return `${perSecond.toFixed(1)} ${unit}/s`;
  const perMinute = perSecond * 60;
  return `${perMinute >= 10 ? Math.round(perMinute) : perMinute.toFixed(1)} ${unit}/min`;
}
