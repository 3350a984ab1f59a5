/**
 * A broker that cannot start says why: a real port clash (a socket bound to the port but not listening, so
 * the pre-start check cannot see it and the JVM's bind fails) is retried once on new ports when the caller can
 * move, and otherwise fails with the likely cause, the log's last lines and a log kept outside the data dir.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedKafka } from '../../../lib/local/kafka-broker.ts';
import { freePort } from '../../../lib/local/process-utils.ts';

const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-broker-start-'));
const holders: ChildProcess[] = [];
afterAll(() => {
  for (const holder of holders) holder.kill();
  rmSync(root, { recursive: true, force: true });
});

/** Holds 127.0.0.1:port with a bound, non-listening socket (what another program's socket looks like to bind). */
async function holdPort(port: number): Promise<void> {
  const holder = spawn(
    'python3',
    [
      '-c',
      `import socket,time\ns=socket.socket()\ns.bind(('127.0.0.1', ${port}))\nprint('held', flush=True)\ntime.sleep(600)`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  holders.push(holder);
  await new Promise((resolve) => holder.stdout!.once('data', resolve));
}

describe('embedded broker start', () => {
  it('retries once on new ports after a port clash', { timeout: 240_000 }, async () => {
    const [port, controllerPort] = [await freePort(), await freePort()];
    await holdPort(port);
    const lines: string[] = [];
    const next = { port: await freePort(), controllerPort: await freePort() };
    const broker = await startEmbeddedKafka({
      port,
      controllerPort,
      dataDir: path.join(root, 'retry'),
      pickPorts: async () => next,
      onProgress: (line) => lines.push(line),
    });
    try {
      expect(broker.brokers).toEqual([`127.0.0.1:${next.port}`]);
      expect(lines.join('\n')).toMatch(
        new RegExp(`retrying once on ports ${next.port}/${next.controllerPort}`),
      );
    } finally {
      await broker.stop();
    }
  });

  it('fails with the likely cause, the last lines of the log and a kept log when it cannot move', {
    timeout: 240_000,
  }, async () => {
    const [port, controllerPort] = [await freePort(), await freePort()];
    await holdPort(port);
    const dataDir = path.join(root, 'fail');
    const keepLogsIn = path.join(root, 'kept-logs');
    const error = await startEmbeddedKafka({ port, controllerPort, dataDir, keepLogsIn }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(new RegExp(`Kafka did not start on 127.0.0.1:${port}`));
    expect(error?.message).toMatch(new RegExp(`likely cause: a port is taken \\(port ${port}\\)`));
    expect(error?.message).toMatch(/last lines of the broker's log:\n.*Address already in use/s);
    const kept = /full log: (\S+)/.exec(error!.message)![1]!;
    expect(kept.startsWith(keepLogsIn)).toBe(true);
    expect(existsSync(kept)).toBe(true);
    rmSync(dataDir, { recursive: true, force: true });
    expect(readFileSync(kept, 'utf8')).toMatch(/Address already in use/);
  });
});
