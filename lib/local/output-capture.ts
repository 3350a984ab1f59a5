/**
 * Handler logs into a file instead of the terminal. Function workers print to the parent's stdout/stderr
 * (worker_threads pipe them through process.stdout/stderr), which would tear `stratus dev`'s status table and
 * `stratus demo --json` apart. While captured, everything written to process.stdout/stderr goes to `file`;
 * the command writes its own output through `writerFor`, which bypasses the capture.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { Writable } from 'node:stream';

export interface OutputCapture {
  file: string;
  /** A writer that reaches the real stream even while captured (non-process streams pass through). */
  writerFor(stream: Writable): (text: string) => void;
  restore(): void;
}

type Write = typeof process.stdout.write;

/**
 * @param onLine also called with every complete line captured (the runtime reads the SDK's EMF metrics from
 * them); it must not throw.
 */
export function captureProcessOutput(file: string, onLine?: (line: string) => void): OutputCapture {
  mkdirSync(path.dirname(file), { recursive: true });
  const fd = openSync(file, 'a');
  const original = { stdout: process.stdout.write, stderr: process.stderr.write };
  let partial = '';
  const toFile = ((chunk: string | Uint8Array, encoding?: unknown, callback?: unknown) => {
    if (onLine) {
      const lines = (
        partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'))
      ).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) onLine(line);
    }
    try {
      if (typeof chunk === 'string') writeSync(fd, chunk);
      else writeSync(fd, chunk);
    } catch {
      // The log file is best effort; never fail the writer (a worker's log line) because of it.
    }
    const done = typeof encoding === 'function' ? encoding : callback;
    if (typeof done === 'function') done();
    return true;
  }) as Write;
  process.stdout.write = toFile;
  process.stderr.write = toFile;
  let restored = false;
  return {
    file,
    writerFor(stream) {
      if (stream === process.stdout) return (text) => void original.stdout.call(process.stdout, text);
      if (stream === process.stderr) return (text) => void original.stderr.call(process.stderr, text);
      return (text) => void stream.write(text);
    },
    restore() {
      if (restored) return;
      restored = true;
      process.stdout.write = original.stdout;
      process.stderr.write = original.stderr;
      closeSync(fd);
    },
  };
}
