/**
 * The README's own command stopped the way a person stops it: `npm run dev` in a pseudo-terminal, one Ctrl-C
 * typed. The terminal sends SIGINT to the whole foreground process group (npm, its shell, node); the broker and
 * the stores run in sessions of their own and are stopped in order.
 *
 * - Once the first record is through: it must exit within a bound (goal < 5 s; asserted < 20 s for a loaded
 *   machine; the figure is printed), leave no process behind, and lose nothing: a restart drains, and the
 *   independent accounting finds every record in the table once.
 * - While it starts (the broker's JVM starting): the start is given up at once — no consumer starts after the
 *   Ctrl-C —, nothing is left running, and the next start serves from the state the abandoned one left.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { accountChaos } from '../../chaos/accounting.ts';
import { leftovers, startDev, untilReady } from '../../chaos/dev-process.ts';
import { type DevProject, fixedPort, functionLogOf, REPO } from '../../chaos/project.ts';

/** A project on the repository's manifests, with its own ports and state directory. */
async function terminalProject(): Promise<DevProject> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-ctrl-c-'));
  const kafka = await fixedPort(2);
  const project: DevProject = {
    rootDir: REPO,
    configFile: path.join(dir, 'stratus.config.yaml'),
    stateDir: path.join(dir, 'state'),
    ports: { kafka, aws: await fixedPort(), metrics: await fixedPort() },
    remove: () => rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }),
  };
  writeFileSync(
    project.configFile,
    `region: eu-west-1\nlocal: { kafkaPort: ${kafka}, awsPort: ${project.ports.aws}, metricsPort: ${project.ports.metrics}, stateDir: ${project.stateDir} }\n`,
  );
  return project;
}

interface Terminal {
  child: ChildProcess;
  screen(): string;
  /** Types Ctrl-C and waits for the exit, at most 20 s; resolves with how long it took (ms) or 'timeout'. */
  ctrlC(): Promise<number | 'timeout'>;
}

/** `npm run dev -- <args>` in a pseudo-terminal (test/support/pty-run.py). */
function npmRunDevInTerminal(project: DevProject, args: string[]): Terminal {
  const child = spawn(
    'python3',
    [
      path.join(REPO, 'test/support/pty-run.py'),
      'npm',
      'run',
      'dev',
      '--',
      '--config',
      project.configFile,
      ...args,
    ],
    {
      cwd: REPO,
      env: { ...process.env, KAFKA_BROKERS: '', AWS_ENDPOINT_URL: '' },
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  let screen = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    screen: () => screen,
    async ctrlC() {
      const pressed = Date.now();
      child.stdin!.write('ctrl-c\n');
      const bound = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 20_000));
      const outcome = await Promise.race([exited.then(() => Date.now() - pressed), bound]);
      if (outcome === 'timeout') child.kill('SIGKILL');
      return outcome;
    },
  };
}

describe('npm run dev in a terminal', () => {
  it('stops promptly on one Ctrl-C, with nothing left running and nothing lost', {
    timeout: 600_000,
  }, async () => {
    const project = await terminalProject();
    try {
      const terminal = npmRunDevInTerminal(project, ['--tenants', 'payments', '--rate', '20']);
      await expect
        .poll(terminal.screen, { timeout: 240_000, interval: 250 })
        .toMatch(/first record delivered/);
      // A few seconds of traffic, so the sink holds a buffer and batches are in flight.
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      const exitMs = await terminal.ctrlC();
      console.log(JSON.stringify({ test: 'ctrl-c', exitMs }));
      const screen = terminal.screen();
      expect(exitMs, `still running 20 s after Ctrl-C:\n${screen.slice(-3000)}`).not.toBe('timeout');
      expect(screen).toMatch(/stopped\. \([\d.]+ s after the signal\)/);
      writeFileSync(path.join(os.tmpdir(), 'stratus-ctrl-c-screen.txt'), screen);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(leftovers(project)).toEqual([]);

      // Nothing lost: what the sink had not delivered is still uncommitted in Kafka; a restart drains it.
      const dev = startDev(project, ['--no-producer', '--tenants', 'payments']);
      try {
        await untilReady(project, dev);
        const spec = loadStratusOrThrow({ rootDir: REPO, configFile: project.configFile });
        const account = await accountChaos({
          tenants: spec.tenants.filter((t) => t.name === 'payments'),
          brokers: [`127.0.0.1:${project.ports.kafka}`],
          awsEndpoint: `http://127.0.0.1:${project.ports.aws}`,
          region: spec.platform.region,
          functionLog: functionLogOf(project),
        });
        expect(account.lost).toBe(0);
        expect(account.duplicateRows).toBe(0);
        expect(account.misrouted).toBe(0);
        expect(account.tables[0]!.rows).toBeGreaterThan(0);
      } finally {
        dev.child.kill('SIGINT');
        await dev.exited;
      }
    } finally {
      project.remove();
    }
  });

  it('gives up the start on a Ctrl-C while the broker starts, and the next start serves', {
    timeout: 300_000,
  }, async () => {
    const project = await terminalProject();
    try {
      const terminal = npmRunDevInTerminal(project, ['--tenants', 'payments', '--no-portal']);
      // The broker's JVM has just been spawned: it takes a second or more to serve.
      await expect.poll(terminal.screen, { timeout: 240_000, interval: 50 }).toMatch(/starting Kafka on/);
      const exitMs = await terminal.ctrlC();
      const screen = terminal.screen();
      console.log(
        JSON.stringify({ test: 'ctrl-c during start-up', exitMs, brokerServed: /Kafka at 127/.test(screen) }),
      );
      expect(exitMs, `still running 20 s after Ctrl-C:\n${screen.slice(-3000)}`).not.toBe('timeout');
      expect(screen).toMatch(/during start-up: giving up the start/);
      expect(screen).toMatch(/stopped\. \([\d.]+ s after the signal\)/);
      // Given up, not finished first: no consumer started after the Ctrl-C, and it never said it was ready.
      expect(screen).not.toMatch(/consumer payments\.enrich-orders:/);
      expect(screen).not.toMatch(/ready in/);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(leftovers(project)).toEqual([]);

      // What the abandoned start left on disk (a formatted or half-started broker's data) starts again.
      const dev = startDev(project, ['--no-producer', '--tenants', 'payments', '--no-portal']);
      try {
        await untilReady(project, dev);
      } finally {
        dev.child.kill('SIGINT');
        await dev.exited;
      }
      expect(leftovers(project)).toEqual([]);
    } finally {
      project.remove();
    }
  });
});
