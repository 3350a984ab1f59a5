/**
 * `startRuntime` given up by its signal (Ctrl-C during `stratus dev`'s start-up): it rejects with
 * `RuntimeStartAborted`, starts no further part, and stops what it had started — in order, so a client started
 * with the topics (the demo producer) is stopped while the broker still serves, not left sending to a broker that
 * is gone (it then waited out ~30 s of retries). The runtime's own broker and stores, real; their processes are
 * looked for among this test process's descendants.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../lib/local/process-utils.ts';
import { type RuntimeOptions, RuntimeStartAborted, startRuntime } from '../../../lib/local/runtime.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { descendantsRunning } from '../../support/descendants.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-runtime-abort-'));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }));

const PROCESSES = ['kafka.Kafka', 'dynalite', 's3proxy', 'moto_server'];

/** The payments tenant on a broker and emulator of its own, in a fresh state directory. */
async function options(name: string, signal: AbortSignal): Promise<RuntimeOptions> {
  const spec = loadStratusOrThrow({ rootDir: REPO });
  const stateDir = path.join(root, name);
  return {
    spec: { ...spec, platform: { ...spec.platform, local: { ...spec.platform.local, stateDir } } },
    tenants: ['payments'],
    ports: { kafka: await freePort(), kafkaController: await freePort(), aws: await freePort() },
    metricsPort: false,
    signal,
  };
}

/** Whether something accepts connections on 127.0.0.1:`port`. */
async function serving(port: number): Promise<boolean> {
  return fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(2_000) }).then(
    () => true,
    () => false,
  );
}

// Outside the KAFKA_BROKERS / AWS_ENDPOINT_URL a developer may have set: the runtime must start its own.
const external = { kafka: process.env.KAFKA_BROKERS, aws: process.env.AWS_ENDPOINT_URL };
delete process.env.KAFKA_BROKERS;
delete process.env.AWS_ENDPOINT_URL;
afterAll(() => {
  if (external.kafka !== undefined) process.env.KAFKA_BROKERS = external.kafka;
  if (external.aws !== undefined) process.env.AWS_ENDPOINT_URL = external.aws;
});

describe('startRuntime given up by its signal', () => {
  it('gives up the broker start under way and stops the stores: nothing it started is left', {
    timeout: 120_000,
  }, async () => {
    const abort = new AbortController();
    const base = await options('broker', abort.signal);
    let topicsReady = false;
    const lines: string[] = [];
    const start = startRuntime({
      ...base,
      onProgress: (line) => {
        lines.push(line);
        // The broker's JVM is spawned right after this line: the start is given up while it starts.
        if (line.startsWith('starting Kafka on')) abort.abort();
      },
      onTopicsReady: () => {
        topicsReady = true;
        return undefined;
      },
    });
    await expect(start).rejects.toBeInstanceOf(RuntimeStartAborted);
    expect(lines.some((line) => line.startsWith('Kafka at '))).toBe(false);
    expect(topicsReady).toBe(false);
    expect(descendantsRunning(PROCESSES)).toEqual([]);
    expect(await serving(base.ports!.aws!)).toBe(false);
    expect(await serving(base.ports!.kafka!)).toBe(false);
  });

  it('stops what was started with the topics while the broker still serves, and starts no consumer', {
    timeout: 120_000,
  }, async () => {
    const abort = new AbortController();
    const base = await options('topics', abort.signal);
    const consumersStarted: string[] = [];
    let topicsAtStop: string[] | undefined;
    const start = startRuntime({
      ...base,
      observerFor: (groupId) => {
        consumersStarted.push(groupId);
        return undefined;
      },
      onTopicsReady: (kafka) => {
        abort.abort();
        return {
          // What the demo producer's stop needs: a broker that answers.
          stop: async () => {
            const admin = kafka.admin();
            await admin.connect();
            try {
              topicsAtStop = await admin.listTopics();
            } finally {
              await admin.disconnect();
            }
          },
        };
      },
    });
    await expect(start).rejects.toBeInstanceOf(RuntimeStartAborted);
    expect(topicsAtStop).toContain('payments.orders');
    expect(consumersStarted).toEqual([]);
    expect(descendantsRunning(PROCESSES)).toEqual([]);
  });
});
