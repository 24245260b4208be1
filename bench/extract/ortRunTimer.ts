import type { InferenceSession } from 'onnxruntime-node';

/**
 * Wraps `session.run` to add up the seconds spent inside onnxruntime: the rest of a pass (copying the
 * outputs out, the 15-position gather, the cache writes) is our overhead, measured within the same pass,
 * which this machine's drift between passes cannot blur. Returns the running total's reader.
 */
export function timeOrtRuns(session: InferenceSession): () => number {
  const ortRun = session.run.bind(session);
  let inOrt = 0;
  session.run = (async (...args: Parameters<typeof ortRun>) => {
    const t = performance.now();
    try {
      return await ortRun(...args);
    } finally {
      inOrt += (performance.now() - t) / 1000;
    }
  }) as typeof session.run;
  return () => inOrt;
}
