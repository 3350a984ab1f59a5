/**
 * HTTP ingest while the broker is really down: the runtime runs its own supervised broker (the shared one must
 * not be disturbed), which the test stops for real — SIGKILL (the supervisor notices and restarts it) and
 * SIGSTOP (a broker that hangs: nothing tells the runtime, only the missing acknowledgement does). Either way
 * the answer is 503 with Retry-After, the records are reported as not acknowledged, and after the broker is back
 * the same request is accepted and read back from Kafka. Nothing is acknowledged that the broker did not take.
 */
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestPath } from '../../../lib/core/naming.ts';
import type { IngestResponseBody } from '../../../lib/ingest/ingest-service.ts';
import { controlAuthHeaders } from '../../../lib/local/control-token.ts';
import { type Runtime, startRuntime } from '../../../lib/local/runtime.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/load.ts';
import { fixedPort } from '../../chaos/project.ts';
import { type IngestProject, ingestProject } from '../../support/ingest-project.ts';
import { testServices } from '../../support/services.ts';
import { readMessages, topicSize } from '../sdk/helpers.ts';

let project: IngestProject;
let runtime: Runtime;
let kafka: Kafka;
const savedEndpoint = process.env.AWS_ENDPOINT_URL;

async function post(orderId: string) {
  const response = await fetch(`${runtime.metricsUrl}${ingestPath(project.tenant, 'orders')}`, {
    method: 'POST',
    headers: {
      ...controlAuthHeaders(runtime.observability!.server.controlToken),
      'content-type': 'application/json',
    },
    body: JSON.stringify({ orderId, amount: 5, currency: 'EUR', country: 'NL' }),
  });
  return { response, body: (await response.json()) as IngestResponseBody };
}

const kafkaUp = () => !runtime.availability.downServices.includes('Kafka');

beforeAll(async () => {
  project = await ingestProject();
  // The shared AWS emulator; the broker is the runtime's own, supervised.
  process.env.AWS_ENDPOINT_URL = testServices().awsEndpoint;
  const port = await fixedPort(2);
  runtime = await startRuntime({
    spec: loadStratusOrThrow({ rootDir: project.rootDir }),
    ports: { kafka: port, kafkaController: port + 1 },
    kafkaDataDir: path.join(project.rootDir, '.stratus/kafka'),
    metricsPort: 0,
  });
  kafka = runtime.kafka;
}, 300_000);

afterAll(async () => {
  await runtime?.stop();
  if (savedEndpoint === undefined) delete process.env.AWS_ENDPOINT_URL;
  else process.env.AWS_ENDPOINT_URL = savedEndpoint;
  project?.remove();
});

describe('ingest while the broker is down', () => {
  it('answers 503 with Retry-After while the killed broker restarts, then accepts again', {
    timeout: 240_000,
  }, async () => {
    expect((await post('before-kill')).response.status).toBe(200);
    const pid = runtime.processes().kafka!;
    process.kill(pid, 'SIGKILL');
    await expect.poll(kafkaUp, { timeout: 30_000, interval: 50 }).toBe(false);

    const down = await post('during-outage');
    expect(down.response.status).toBe(503);
    expect(down.response.headers.get('retry-after')).toBe('5');
    expect(down.body).toMatchObject({
      accepted: 0,
      failed: 1,
      results: [{ index: 0, status: 'failed', reason: 'UNAVAILABLE' }],
      batchItemFailures: [{ itemIdentifier: 0 }],
    });

    await expect.poll(kafkaUp, { timeout: 180_000, interval: 250 }).toBe(true);
    // The client retries as told until the broker takes the record.
    await expect
      .poll(async () => (await post('after-restart')).response.status, { timeout: 60_000, interval: 1_000 })
      .toBe(200);
    const keys = (await readMessages(kafka, project.topics.orders, 2)).map((m) => m.key);
    expect(keys).toContain('before-kill');
    expect(keys).toContain('after-restart');
    expect(keys).not.toContain('during-outage');
  });

  it('answers 503 when a hung broker does not acknowledge within the deadline, then accepts after it resumes', {
    timeout: 120_000,
  }, async () => {
    const pid = runtime.processes().kafka!;
    const before = await topicSize(kafka, project.topics.orders);
    process.kill(pid, 'SIGSTOP');
    let hung: Awaited<ReturnType<typeof post>>;
    const started = Date.now();
    try {
      hung = await post('while-hung');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect(hung.response.status).toBe(503);
    expect(hung.response.headers.get('retry-after')).toBe('5');
    expect(hung.body.results[0]).toMatchObject({
      status: 'failed',
      reason: 'UNAVAILABLE',
      message: expect.stringMatching(/no acknowledgement from the broker within 10s|did not acknowledge/),
    });
    expect(Date.now() - started).toBeLessThan(30_000);
    await expect
      .poll(async () => (await post('after-resume')).response.status, { timeout: 60_000, interval: 1_000 })
      .toBe(200);
    // The unacknowledged record may or may not have been written (at-least-once); the acknowledged one is.
    const after = await topicSize(kafka, project.topics.orders);
    expect(after - before).toBeGreaterThanOrEqual(1);
    const keys = (await readMessages(kafka, project.topics.orders, after)).map((m) => m.key);
    expect(keys).toContain('after-resume');
  });
});
