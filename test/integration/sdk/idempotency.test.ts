/**
 * Per-record idempotency against a real DynamoDB API (moto_server). Consumers here produce nothing, so no
 * Kafka is involved; the brokers in their environment do not exist.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { defineConsumer, defineProcessor, type KafkaRecord } from '../../../functions/sdk/index.ts';
import { parseDropEvidence } from '../../../lib/core/drop-evidence.ts';
import { functionEnv } from '../../unit/sdk/env.ts';
import { captureOutput, lambdaContext, mskEvent, type RecordInput } from '../../unit/sdk/msk-fixtures.ts';
import { createIdempotencyTable, scanTable, useEmulatorEnvironment } from './helpers.ts';

interface Payment {
  eventId: string;
  amount: number;
}

const T = 'shop.payments';
const rec = (partition: number, offset: number, eventId: string): RecordInput => ({
  topic: T,
  partition,
  offset,
  key: eventId,
  value: { eventId, amount: offset },
});

let table: string;
let client: Awaited<ReturnType<typeof createIdempotencyTable>>['client'];

beforeAll(async () => {
  useEmulatorEnvironment();
  ({ table, client } = await createIdempotencyTable());
});

function consumerWith(
  key: string,
  handler: (record: KafkaRecord<Payment>) => void,
  consumer = `c${Math.random().toString(16).slice(2, 8)}`,
) {
  return defineConsumer<Payment>({
    env: functionEnv({
      consumer,
      sourceTopic: T,
      idempotency: { key, ttlMs: 600_000, table },
    }),
    handler: (record) => handler(record),
  });
}

const metricsOf = (lines: Record<string, unknown>[]) =>
  Object.assign({}, ...lines.filter((l) => l._aws !== undefined)) as Record<string, unknown>;

describe('idempotency with the DynamoDB persistence layer', () => {
  it('processes the same record once across redeliveries and containers, and counts duplicates', async () => {
    const calls: string[] = [];
    const name = 'dedupe';
    const event = mskEvent([rec(0, 1, 'e-1'), rec(0, 2, 'e-2'), rec(1, 7, 'e-3')]);
    const first = consumerWith('value.eventId', (r) => calls.push(r.value.eventId), name);
    const run1 = await captureOutput(() => first(event, lambdaContext()));
    expect(run1.result.batchItemFailures).toEqual([]);
    expect(calls.sort()).toEqual(['e-1', 'e-2', 'e-3']);

    // The mapping redelivers the batch (e.g. after a timeout) to the same warm container...
    const run2 = await captureOutput(() => first(event, lambdaContext()));
    // ...and to a new container with an empty local cache: DynamoDB alone must catch it.
    const second = consumerWith('value.eventId', (r) => calls.push(r.value.eventId), name);
    const run3 = await captureOutput(() => second(event, lambdaContext()));
    expect(calls).toHaveLength(3);
    expect(metricsOf(run2.lines)).toMatchObject({ RecordsIn: 3, RecordsDuplicate: 3 });
    expect(metricsOf(run3.lines)).toMatchObject({ RecordsIn: 3, RecordsDuplicate: 3 });
    expect(run3.result.batchItemFailures).toEqual([]);
  });

  it('stores COMPLETED records keyed by function and the manifest key, expiring after the manifest TTL', async () => {
    const name = 'stored';
    const before = Math.floor(Date.now() / 1000);
    await captureOutput(() =>
      consumerWith('value.eventId', () => {}, name)(mskEvent([rec(0, 1, 'e-stored')]), lambdaContext()),
    );
    const items = (await scanTable(client, table)).filter((i) =>
      i.id?.S?.startsWith(`stratus-shop-${name}#`),
    );
    expect(items).toHaveLength(1);
    expect(items[0]?.status?.S).toBe('COMPLETED');
    const expiration = Number(items[0]?.expiration?.N);
    expect(expiration).toBeGreaterThanOrEqual(before + 600);
    expect(expiration).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 600);
  });

  it('does not mark a failed record complete, so the retry really processes it', async () => {
    const name = 'retry';
    let failNext = true;
    const calls: string[] = [];
    const handler = consumerWith(
      'value.eventId',
      (r) => {
        calls.push(r.value.eventId);
        if (r.value.eventId === 'e-flaky' && failNext) {
          failNext = false;
          throw new Error('transient');
        }
      },
      name,
    );
    const event = mskEvent([rec(0, 1, 'e-ok'), rec(0, 2, 'e-flaky'), rec(0, 3, 'e-after')]);
    const run1 = await captureOutput(() => handler(event, lambdaContext()));
    expect(run1.result.batchItemFailures.map((f) => f.itemIdentifier.offset)).toEqual([2]);
    const stored = (await scanTable(client, table)).filter((i) =>
      i.id?.S?.startsWith(`stratus-shop-${name}#`),
    );
    // Only e-ok: the failed record's IN_PROGRESS item was deleted, the one after it never started.
    expect(stored.map((i) => i.status?.S)).toEqual(['COMPLETED']);

    // The mapping re-delivers from the lowest reported offset.
    const retry = mskEvent([rec(0, 2, 'e-flaky'), rec(0, 3, 'e-after')]);
    const run2 = await captureOutput(() => handler(retry, lambdaContext()));
    expect(run2.result.batchItemFailures).toEqual([]);
    expect(calls).toEqual(['e-ok', 'e-flaky', 'e-flaky', 'e-after']);
  });

  it('processes a key once when it appears twice in one batch, even on different partitions', async () => {
    const calls: number[] = [];
    const handler = consumerWith('value.eventId', (r) => calls.push(r.offset), 'in-batch');
    const event = mskEvent([rec(0, 10, 'e-twice'), rec(1, 20, 'e-twice'), rec(1, 21, 'e-once')]);
    const { result, lines } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result.batchItemFailures).toEqual([]);
    expect(calls).toHaveLength(2);
    expect(calls).toContain(21);
    expect(metricsOf(lines)).toMatchObject({ RecordsDuplicate: 1 });
  });

  it('by default keys on topic, partition and offset: equal values at two offsets both run, a redelivery does not', async () => {
    const calls: number[] = [];
    const handler = consumerWith('[topic, partition, offset]', (r) => calls.push(r.offset), 'default-key');
    const event = mskEvent([rec(0, 1, 'same'), rec(0, 2, 'same')]);
    await captureOutput(() => handler(event, lambdaContext()));
    await captureOutput(() => handler(event, lambdaContext()));
    expect(calls).toEqual([1, 2]);
  });

  it('a processor names the records it skipped as duplicates in its drop evidence, so none looks lost', async () => {
    const published: string[] = [];
    const handler = defineProcessor<Payment, Payment>({
      env: functionEnv({
        consumer: 'forward',
        sourceTopic: T,
        outputTopic: 'shop.out',
        dlqTopic: 'shop.dlq',
        idempotency: { key: 'value.eventId', ttlMs: 600_000, table },
      }),
      // Production is not what this test is about: a stand-in that acknowledges everything.
      publisher: {
        publish: async (batches) => {
          for (const batch of batches) for (const m of batch.messages) published.push(m.value);
        },
        close: async () => {},
      },
      handler: (record) => record.value,
    });
    const id = `d-${Math.random().toString(16).slice(2, 8)}`;
    const event = mskEvent([rec(0, 1, `${id}-1`), rec(0, 2, `${id}-1`), rec(1, 3, `${id}-2`)]);
    const dropped = (lines: Record<string, unknown>[]) =>
      lines
        .flatMap((line) => parseDropEvidence(JSON.stringify(line))?.records ?? [])
        .map((r) => `${r.partition}@${r.offset} ${r.reason}`)
        .sort();

    const first = await captureOutput(() => handler(event, lambdaContext()));
    expect(published).toHaveLength(2);
    expect(dropped(first.lines)).toEqual(['0@2 duplicate']);
    // Re-delivered: everything is a duplicate now, nothing is produced again, and all of it is on record.
    const again = await captureOutput(() => handler(event, lambdaContext()));
    expect(published).toHaveLength(2);
    expect(dropped(again.lines)).toEqual(['0@1 duplicate', '0@2 duplicate', '1@3 duplicate']);
  });
});
