import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { glueDatabaseName, topicName } from '../../../lib/core/naming.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import type { SinkSpec, TopicSpec } from '../../../lib/manifest/spec.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

export function loadSchema(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;
}

/** A topic and sink pair with names no other test uses. */
export function sinkFixture(options: {
  tenant: string;
  schemaFile: string;
  partitions?: number;
  sink: Partial<SinkSpec> & Pick<SinkSpec, 'format'>;
}): { topic: TopicSpec; sink: SinkSpec } {
  const topicKey = `t-${randomUUID().slice(0, 8)}`;
  const topic: TopicSpec = {
    key: topicKey,
    name: topicName(options.tenant, topicKey),
    partitions: options.partitions ?? 3,
    retentionMs: -1,
    cleanupPolicy: 'delete',
    schemaFile: options.schemaFile,
    schema: loadSchema(options.schemaFile),
    removalPolicy: 'destroy',
    isDlq: false,
    compatibility: 'BACKWARD',
    quality: [],
    source: { file: 'test', line: 1, col: 1 },
  };
  const key = `s-${randomUUID().slice(0, 8)}`;
  const sink: SinkSpec = {
    key,
    tenant: options.tenant,
    topicKey,
    topic: topic.name,
    database: glueDatabaseName(options.tenant),
    table: key.replaceAll('-', '_'),
    bufferSizeBytes: 64 * 1024 * 1024,
    // Deliveries in tests happen on flush(), never on a timer.
    bufferIntervalMs: 900_000,
    partitionBy: [],
    prefix: `${options.tenant}/${key}/`,
    expectations: {},
    startFrom: 'earliest',
    source: { file: 'test', line: 1, col: 1 },
    ...options.sink,
  };
  return { topic, sink };
}

export async function createTopic(kafka: Kafka, topic: TopicSpec): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await createTopicsReadable(admin, [{ topic: topic.name, numPartitions: topic.partitions }]);
  await admin.disconnect();
}

export async function produce(kafka: Kafka, topic: string, values: unknown[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic,
    messages: values.map((value, i) => ({
      key: String(i),
      value: typeof value === 'string' ? value : JSON.stringify(value),
    })),
  });
  await producer.disconnect();
}

/** An enriched order (schemas/payments/order-enriched.schema.json) on one of three days. */
export function enrichedOrder(i: number): Record<string, unknown> {
  const day = 20 + (i % 3);
  return {
    eventId: randomUUID(),
    type: 'order.created',
    orderId: `ord-${i}`,
    customerId: `cust-${i % 7}`,
    amount: 10 + i / 4,
    currency: 'EUR',
    amountEur: 10 + i / 4,
    itemCount: 1 + (i % 5),
    riskBand: ['low', 'medium', 'high'][i % 3],
    ...(i % 2 === 0 ? { country: 'FR' } : {}),
    createdAt: `2026-11-${day}T0${i % 10}:15:00.${String(i % 1000).padStart(3, '0')}250Z`,
    enrichedAt: '2026-11-24T08:00:00Z',
  };
}

/** A sessionised page view (schemas/clickstream/session-view.schema.json). */
export function sessionView(i: number): Record<string, unknown> {
  return {
    eventId: `pv-${i}`,
    userId: `u-${i % 5}`,
    sessionId: `s-${i % 3}`,
    url: `https://example.com/p/${i}`,
    path: `/p/${i}`,
    referrerHost: i % 2 ? null : 'example.org',
    durationMs: i * 10,
    viewedAt: `2026-11-${22 + (i % 2)}T12:00:00Z`,
  };
}

/** Waits until `check` holds, polling; the test's own timeout bounds it. */
export async function until(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; ; i++) {
    if (await check()) return;
    if (i > 600) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
