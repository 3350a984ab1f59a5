import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type KafkaBroker, startEmbeddedKafka } from '../../../lib/local/kafka-broker.ts';
import { createObservability, type Observability } from '../../../lib/local/observability/index.ts';
import { freePort } from '../../../lib/local/process-utils.ts';
import type { ConsumerSpec } from '../../../lib/manifest/spec.ts';
import { testServices } from '../../support/services.ts';

interface ReadyBody {
  status: string;
  checks: Record<string, { ok: boolean; detail: string }>;
  notReady: string[];
}

/**
 * /readyz against a broker of its own (stopping the run's shared broker would break every other test): it
 * must fail while the broker is down, say so in its body, and recover when the broker is back.
 */
describe('/readyz follows the broker', () => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-readyz-'));
  let broker: KafkaBroker | undefined;
  let observability: Observability | undefined;

  afterAll(async () => {
    await observability?.stop();
    await broker?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const readyz = async () => {
    const response = await fetch(`${observability!.server.url}/readyz`);
    return { status: response.status, body: (await response.json()) as ReadyBody };
  };

  it('answers 503 naming the broker while it is stopped and 200 once it is back', {
    timeout: 300_000,
  }, async () => {
    const [port, controllerPort] = [await freePort(), await freePort()];
    const start = () => startEmbeddedKafka({ port, controllerPort, dataDir, heapMb: 256 });
    broker = await start();
    observability = await createObservability({
      tenants: [],
      brokers: broker.brokers,
      awsEndpoint: testServices().awsEndpoint,
      port: 0,
      sampleLag: false,
      processMetrics: false,
    });
    let consumerRunning = true;
    observability.registerConsumer({ groupId: 'shop.enrich' } as ConsumerSpec, () =>
      consumerRunning ? { running: true } : { running: false, detail: 'paused for a replay' },
    );

    const up = await readyz();
    expect(up.status).toBe(200);
    expect(up.body.status).toBe('ready');
    expect(Object.keys(up.body.checks).sort()).toEqual(['aws', 'consumer:shop.enrich', 'kafka']);

    consumerRunning = false;
    const paused = await readyz();
    expect(paused.status).toBe(503);
    expect(paused.body.notReady).toEqual(['consumer shop.enrich is not running: paused for a replay']);
    consumerRunning = true;

    await broker.stop();
    broker = undefined;
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not ready');
    expect(down.body.checks.kafka!.ok).toBe(false);
    expect(down.body.checks.aws!.ok).toBe(true);
    expect(down.body.notReady).toHaveLength(1);
    expect(down.body.notReady[0]).toContain(`Kafka broker at 127.0.0.1:${port} is not reachable`);
    // Liveness is about the process, not its dependencies.
    expect((await fetch(`${observability.server.url}/healthz`)).status).toBe(200);

    broker = await start();
    const back = await readyz();
    expect(back.status).toBe(200);
    expect(back.body.checks.kafka!.ok).toBe(true);
  });
});
