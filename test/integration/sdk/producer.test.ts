/**
 * The producer SDK against the run's real Kafka broker (and moto's SSM for the brokers parameter): valid records
 * land with their keys and lineage headers, invalid ones are refused with a typed error before anything is sent,
 * batches coalesce, a large send is split under the broker's record-batch limit, and close() delivers everything
 * still queued.
 */
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createProducer,
  ProducerClosedError,
  RecordRejectedError,
  StratusConfigurationError,
  type TopicProducer,
} from '../../../functions/sdk/produce/index.ts';
import { createKafkaPublisher, type RecordPublisher } from '../../../functions/sdk/producer.ts';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { producerParameterNames } from '../../../lib/core/naming.ts';
import { type IngestProject, ingestProject, type Order } from '../../support/ingest-project.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { createTopics, readMessages, topicSize } from './helpers.ts';

let project: IngestProject;
let kafka: Kafka;
const open: Array<TopicProducer<unknown>> = [];

async function producer<T = Order>(overrides: Record<string, unknown> = {}): Promise<TopicProducer<T>> {
  const created = await createProducer<T>({
    tenant: project.tenant,
    topic: 'orders',
    producer: 'checkout',
    key: 'orderId',
    rootDir: project.rootDir,
    brokers: testServices().brokers,
    auth: 'plaintext',
    env: {},
    ...overrides,
  });
  open.push(created as TopicProducer<unknown>);
  return created;
}

const order = (orderId: string, extra: Partial<Order> = {}): Order => ({
  orderId,
  amount: 12.5,
  currency: 'EUR',
  country: 'FR',
  ...extra,
});

beforeAll(async () => {
  project = await ingestProject();
  kafka = testServices().kafka();
  await createTopics(kafka, [
    { topic: project.topics.orders, numPartitions: 3 },
    { topic: project.topics.events },
  ]);
});

afterAll(async () => {
  await Promise.all(open.map((p) => p.close().catch(() => {})));
  project.remove();
});

