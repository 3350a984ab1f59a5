/**
 * `stratus dev` in a child process, as a user starts it, with what a chaos run needs: wait until it is ready,
 * kill it (SIGKILL, nothing cleaned up) or stop it (SIGINT, timed), and find the processes it supervises by
 * their command lines (so a test kills the real broker JVM, not the shell that tethers it).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import type { DevProject } from './project.ts';
import { REPO } from './project.ts';

export interface DevProcess {
  child: ChildProcess;
  /** Everything it printed so far. */
  output(): string;
  /** Epoch ms when it was spawned. */
  startedAt: number;
  /** Resolves with the exit code (or signal name) once it exited. */
  exited: Promise<string>;
}

export function startDev(project: DevProject, args: string[] = ['--no-producer']): DevProcess {
  const child = spawn(
    process.execPath,
    [path.join(REPO, 'bin/stratus-cli.mjs'), 'dev', '--config', project.configFile, ...args],
    {
      cwd: project.rootDir,
      env: { ...process.env, KAFKA_BROKERS: '', AWS_ENDPOINT_URL: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  // Never outlive the harness: a harness that is stopped takes its `stratus dev` with it.
  const orphanGuard = () => child.kill('SIGKILL');
  process.once('exit', orphanGuard);
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      process.off('exit', orphanGuard);
      resolve(signal ?? String(code));
    }),
  );
  return { child, output: () => text, startedAt: Date.now(), exited };
}

/** GET /readyz status (0 when nothing answers). */
export async function readyStatus(project: DevProject): Promise<number> {
  try {
    const response = await fetch(`http://127.0.0.1:${project.ports.metrics}/readyz`, {
      signal: AbortSignal.timeout(3_000),
    });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

/** Waits until /readyz answers 200; rejects with the output when the process exits or `timeoutMs` passes. */
export async function untilReady(project: DevProject, dev: DevProcess, timeoutMs = 180_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let exited: string | undefined;
  void dev.exited.then((how) => {
    exited = how;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined)
      throw new Error(`stratus dev exited (${exited}) before it was ready:\n${dev.output().slice(-3000)}`);
    if ((await readyStatus(project)) === 200) return Date.now();
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  // What /readyz says is not ready is the first thing to read.
  const readiness = await fetch(`http://127.0.0.1:${project.ports.metrics}/readyz`, {
    signal: AbortSignal.timeout(3_000),
  }).then(
    (response) => response.text(),
    (error: Error) => `(no answer: ${error.message})`,
  );
  throw new Error(
    `stratus dev was not ready after ${timeoutMs / 1000}s; /readyz: ${readiness.slice(0, 1500)}\n${dev.output().slice(-3000)}`,
  );
}

/** SIGKILL: nothing is stopped in order, nothing flushed. */
export async function killDev(dev: DevProcess): Promise<void> {
  dev.child.kill('SIGKILL');
  await dev.exited;
}

/** Pids of processes whose command line contains every one of `needles` (never the tethering shells). */
export function pidsOf(...needles: string[]): number[] {
  const listing = execFileSync('ps', ['-eo', 'pid=,comm=,args='], { encoding: 'utf8' });
  return listing
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line))
    .filter(
      (m): m is RegExpExecArray => m !== null && m[2] !== 'sh' && needles.every((n) => m[3]!.includes(n)),
    )
    .map((m) => Number(m[1]));
}

/** The processes `stratus dev` supervises for this project, by what they are. */
export function supervisedPids(project: DevProject): Record<'kafka' | 's3' | 'dynamodb' | 'moto', number[]> {
  return {
    kafka: pidsOf(path.join(project.stateDir, 'kafka', 'server.properties'), 'kafka.Kafka'),
    s3: pidsOf(path.join(project.stateDir, 'aws', 's3proxy.properties')),
    dynamodb: pidsOf('dynalite', path.join(project.stateDir, 'aws', 'dynamodb')),
    moto: motoPids(project),
  };
}

/** moto's command line names only its port; the log file it writes to names the project. */
function motoPids(project: DevProject): number[] {
  const logFile = path.join(project.stateDir, 'logs', 'moto.log');
  return pidsOf('moto_server').filter((pid) => {
    try {
      return execFileSync('readlink', [`/proc/${pid}/fd/1`], { encoding: 'utf8' }).trim() === logFile;
    } catch {
      return false;
    }
  });
}

/** Every process still alive that belongs to the project (its state directory in the command line or log). */
export function leftovers(project: DevProject): number[] {
  const pids = supervisedPids(project);
  return [...pids.kafka, ...pids.s3, ...pids.dynamodb, ...pids.moto];
}
