/**
 * An append-only file of JSON lines whose appends are on disk when their promise resolves. Lines appended in the
 * same turn of the event loop are written with one write and share one fdatasync (group commit); lines
 * appended while a sync runs go out together right after it. So a burst of requests costs one sync, not one
 * each, and nobody is answered before their write survives a crash of the process or of the machine.
 *
 * A kill -9 in the middle of a write leaves a torn last line: {@link readLog} ignores it, and the owner rewrites
 * the file ({@link rewriteLog}) before appending again, so the torn bytes never end up in the middle.
 */
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';

interface Batch {
  lines: string[];
  done: Promise<void>;
  resolve: () => void;
  reject: (error: Error) => void;
}

export class AppendLog {
  #batch: Batch | undefined;
  /** Settles when the batch being written is on disk. */
  #writing: Promise<void> | undefined;
  /** Set once a write or sync failed: what is in the file is unknown from then on, so nothing more is promised. */
  #failed: Error | undefined;

  private constructor(
    readonly file: string,
    private readonly handle: FileHandle,
  ) {}

  /** Opens `file` for appending (created, with its directory). */
  static async open(file: string): Promise<AppendLog> {
    const created = !existsSync(file);
    mkdirSync(path.dirname(file), { recursive: true });
    const handle = await open(file, 'a');
    // A new file's name must survive a crash as well as its lines.
    if (created) syncDirectory(path.dirname(file));
    return new AppendLog(file, handle);
  }

  /** Appends `entry` as one JSON line; resolves once it is on disk. */
  append(entry: unknown): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    if (!this.#batch) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const done = new Promise<void>((ok, fail) => {
        resolve = ok;
        reject = fail;
      });
      // Whoever awaits it hears of a failure; an entry nobody awaits must not crash the process.
      done.catch(() => {});
      this.#batch = { lines: [], done, resolve, reject };
      // The first line of a batch starts a write unless one is running (that one picks the batch up).
      if (!this.#writing) setImmediate(() => void this.#flush());
    }
    this.#batch.lines.push(`${JSON.stringify(entry)}\n`);
    return this.#batch.done;
  }

  /** Resolves once everything appended so far is on disk (rejects if that failed). */
  durable(): Promise<void> {
    if (this.#failed) return Promise.reject(this.#failed);
    return this.#batch?.done ?? this.#writing ?? Promise.resolve();
  }

  async close(): Promise<void> {
    await this.durable().catch(() => {});
    await this.handle.close();
  }

  async #flush(): Promise<void> {
    while (this.#batch) {
      const batch = this.#batch;
      this.#batch = undefined;
      this.#writing = batch.done;
      try {
        if (this.#failed) throw this.#failed;
        await this.handle.writeFile(batch.lines.join(''));
        await this.handle.datasync();
        batch.resolve();
      } catch (error) {
        this.#failed ??= error as Error;
        batch.reject(this.#failed);
      }
    }
    this.#writing = undefined;
  }
}

/**
 * The entries of a log file, in order (none when it does not exist). A last line without its newline was torn by
 * a crash and was never acknowledged: ignored. A bad line anywhere else is corruption, and an error.
 */
export function readLog(file: string): unknown[] {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, 'utf8');
  const lines = text.split('\n');
  // After the last newline: '' for a whole file, the torn rest of a line otherwise.
  lines.pop();
  return lines.map((line, index) => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      throw new Error(
        `${file}: line ${index + 1} is not JSON; the file is damaged (move it away to start empty)`,
      );
    }
  });
}

/**
 * Replaces `file` with `entries` atomically: a temporary file, synced, renamed over it, the directory synced. A
 * crash at any moment leaves either the old file or the new one whole.
 */
export function rewriteLog(file: string, entries: Iterable<unknown>): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp`;
  const fd = openSync(temporary, 'w');
  try {
    let chunk: string[] = [];
    let length = 0;
    for (const entry of entries) {
      const line = `${JSON.stringify(entry)}\n`;
      chunk.push(line);
      length += line.length;
      if (length >= 1 << 20) {
        writeAll(fd, chunk.join(''));
        chunk = [];
        length = 0;
      }
    }
    writeAll(fd, chunk.join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, file);
  syncDirectory(path.dirname(file));
}

function writeAll(fd: number, text: string): void {
  const buffer = Buffer.from(text, 'utf8');
  for (let at = 0; at < buffer.length; ) at += writeSync(fd, buffer, at, buffer.length - at);
}

function syncDirectory(directory: string): void {
  const fd = openSync(directory, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
