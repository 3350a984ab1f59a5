import type { Writable } from 'node:stream';

/** What a command needs from its surroundings; tests pass their own streams and read the exit code. */
export interface CliContext {
  stdout: Writable;
  stderr: Writable;
  /** Project root for manifests, handlers and state. */
  cwd: string;
  /** The exit code the command settles on; commands set it, `main` returns it. */
  exitCode: number;
}

/** A problem with how the command was called: exit code 2, message without a stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure the user can act on (unreachable broker, unknown consumer): exit code 1, no stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export function writeLine(stream: Writable, line = ''): void {
  stream.write(`${line}\n`);
}
