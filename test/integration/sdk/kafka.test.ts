/**
 * Output production and the DLQ against the run's real Kafka broker, idempotency against moto's DynamoDB.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  defineProcessor,
  OutputDeliveryError,
  outputRecord,
  type StratusHandler,
} from '../../../functions/sdk/index.ts';
import { DLQ_HEADERS, parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { functionEnv } from '../../unit/sdk/env.ts';
import { captureOutput, lambdaContext, mskEvent, type RecordInput } from '../../unit/sdk/msk-fixtures.ts';
import {
  createIdempotencyTable,
  createTopics,
  readMessages,
  scanTable,
  topicSize,
  useEmulatorEnvironment,
} from './helpers.ts';

interface In {
  n: number;
  split?: boolean;
  pad?: number;
}
interface Out {
  n: number;
  doubled: number;
  pad?: string;
}

let kafka: Kafka;
let table: string;
let client: Awaited<ReturnType<typeof createIdempotencyTable>>['client'];
let schemaFile: string;
const handlers: StratusHandler[] = [];

beforeAll(async () => {
  useEmulatorEnvironment();
  kafka = testServices().kafka('sdk-kafka-test');
  ({ table, client } = await createIdempotencyTable());
  const dir = mkdtempSync(path.join(os.tmpdir(), 'stratus-schema-'));
  schemaFile = path.join(dir, 'in.schema.json');
  writeFileSync(
    schemaFile,
    JSON.stringify({
      type: 'object',
      required: ['n'],
      properties: { n: { type: 'integer' }, split: { type: 'boolean' }, pad: { type: 'integer' } },
    }),
  );
});

afterAll(async () => {
  await Promise.all(handlers.map((handler) => handler.stratus.close()));
});

/** A processor wired exactly as the platform wires one: everything from the environment. */
async function processor(calls: number[] = []) {
  const consumer = uniqueName('proc');
  const source = `shop.${uniqueName('src')}`;
  const output = `shop.${uniqueName('out')}`;
  const dlq = `shop.${uniqueName('dlq')}`;
  await createTopics(kafka, [{ topic: output, numPartitions: 3 }, { topic: dlq }]);
  const handler = defineProcessor<In, Out>({
    env: functionEnv({
      consumer,
      sourceTopic: source,
      outputTopic: output,
      dlqTopic: dlq,
      kafkaBrokers: testServices().brokers.join(','),
      schemaFile,
      idempotency: { key: '[topic, partition, offset]', ttlMs: 600_000, table },
    }),
    handler: ({ value }) => {
      calls.push(value.n);
      const out: Out = { n: value.n, doubled: value.n * 2 };
      if (value.pad) out.pad = 'x'.repeat(value.pad);
      if (value.split)
        return [out, outputRecord({ value: { ...out, doubled: -1 }, key: 'split', headers: { h: 'v' } })];
      return value.n < 0 ? undefined : out;
    },
  });
  handlers.push(handler);
  return { handler, source, output, dlq, consumer, calls };
}

