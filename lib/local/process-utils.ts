import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Starts a long-running helper process (the Kafka JVM, the AWS emulator's stores) that can never outlive us:
 * it runs under a small shell that waits on our stdin pipe, and kills the process when the pipe closes — which
 * the kernel does however we exit, even on SIGKILL. A clean stop sends SIGTERM to the process itself first.
 * It runs in a session of its own, so a terminal's Ctrl-C (SIGINT to the whole foreground process group)
 * reaches only us: we stop the helpers in order, instead of finding them all dead at once.
 */
export function spawnTethered(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; logFd: number },
): ChildProcess {
  const quoted = [command, ...args].map(shellQuote).join(' ');
  // Background jobs of a non-interactive shell read /dev/null, so the watcher reads our pipe through fd 4.
  const script = `exec 4<&0; ${quoted} </dev/null 3>&- 4<&- & child=$!; echo $child >&3; exec 3>&-; (cat <&4 >/dev/null; kill -TERM $child 2>/dev/null) & wait $child`;
  return spawn('/bin/sh', ['-c', script], {
    cwd: options.cwd,
    env: options.env,
    stdio: ['pipe', options.logFd, options.logFd, 'pipe'],
    detached: true,
  });
}

/**
 * Resolves when a tethered process ends by itself, with how it ended (`exit code 1`, `killed by SIGKILL`). The
 * tethering shell exits with the process's status, 128 + the signal number when a signal ended it.
 */
export function exitOf(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    const describe = (code: number | null, signalName: NodeJS.Signals | null) => {
      if (signalName) return `killed by ${signalName}`;
      if (code !== null && code > 128) {
        const name = Object.entries(os.constants.signals).find(([, n]) => n === code - 128)?.[0];
        if (name) return `killed by ${name}`;
      }
      return `exit code ${code}`;
    };
    if (child.exitCode !== null || child.signalCode !== null)
      return resolve(describe(child.exitCode, child.signalCode));
    child.once('exit', (code, signalName) => resolve(describe(code, signalName)));
  });
}

/** The pid the tethering shell reports for the real process. */
export function tetheredPid(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = child.stdio[3] as NodeJS.ReadableStream | null;
    if (!stream) return reject(new Error('no pid pipe'));
    let text = '';
    stream.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(Number(text.trim()));
    });
    child.once('exit', () => reject(new Error('process exited before it started')));
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export async function stopProcess(
  child: ChildProcess,
  pid: number | undefined,
  graceMs: number,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (pid) signal(pid, 'SIGTERM');
  const done = await Promise.race([exited.then(() => true), sleep(graceMs, false, { ref: false })]);
  if (!done) {
    if (pid) signal(pid, 'SIGKILL');
    child.kill('SIGKILL');
    await exited;
  }
  // Closing our end of the pipe lets the watcher exit too; nothing of the child may keep our event loop alive.
  child.stdin?.end();
  (child.stdio[3] as (NodeJS.ReadableStream & { destroy?: () => void }) | null)?.destroy?.();
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

/** Polls `check` until it resolves true or `timeoutMs` passes; returns the last error for the message. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  options: { timeoutMs: number; intervalMs?: number; abortIf?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError = '';
  while (Date.now() < deadline) {
    const abort = options.abortIf?.();
    if (abort) throw new Error(`${what}: ${abort}`);
    try {
      if (await check()) return;
    } catch (error) {
      lastError = (error as Error).message;
    }
    await sleep(options.intervalMs ?? 200);
  }
  throw new Error(
    `${what}: not ready after ${options.timeoutMs / 1000}s${lastError ? ` (${lastError})` : ''}`,
  );
}

/** True when something accepts TCP connections on host:port. */
export function portOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A port the OS says is free right now (for tests, which must not collide with a developer's `stratus dev`). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
    server.once('error', reject);
  });
}

/**
 * A cross-process lock (mkdir is atomic), so two test runs or a test run and `stratus dev` never install
 * into the same cache at once. A lock older than `staleMs` is taken over.
 */
export async function withDirLock<T>(
  lockDir: string,
  work: () => Promise<T>,
  staleMs = 15 * 60_000,
): Promise<T> {
  for (;;) {
    try {
      mkdirSync(lockDir, { recursive: false });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      try {
        if (Date.now() - statSync(lockDir).mtimeMs > staleMs)
          rmSync(lockDir, { recursive: true, force: true });
      } catch {
        // Released meanwhile.
      }
      await sleep(250);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lockDir, { recursive: true, force: true });
  }
}

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replaceAll("'", "'\\''")}'`;
}
