/**
 * Shared helpers for the event-source integration tests: a unique topic (and DLQ) on the shared broker, a
 * ConsumerSpec for it, an in-process function that records every event, and small produce/read helpers.
 */
import type { Admin, IHeaders, Kafka } from 'kafkajs';
import { afterAll } from 'vitest';
import type { MskEvent, MskRecord } from '../../../lib/core/msk-event.ts';
import { eventRecords } from '../../../lib/core/msk-event.ts';
import {
  type EventSourceMapping,
  type EventSourceMappingOptions,
  type InvokeResult,
  startEventSourceMapping,
} from '../../../lib/local/event-source/index.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import type { ConsumerSpec } from '../../../lib/manifest/spec.ts';
import { testServices, uniqueName } from '../../support/services.ts';

export const services = () => testServices();

const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  await Promise.allSettled(cleanups.splice(0).map((cleanup) => cleanup()));
});

let sharedAdmin: Admin | undefined;
export async function admin(): Promise<Admin> {
  if (!sharedAdmin) {
    const created = services().kafka('es-admin').admin();
    await created.connect();
    sharedAdmin = created;
    cleanups.push(() => created.disconnect());
  }
  return sharedAdmin;
}

/** A fresh `<tenant>.<topic>` and `<tenant>.dlq` on the shared broker. */
export async function freshTopic(partitions = 1): Promise<{ tenant: string; topic: string; dlq: string }> {
  const tenant = uniqueName('es');
  const topic = `${tenant}.events`;
  const dlq = `${tenant}.dlq`;
  await createTopicsReadable(await admin(), [
    { topic, numPartitions: partitions },
    { topic: dlq, numPartitions: 1 },
  ]);
  return { tenant, topic, dlq };
}

/** A resolved consumer spec reading `topic`; defaults keep tests fast. */
export function consumerSpec(
  topic: { tenant: string; topic: string },
  overrides: Partial<ConsumerSpec> = {},
): ConsumerSpec {
  const key = uniqueName('c');
  return {
    key,
    tenant: topic.tenant,
    groupId: `${topic.tenant}.${key}`,
    topicKey: 'events',
    topic: topic.topic,
    handlerFile: 'unused.ts',
    batchSize: 100,
    batchWindowMs: 100,
    startingPosition: 'TRIM_HORIZON',
    filters: [],
    retries: 2,
    maxRecordAgeMs: -1,
    bisectOnError: false,
    memoryMb: 128,
    timeoutMs: 10_000,
    source: { file: 'test', line: 1, col: 1 },
    ...overrides,
  };
}

/** An in-process function: records every event and answers with `behaviour` (success by default). */
export class RecordingFunction {
  readonly events: MskEvent[] = [];
  behaviour: (event: MskEvent, call: number) => InvokeResult | Promise<InvokeResult> = () => ({ ok: true });

  invoke = async (event: MskEvent): Promise<InvokeResult> => {
    this.events.push(structuredClone(event));
    return this.behaviour(event, this.events.length);
  };

  /** Decoded values of every delivered record, in delivery order, retries included. */
  values(): string[] {
    return this.events.flatMap((event) => eventRecords(event).map(decodeValue));
  }

  /** Offsets per invocation. */
  batches(): number[][] {
    return this.events.map((event) => eventRecords(event).map((record) => record.offset));
  }
}

export function decodeValue(record: MskRecord): string {
  return record.value ? Buffer.from(record.value, 'base64').toString('utf8') : '';
}

export function fail(message = 'boom'): InvokeResult {
  return { ok: false, error: { class: 'Error', message } };
}

/** Start a mapping and stop it after the file's tests. */
export async function startMapping(
  consumer: ConsumerSpec,
  fn: { invoke: EventSourceMappingOptions['invoke'] },
  extra: Partial<EventSourceMappingOptions> = {},
): Promise<EventSourceMapping> {
  const { brokers } = services();
  const mapping = await startEventSourceMapping({
    consumer,
    kafka: services().kafka(`es-${consumer.key}`),
    invoke: fn.invoke,
    bootstrapServers: brokers.join(','),
    retryBackoffMs: 10,
    ...extra,
  });
  cleanups.push(() => mapping.stop());
  return mapping;
}

export interface TestMessage {
  value: string | null;
  key?: string | null;
  partition?: number;
  headers?: IHeaders;
  timestamp?: number;
}

let producerKafka: Kafka | undefined;
export async function produce(topic: string, messages: Array<TestMessage | string | object>): Promise<void> {
  producerKafka ??= services().kafka('es-producer');
  const producer = producerKafka.producer();
  await producer.connect();
  try {
    await producer.send({
      topic,
      acks: -1,
      messages: messages.map((message) => {
        const m: TestMessage =
          typeof message === 'string'
            ? { value: message }
            : 'value' in (message as object)
              ? (message as TestMessage)
              : { value: JSON.stringify(message) };
        return {
          value: m.value,
          key: m.key ?? null,
          partition: m.partition ?? 0,
          headers: m.headers,
          timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
        };
      }),
    });
  } finally {
    await producer.disconnect();
  }
}

/** Every message of a topic from the beginning, once `count` have arrived. */
export async function readTopic(
  topic: string,
  count: number,
  timeoutMs = 20_000,
): Promise<
  Array<{ key: Buffer | null; value: Buffer | null; headers: IHeaders; partition: number; offset: string }>
> {
  const consumer = services()
    .kafka('es-reader')
    .consumer({ groupId: uniqueName('reader') });
  const out: Array<{
    key: Buffer | null;
    value: Buffer | null;
    headers: IHeaders;
    partition: number;
    offset: string;
  }> = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${out.length}/${count} from ${topic}`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ message, partition }) => {
          out.push({
            key: message.key,
            value: message.value,
            headers: message.headers ?? {},
            partition,
            offset: message.offset,
          });
          if (out.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/** The group's committed offset of partition 0 (-1 when none). */
export async function committedOffset(groupId: string, topic: string, partition = 0): Promise<number> {
  const [group] = await (await admin()).fetchOffsets({ groupId, topics: [topic] });
  return Number(group?.partitions.find((p) => p.partition === partition)?.offset ?? -1);
}

export async function waitFor(
  predicate: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
