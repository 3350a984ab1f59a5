/**
 * Collects what a function prints while `work` runs. Powertools Logger and Metrics write through their own
 * Console on process.stdout/stderr (as CloudWatch Logs receives them), so the streams' `write` is what to
 * intercept. Only one capture may run at a time in a thread; callers serialise.
 */
export async function captureLines<T>(work: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr] as const;
  const originals = streams.map((stream) => stream.write);
  for (const stream of streams)
    stream.write = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      const done = typeof encoding === 'function' ? encoding : callback;
      if (typeof done === 'function') done();
      return true;
    }) as typeof stream.write;
  try {
    const result = await work();
    return { result, lines: chunks.join('').split('\n') };
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i]!;
    });
  }
}
