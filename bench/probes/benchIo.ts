// Helpers the probe benchmarks share: reading a child's answers line by line, and printing durations.

/** A line reader over a child's stdout: next() resolves with each line in turn. */
export function lineReader(stream: NodeJS.ReadableStream): () => Promise<string> {
  const queue: string[] = [];
  const waiters: ((line: string) => void)[] = [];
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let k = buffer.indexOf('\n'); k >= 0; k = buffer.indexOf('\n')) {
      const line = buffer.slice(0, k);
      buffer = buffer.slice(k + 1);
      const waiter = waiters.shift();
      if (waiter) waiter(line);
      else queue.push(line);
    }
  });
  return () => new Promise((resolve) => (queue.length > 0 ? resolve(queue.shift()!) : waiters.push(resolve)));
}

/** Milliseconds as a table shows them: "81 ms", "3.75 s", "38.9 s". */
export const fmt = (ms: number): string => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
