/**
 * The example tenants' handlers, configured from their manifests exactly as the platform configures them
 * (TenantSpec → consumerEnvironment), running against the real broker and moto. Topic names get a unique
 * suffix so test files sharing the broker never read each other's records.
 */
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { StratusHandler } from '../../../functions/sdk/index.ts';
import { parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { consumerEnvironment } from '../../../lib/core/function-env.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/load.ts';
import { schemaValidatorFor } from '../../../lib/manifest/module-files.ts';
import type { StratusSpec } from '../../../lib/manifest/spec.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { captureOutput, lambdaContext, mskEvent } from '../../unit/sdk/msk-fixtures.ts';
import { createIdempotencyTable, createTopics, readMessages, useEmulatorEnvironment } from './helpers.ts';

let spec: StratusSpec;
let kafka: Kafka;
let table: string;
const opened: StratusHandler[] = [];

beforeAll(async () => {
  useEmulatorEnvironment();
  spec = loadStratusOrThrow();
  kafka = testServices().kafka('sdk-examples-test');
  ({ table } = await createIdempotencyTable());
});

afterEach(() => {
  vi.resetModules();
});

afterAll(async () => {
  await Promise.all(opened.map((handler) => handler.stratus.close()));
});

/** Sets the function environment from the manifest, imports the handler module (a cold start) and returns it. */
async function coldStart(tenant: string, consumerKey: string) {
  const consumer = spec.tenants.find((t) => t.name === tenant)!.consumers.find((c) => c.key === consumerKey)!;
  const topic = spec.tenants.find((t) => t.name === tenant)!.topics.find((t) => t.key === consumer.topicKey)!;
  const outputTopic = spec.tenants
    .find((t) => t.name === tenant)!
    .topics.find((t) => t.key === consumer.outputKey)!;
  const suffix = uniqueName('t');
  const output = `${consumer.output}-${suffix}`;
  const dlq = consumer.onFailureTopic ? `${consumer.onFailureTopic}-${suffix}` : undefined;
  await createTopics(kafka, [{ topic: output, numPartitions: 3 }, ...(dlq ? [{ topic: dlq }] : [])]);
  const env = consumerEnvironment({
    tenant,
    consumer: consumer.key,
    sourceTopic: consumer.topic,
    outputTopic: output,
    dlqTopic: dlq,
    kafkaBrokers: testServices().brokers.join(','),
    kafkaAuth: 'plaintext',
    idempotency: consumer.idempotency && { ...consumer.idempotency, table },
    schemaFile: topic.schemaFile && path.resolve(spec.platform.rootDir, topic.schemaFile),
    outputSchemaFile: outputTopic.schemaFile && path.resolve(spec.platform.rootDir, outputTopic.schemaFile),
    logLevel: 'INFO',
    awsEndpoint: testServices().awsEndpoint,
  });
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
  const module = (await import(path.resolve(spec.platform.rootDir, consumer.handlerFile))) as {
    handler: StratusHandler;
  };
  opened.push(module.handler);
  const schema = outputTopic.schema!;
  return {
    handler: module.handler,
    output,
    dlq,
    source: consumer.topic,
    validOutput: schemaValidatorFor(schema).compile(schema),
  };
}

const order = (eventId: string, currency: string, type = 'order.created') => ({
  eventId,
  type,
  orderId: `ord-${eventId.slice(-4)}`,
  customerId: 'cust-1',
  amount: 120,
  currency,
  items: [{ sku: 'sku-1', quantity: 3, unitPrice: 40 }],
  country: 'FR',
  createdAt: '2026-11-24T08:00:00Z',
});
const uuid = (n: number) => `0b6f8c3e-8a49-4d6b-9d2e-${String(n).padStart(12, '0')}`;

describe('example handlers configured from their manifests', () => {
  it('payments enrich-orders: enriches, drops cancellations, fails unknown currencies, dead-letters invalid orders, skips duplicate events', async () => {
    const { handler, output, dlq, source, validOutput } = await coldStart('payments', 'enrich-orders');
    const event = mskEvent([
      { topic: source, partition: 0, offset: 1, key: 'ord-0001', value: order(uuid(1), 'USD') },
      {
        topic: source,
        partition: 0,
        offset: 2,
        key: 'ord-0002',
        value: order(uuid(2), 'EUR', 'order.cancelled'),
      },
      // The upstream producer retried: same eventId at a later offset.
      { topic: source, partition: 0, offset: 3, key: 'ord-0001', value: order(uuid(1), 'USD') },
      { topic: source, partition: 1, offset: 7, key: 'ord-0003', value: order(uuid(3), 'XAU') },
      {
        topic: source,
        partition: 2,
        offset: 4,
        key: 'ord-0004',
        value: { ...order(uuid(4), 'GBP'), amount: 0 },
      },
      { topic: source, partition: 2, offset: 5, key: 'ord-0005', value: order(uuid(5), 'GBP') },
    ]);
    const { result, lines } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: `${source}-1`, offset: 7 } }],
    });

    const produced = await readMessages(kafka, output, 2);
    const values = produced.map((m) => JSON.parse(m.value!));
    for (const value of values) expect(validOutput(value), JSON.stringify(validOutput.errors)).toBe(true);
    expect(values.map((v) => [v.eventId, v.amountEur, v.itemCount, v.riskBand]).sort()).toEqual([
      [uuid(1), 110.4, 3, 'medium'],
      [uuid(5), 140.4, 3, 'medium'],
    ]);
    expect(produced.map((m) => m.key).sort()).toEqual(['ord-0001', 'ord-0005']);

    const [deadLetter] = await readMessages(kafka, dlq!, 1);
    const parsed = parseDlqEnvelope(deadLetter!.value);
    expect(parsed.ok && parsed.envelope).toMatchObject({
      tenant: 'payments',
      consumer: 'enrich-orders',
      reason: 'SCHEMA_VIOLATION',
      source: { partition: 2, offset: 4 },
    });
    expect(Object.assign({}, ...lines.filter((l) => l._aws !== undefined))).toMatchObject({
      RecordsIn: 6,
      RecordsOut: 2,
      RecordsFailed: 1,
      RecordsDeadLettered: 1,
      RecordsDuplicate: 1,
    });
  });

  it('clickstream sessionize: writes sessions that match the sessions schema, keyed like the source', async () => {
    const { handler, output, source, validOutput } = await coldStart('clickstream', 'sessionize');
    const view = (n: number, userId: string, viewedAt: string) => ({
      eventId: `7d1d7b8e-1f7a-4c49-9a8a-${String(n).padStart(12, '0')}`,
      userId,
      url: `https://shop.example.com/p/${n}?q=1`,
      referrer: n % 2 ? 'https://news.example.org/a' : null,
      isBot: false,
      durationMs: 100 * n,
      viewedAt,
    });
    const event = mskEvent([
      { topic: source, partition: 0, offset: 1, key: 'u-1', value: view(1, 'u-1', '2026-11-24T08:01:00Z') },
      { topic: source, partition: 0, offset: 2, key: 'u-1', value: view(2, 'u-1', '2026-11-24T08:20:00Z') },
      { topic: source, partition: 1, offset: 1, key: 'u-2', value: view(3, 'u-2', '2026-11-24T08:01:00Z') },
    ]);
    const { result } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [] });
    const produced = await readMessages(kafka, output, 3);
    const values = produced.map((m) => JSON.parse(m.value!));
    for (const value of values) expect(validOutput(value), JSON.stringify(validOutput.errors)).toBe(true);
    const byEvent = new Map(values.map((v) => [v.eventId.slice(-1), v]));
    expect(byEvent.get('1').sessionId).toBe(byEvent.get('2').sessionId);
    expect(byEvent.get('3').sessionId).not.toBe(byEvent.get('1').sessionId);
    expect(byEvent.get('1')).toMatchObject({ path: '/p/1', referrerHost: 'news.example.org' });
    expect(byEvent.get('2')).toMatchObject({ referrerHost: null });
    expect(produced.map((m) => m.key).sort()).toEqual(['u-1', 'u-1', 'u-2']);
  });
});