describe('producer SDK against the real broker', () => {
  it('sends valid records with their keys, lineage headers and the caller headers, acknowledged before resolving', async () => {
    const orders = await producer();
    await orders.send(order('ord-1'), { headers: { source: 'web' }, correlationId: 'corr-1' });
    await orders.send(order('ord-2'), { key: 'explicit-key' });
    await orders.send(order('ord-3'), {
      key: null,
      headers: { [LINEAGE_HEADERS.traceId]: 'upstream-trace' },
    });
    // Resolved sends are acknowledged: the records are in the log before anyone reads.
    expect(await topicSize(kafka, project.topics.orders)).toBe(3);

    const messages = await readMessages(kafka, project.topics.orders, 3);
    const byOrder = new Map(messages.map((m) => [JSON.parse(m.value!).orderId, m]));
    expect(byOrder.get('ord-1')).toMatchObject({
      key: 'ord-1',
      headers: {
        source: 'web',
        [LINEAGE_HEADERS.tenant]: project.tenant,
        [LINEAGE_HEADERS.producer]: 'checkout',
        [LINEAGE_HEADERS.correlationId]: 'corr-1',
      },
    });
    expect(byOrder.get('ord-1')!.headers[LINEAGE_HEADERS.traceId]).toMatch(/^[0-9a-f-]{36}$/);
    expect(byOrder.get('ord-2')!.key).toBe('explicit-key');
    expect(byOrder.get('ord-3')!.key).toBeNull();
    expect(byOrder.get('ord-3')!.headers[LINEAGE_HEADERS.traceId]).toBe('upstream-trace');
    expect(byOrder.get('ord-1')!.headers[LINEAGE_HEADERS.consumer]).toBeUndefined();
    // The key is Kafka's murmur2 partitioning input: the same key lands on the same partition every time.
    await orders.send(order('ord-1', { amount: 99 }));
    const again = await readMessages(kafka, project.topics.orders, 4);
    const ord1 = again.filter((m) => m.key === 'ord-1');
    expect(new Set(ord1.map((m) => m.partition)).size).toBe(1);
  });

  it('refuses invalid values with a typed error and sends nothing', async () => {
    const orders = await producer();
    const before = await topicSize(kafka, project.topics.orders);
    const refused = async (value: unknown, options = {}) =>
      orders.send(value as Order, options).then(
        () => undefined,
        (error: unknown) => error,
      );

    const schema = await refused({ orderId: 'x', amount: 'twelve', currency: 'GBP' });
    expect(schema).toBeInstanceOf(RecordRejectedError);
    expect(schema).toMatchObject({ reason: 'SCHEMA_VIOLATION' });
    expect((schema as RecordRejectedError).violations).toEqual(
      expect.arrayContaining([
        '/amount must be number',
        '/currency must be equal to one of the allowed values',
      ]),
    );

    const quality = await refused(order('ord-q', { amount: -1 }));
    expect(quality).toMatchObject({ reason: 'DATA_QUALITY', rules: ['positive-amount'] });
    expect((quality as Error).message).toMatch(/failed data-quality rule "positive-amount"/);

    expect(await refused({ amount: 1, currency: 'EUR' })).toMatchObject({ reason: 'SCHEMA_VIOLATION' });
    const noKey = await refused({ amount: 1, currency: 'EUR', orderId: 7 }, {});
    expect(noKey).toMatchObject({ reason: 'SCHEMA_VIOLATION' });
    const big = await refused(order('ord-big', { country: 'x'.repeat(1_000_001) }));
    expect(big).toMatchObject({ reason: 'TOO_LARGE' });
    const cyclic: Record<string, unknown> = { ...order('ord-c') };
    cyclic.self = cyclic;
    expect(await refused(cyclic)).toMatchObject({ reason: 'NOT_JSON' });

    // A warn-level rule does not stop the record (no country).
    await orders.send(order('ord-warn', { country: undefined }));
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 1);
  });

  it('refuses a record whose key field is missing', async () => {
    const events = await producer<{ sessionId?: string }>({
      topic: 'events',
      producer: 'tracker',
      key: 'sessionId',
    });
    await expect(events.send({})).rejects.toMatchObject({
      reason: 'KEY_MISSING',
      message: 'the key field "sessionId" is missing',
    });
    await events.send({ sessionId: 's-1' });
    expect((await readMessages(kafka, project.topics.events, 1))[0]!.key).toBe('s-1');
  });

  it('sends a batch all or nothing: one invalid record and none is sent, every refusal listed', async () => {
    const orders = await producer();
    const before = await topicSize(kafka, project.topics.orders);
    const error = await orders
      .sendBatch([
        { value: order('b-1') },
        { value: order('b-2', { amount: 0 }) },
        { value: order('b-3') },
        { value: { orderId: 'b-4' } as Order },
      ])
      .catch((e: RecordRejectedError) => e);
    expect(error).toBeInstanceOf(RecordRejectedError);
    expect((error as RecordRejectedError).rejections.map((r) => [r.index, r.reason])).toEqual([
      [1, 'DATA_QUALITY'],
      [3, 'SCHEMA_VIOLATION'],
    ]);
    expect(await topicSize(kafka, project.topics.orders)).toBe(before);
    await orders.sendBatch([{ value: order('b-1') }, { value: order('b-3') }]);
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 2);
  });

  it('coalesces concurrent sends into few produce requests, and splits a large send under the broker limit', async () => {
    const { brokers } = testServices();
    const real = createKafkaPublisher({ clientId: uniqueName('counted'), brokers, auth: 'plaintext' });
    const requests: number[] = [];
    const counting: RecordPublisher = {
      async publish(batches) {
        requests.push(batches.reduce((sum, b) => sum + b.messages.length, 0));
        await real.publish(batches);
      },
      close: () => real.close(),
    };
    const orders = await producer({ publisher: counting });
    const before = await topicSize(kafka, project.topics.orders);
    await Promise.all(Array.from({ length: 500 }, (_, i) => orders.send(order(`c-${i}`))));
    expect(requests.reduce((a, b) => a + b, 0)).toBe(500);
    expect(requests.length).toBeLessThan(50);

    // 30 records of ~100 KB with one key: one partition, ~3 MB, three times the broker's record-batch limit.
    requests.length = 0;
    const pad = 'p'.repeat(100_000);
    await orders.sendBatch(
      Array.from({ length: 30 }, (_, i) => ({ value: order(`big-${i}`, { country: pad }), key: 'same' })),
    );
    expect(requests.length).toBeGreaterThanOrEqual(3);
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 530);
    await orders.close();
    await real.close();
  });

  it('close() delivers every record still queued, then refuses new sends', async () => {
    const orders = await producer();
    const before = await topicSize(kafka, project.topics.orders);
    const sends = Array.from({ length: 1000 }, (_, i) => orders.send(order(`s-${i}`)));
    await orders.close();
    await Promise.all(sends);
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 1000);
    await expect(orders.send(order('late'))).rejects.toBeInstanceOf(ProducerClosedError);
  });

  it('refuses, at creation, a producer the manifest does not declare for the topic', async () => {
    await expect(producer({ producer: 'stranger' })).rejects.toThrow(
      /declares no producer "stranger" .*declared: checkout, tracker/,
    );
    await expect(producer({ producer: 'tracker' })).rejects.toThrow(
      /producer "tracker" of tenant "shop-[0-9a-f]+" may write events, not "orders" \(tenants\/.*\.yaml:\d+: add it to producers\.tracker\.topics\)/,
    );
    await expect(producer({ topic: 'dlq' })).rejects.toBeInstanceOf(StratusConfigurationError);
    await expect(producer({ producer: undefined })).rejects.toThrow(/name the producer: .*STRATUS_PRODUCER/);
  });

  it('reads its brokers from the SSM parameter the tenant stack publishes when none are given', async () => {
    const { awsEndpoint, aws, brokers } = testServices();
    const parameter = producerParameterNames(project.tenant, 'checkout').bootstrapBrokers;
    const ssm = new SSMClient(aws);
    await ssm.send(new PutParameterCommand({ Name: parameter, Value: brokers.join(','), Type: 'String' }));
    ssm.destroy();
    const env = {
      STRATUS_PRODUCER: 'checkout',
      STRATUS_KAFKA_BROKERS_PARAMETER: parameter,
      STRATUS_KAFKA_AUTH: 'plaintext',
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_REGION: 'eu-west-1',
    };
    const orders = await producer({ brokers: undefined, auth: undefined, producer: undefined, env });
    const before = await topicSize(kafka, project.topics.orders);
    await orders.send(order('ssm-1'));
    expect(await topicSize(kafka, project.topics.orders)).toBe(before + 1);
    await expect(
      producer({
        brokers: undefined,
        auth: undefined,
        env: { ...env, STRATUS_KAFKA_BROKERS_PARAMETER: `${parameter}-missing` },
      }),
    ).rejects.toThrow(/cannot read the bootstrap brokers from SSM parameter .*-missing/);
  });
});