describe('processor output and DLQ on a real broker', () => {
  it('produces outputs with the source key and lineage headers, and dead-letters invalid records', async () => {
    const { handler, source, output, dlq, consumer } = await processor();
    const records: RecordInput[] = [
      {
        topic: source,
        partition: 0,
        offset: 10,
        key: 'user-1',
        value: { n: 1 },
        headers: { 'correlation-id': 'corr-1' },
      },
      {
        topic: source,
        partition: 0,
        offset: 11,
        key: 'user-2',
        value: '{"n": 2,',
        headers: { origin: 'web' },
      },
      { topic: source, partition: 0, offset: 12, key: 'user-3', value: { n: 3, split: true } },
      { topic: source, partition: 1, offset: 40, value: { n: 'four' } },
      { topic: source, partition: 1, offset: 41, key: 'user-5', value: null },
      { topic: source, partition: 1, offset: 42, value: { n: -6 } },
    ];
    const event = mskEvent(records);
    const context = lambdaContext();
    const { result, lines } = await captureOutput(() => handler(event, context));
    expect(result).toEqual({ batchItemFailures: [] });

    const outputs = await readMessages(kafka, output, 3);
    const byN = new Map(outputs.map((m) => [`${JSON.parse(m.value!).n}/${JSON.parse(m.value!).doubled}`, m]));
    expect(byN.get('1/2')).toMatchObject({
      key: 'user-1',
      headers: {
        'stratus-source-topic': source,
        'stratus-source-partition': '0',
        'stratus-source-offset': '10',
        'stratus-tenant': 'shop',
        'stratus-consumer': consumer,
        'stratus-trace-id': context.awsRequestId,
        'correlation-id': 'corr-1',
      },
    });
    expect(byN.get('3/6')).toMatchObject({ key: 'user-3', headers: { 'stratus-source-offset': '12' } });
    expect(byN.get('3/-1')).toMatchObject({
      key: 'split',
      headers: { h: 'v', 'correlation-id': `${source}-0@12` },
    });

    const deadLetters = await readMessages(kafka, dlq, 2);
    const envelopes = deadLetters.map((m) => {
      const parsed = parseDlqEnvelope(m.value);
      if (!parsed.ok) throw new Error(parsed.message);
      return { message: m, envelope: parsed.envelope };
    });
    const badJson = envelopes.find((e) => e.envelope.source.offset === 11)!;
    expect(badJson.envelope).toMatchObject({
      version: 1,
      tenant: 'shop',
      consumer,
      reason: 'DECODE_ERROR',
      error: { class: 'RecordDecodeError' },
      source: {
        topic: source,
        partition: 0,
        offset: 11,
        timestamp: event.records[`${source}-0`]![1]!.timestamp,
      },
      record: {
        key: event.records[`${source}-0`]![1]!.key,
        value: event.records[`${source}-0`]![1]!.value,
        headers: { origin: 'web' },
      },
      attempts: 1,
    });
    expect(Date.parse(badJson.envelope.deadLetteredAt)).not.toBeNaN();
    expect(badJson.message.key).toBe('user-2');
    expect(badJson.message.headers).toMatchObject({
      [DLQ_HEADERS.envelopeVersion]: '1',
      [DLQ_HEADERS.tenant]: 'shop',
      [DLQ_HEADERS.consumer]: consumer,
      [DLQ_HEADERS.errorClass]: 'RecordDecodeError',
      [DLQ_HEADERS.sourceTopic]: source,
    });
    const violation = envelopes.find((e) => e.envelope.source.offset === 40)!;
    expect(violation.envelope).toMatchObject({
      reason: 'SCHEMA_VIOLATION',
      error: { class: 'SchemaViolationError' },
    });
    expect(violation.envelope.error.message).toMatch(/\/n must be integer/);
    expect(violation.envelope.record.key).toBeNull();

    const metrics = Object.assign({}, ...lines.filter((l) => l._aws !== undefined));
    expect(metrics).toMatchObject({ RecordsIn: 6, RecordsOut: 3, RecordsDeadLettered: 2, RecordsFailed: 0 });
  });

  it('never produces a record twice when the same batch is delivered again', async () => {
    const { handler, source, output, calls } = await processor();
    const event = mskEvent([
      { topic: source, partition: 0, offset: 1, key: 'a', value: { n: 1 } },
      { topic: source, partition: 2, offset: 9, key: 'b', value: { n: 2 } },
    ]);
    await captureOutput(() => handler(event, lambdaContext()));
    const { lines } = await captureOutput(() => handler(event, lambdaContext()));
    // Partitions run concurrently: compare as a set.
    expect(calls.sort()).toEqual([1, 2]);
    expect(await topicSize(kafka, output)).toBe(2);
    expect(Object.assign({}, ...lines.filter((l) => l._aws !== undefined))).toMatchObject({
      RecordsDuplicate: 2,
      RecordsOut: 0,
    });
  });

  it('fails the whole invocation when outputs cannot be produced, marks nothing complete, and the retry produces them', async () => {
    const { handler, source, output, consumer, calls } = await processor();
    // A real broker-side fault: the output topic refuses records larger than 1 KiB (MESSAGE_TOO_LARGE).
    const admin = kafka.admin();
    await admin.connect();
    const setMaxBytes = (value: string) =>
      admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: output,
            configEntries: [{ name: 'max.message.bytes', value }],
          },
        ],
      });
    try {
      await setMaxBytes('1024');
      // One key, so both outputs go to one partition in one record batch, which the broker refuses whole.
      // (Across partitions a produce can half-succeed; the retry then repeats those: at-least-once.)
      const event = mskEvent([
        { topic: source, partition: 0, offset: 1, key: 'order-1', value: { n: 1 } },
        { topic: source, partition: 0, offset: 2, key: 'order-1', value: { n: 2, pad: 4096 } },
      ]);
      const failed = await captureOutput(() =>
        handler(event, lambdaContext()).catch((error: unknown) => error),
      );
      expect(failed.result).toBeInstanceOf(OutputDeliveryError);
      expect(Object.assign({}, ...failed.lines.filter((l) => l._aws !== undefined))).toMatchObject({
        RecordsIn: 2,
        RecordsFailed: 2,
      });
      const stored = (await scanTable(client, table)).filter((i) =>
        i.id?.S?.startsWith(`stratus-shop-${consumer}#`),
      );
      expect(stored).toEqual([]);

      await setMaxBytes('1048588');
      const retried = await captureOutput(() => handler(event, lambdaContext()));
      expect(retried.result).toEqual({ batchItemFailures: [] });
      expect(calls).toEqual([1, 2, 1, 2]);
      expect(await topicSize(kafka, output)).toBe(2);
      const produced = await readMessages(kafka, output, 2);
      expect(produced.map((m) => JSON.parse(m.value!).n)).toEqual([1, 2]);
    } finally {
      await admin.disconnect();
    }
  });
});
