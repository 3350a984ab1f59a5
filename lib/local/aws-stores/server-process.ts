/**
 * One store of the local AWS emulator as a child process: tethered (it never outlives the runtime), logging to
 * a file, on a port of its own on 127.0.0.1, and ready once it answers HTTP.
 */
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { exitOf, freePort, spawnTethered, stopProcess, tetheredPid, waitFor } from '../process-utils.ts';

export interface StoreProcess {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  exited: Promise<string>;
  stop(): Promise<void>;
}

export interface StoreProcessOptions {
  /** For messages: `S3 store (s3proxy)`. */
  name: string;
  command: string;
  args: (port: number) => string[];
  env?: NodeJS.ProcessEnv;
  logFile: string;
  /** True once the store serves (it may need more than an open port). */
  ready: (url: string) => Promise<boolean>;
  /**
   * Grace between SIGTERM and SIGKILL on stop.
   * @default 5000
   */
  stopGraceMs?: number;
  /** @default 60000 */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export async function startStoreProcess(options: StoreProcessOptions): Promise<StoreProcess> {
  const port = await freePort();
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const logFd = openSync(options.logFile, 'a');
  const child = spawnTethered(options.command, options.args(port), { logFd, env: options.env });
  closeSync(logFd);
  const exited = exitOf(child);
  let ended: string | undefined;
  void exited.then((how) => {
    ended = how;
  });
  const pid = await tetheredPid(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = () => stopProcess(child, pid, options.stopGraceMs ?? 5_000);
  try {
    await waitFor(`${options.name} at ${url}`, () => options.ready(url), {
      timeoutMs: options.timeoutMs ?? 60_000,
      abortIf: () => {
        if (options.signal?.aborted) return 'start abandoned (stopping)';
        return ended ? `exited (${ended}); see ${options.logFile}` : undefined;
      },
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid, exited, stop };
}

/** True when `url` answers HTTP at all (any status). */
export async function answersHttp(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
  await response.body?.cancel();
  return true;
}
