/**
 * Batch semantics of the SDK with plain consumers (nothing to produce, no DLQ, no idempotency store), so
 * these run without Kafka or DynamoDB. Production, the DLQ and idempotency are covered in
 * test/integration/sdk against the real broker and moto.
 */
import { describe, expect, it } from 'vitest';
import { defineConsumer, type KafkaRecord } from '../../../functions/sdk/index.ts';
import { functionEnv } from './env.ts';
import { captureOutput, lambdaContext, mskEvent, type RecordInput } from './msk-fixtures.ts';

interface Click {
  n: number;
}

const T = 'shop.orders';
const valid = (
  partition: number,
  offset: number,
  n = offset,
  extra: Partial<RecordInput> = {},
): RecordInput => ({
  topic: T,
  partition,
  offset,
  key: `k${n}`,
  value: { n },
  ...extra,
});

function consumer(handler: (record: KafkaRecord<Click>) => void, env = functionEnv()) {
  return defineConsumer<Click>({ env, handler: (record) => handler(record) });
}

describe('defineConsumer', () => {
  it('delivers every record of a multi-partition batch decoded, in offset order per partition', async () => {
    const seen: Array<[number, number, string | null, number, Record<string, string>]> = [];
    const handler = consumer((r) => seen.push([r.partition, r.offset, r.key, r.value.n, r.headers]));
    const event = mskEvent([
      valid(0, 10),
      valid(0, 11, 11, { key: null }),
      valid(1, 5, 5, { headers: { 'correlation-id': 'c-5', tenant: 'x' } }),
      valid(2, 7),
    ]);
    const { result } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result).toEqual({ batchItemFailures: [] });
    expect(seen.filter(([p]) => p === 0)).toEqual([
      [0, 10, 'k10', 10, {}],
      [0, 11, null, 11, {}],
    ]);
    expect(seen).toContainEqual([1, 5, 'k5', 5, { 'correlation-id': 'c-5', tenant: 'x' }]);
    expect(seen).toHaveLength(4);
  });

  it('reports only the failed record and stops that partition only (the mapping re-delivers from it)', async () => {
    const seen: string[] = [];
    const handler = consumer((r) => {
      seen.push(`${r.partition}@${r.offset}`);
      if (r.partition === 1 && r.offset === 21) throw new Error('downstream unavailable');
    });
    const event = mskEvent([
      valid(1, 20),
      valid(1, 21),
      valid(1, 22),
      valid(1, 23),
      valid(0, 1),
      valid(0, 2),
    ]);
    const { result } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result.batchItemFailures).toEqual([
      { itemIdentifier: { partition: 'shop.orders-1', offset: 21 } },
    ]);
    expect(seen).not.toContain('1@22');
    expect(seen).toEqual(expect.arrayContaining(['1@20', '1@21', '0@1', '0@2']));
  });

  it('reports an invalid record as failed when the consumer has no DLQ (never dropped)', async () => {
    const seen: number[] = [];
    const handler = consumer((r) => seen.push(r.offset));
    const event = mskEvent([
      valid(0, 1),
      { topic: T, partition: 0, offset: 2, value: 'not json' },
      valid(0, 3),
    ]);
    const { result, lines } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result.batchItemFailures.map((f) => f.itemIdentifier.offset)).toEqual([2]);
    expect(seen).toEqual([1]);
    expect(lines.some((l) => l.message === 'invalid record and no DLQ configured; reported as failed')).toBe(
      true,
    );
  });

  it('skips tombstones by default and hands them to onTombstone when given', async () => {
    const event = mskEvent([valid(0, 1), { topic: T, partition: 0, offset: 2, key: 'gone', value: null }]);
    const seen: number[] = [];
    await captureOutput(() => consumer((r) => seen.push(r.offset))(event, lambdaContext()));
    expect(seen).toEqual([1]);

    const tombstones: Array<[string | null, null]> = [];
    const withHook = defineConsumer<Click>({
      env: functionEnv(),
      handler: () => {},
      onTombstone: (record) => {
        tombstones.push([record.key, record.value]);
      },
    });
    const { result } = await captureOutput(() => withHook(event, lambdaContext()));
    expect(result.batchItemFailures).toEqual([]);
    expect(tombstones).toEqual([['gone', null]]);
  });

  it("validates values against the manifest's schema file", async () => {
    const env = functionEnv({ schemaFile: 'schemas/payments/order.schema.json' });
    const seen: number[] = [];
    const handler = defineConsumer({
      env: { ...env, LAMBDA_TASK_ROOT: process.cwd() },
      handler: (r) => {
        seen.push(r.offset);
      },
    });
    const { result } = await captureOutput(() => handler(mskEvent([valid(0, 1)]), lambdaContext()));
    // { n: 1 } is not an order: a schema violation, reported (no DLQ here) and never given to the handler.
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: { partition: 'shop.orders-0', offset: 1 } }]);
    expect(seen).toEqual([]);
  });

  it('logs JSON lines carrying tenant, consumer, topic, partition, offset and correlation id', async () => {
    const handler = defineConsumer<Click>({
      env: functionEnv(),
      handler: (record, { logger }) => logger.info('handled', { n: record.value.n }),
    });
    const event = mskEvent([valid(4, 99, 99, { headers: { 'correlation-id': 'req-42' } }), valid(4, 100)]);
    const { lines } = await captureOutput(() => handler(event, lambdaContext('stratus-shop-audit')));
    const handled = lines.filter((l) => l.message === 'handled');
    expect(handled[0]).toMatchObject({
      level: 'INFO',
      service: 'shop',
      tenant: 'shop',
      consumer: 'audit',
      topic: 'shop.orders',
      partition: 4,
      offset: 99,
      correlation_id: 'req-42',
      n: 99,
      function_name: 'stratus-shop-audit',
    });
    expect(handled[1]).toMatchObject({ offset: 100, correlation_id: 'shop.orders-4@100' });
  });

  it('emits EMF metrics per tenant and consumer', async () => {
    const handler = consumer((r) => {
      if (r.offset === 3) throw new Error('boom');
    });
    const hourAgo = Date.now() - 3_600_000;
    const event = mskEvent([valid(0, 1, 1, { timestamp: hourAgo }), valid(0, 2), valid(0, 3), valid(1, 1)]);
    const { lines } = await captureOutput(() => handler(event, lambdaContext()));
    const emf = lines.filter((l) => l._aws !== undefined);
    const merged = Object.assign({}, ...emf) as Record<string, unknown>;
    expect(merged).toMatchObject({
      tenant: 'shop',
      consumer: 'audit',
      RecordsIn: 4,
      RecordsOut: 0,
      RecordsFailed: 1,
      RecordsDeadLettered: 0,
      RecordsDuplicate: 0,
    });
    const emfMetadata = emf[0]!._aws as {
      CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][] }>;
    };
    const directive = emfMetadata.CloudWatchMetrics[0];
    expect(directive?.Namespace).toBe('Stratus');
    expect(directive?.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'tenant', 'consumer']));
    // One value per invocation: the mean handler time, and the age of the oldest record that was processed.
    expect(merged.EndToEndLatency).toBeGreaterThanOrEqual(3_600_000);
    expect(merged.EndToEndLatency).toBeLessThan(3_700_000);
    expect(typeof merged.ProcessingTime).toBe('number');
  });

  it('a processor that drops every record produces nothing and never connects to Kafka', async () => {
    const { defineProcessor } = await import('../../../functions/sdk/index.ts');
    const handler = defineProcessor<Click, Click>({
      env: functionEnv({ outputTopic: 'shop.out', dlqTopic: 'shop.dlq' }),
      handler: () => undefined,
    });
    // The brokers are 127.0.0.1:1: any produce attempt would fail the invocation.
    const { result } = await captureOutput(() =>
      handler(mskEvent([valid(0, 1), valid(0, 2)]), lambdaContext()),
    );
    expect(result).toEqual({ batchItemFailures: [] });
  });

  it('fails a record whose output breaks the output schema (a processor bug, retried like a throw)', async () => {
    const { defineProcessor } = await import('../../../functions/sdk/index.ts');
    const handler = defineProcessor<Click, { total: number }>({
      env: functionEnv({ outputTopic: 'shop.out', dlqTopic: 'shop.dlq' }),
      output: { schema: { type: 'object', required: ['total'], properties: { total: { type: 'integer' } } } },
      // Drops n=1; n=2 yields a fraction, which the schema refuses.
      handler: (record) => (record.value.n === 1 ? undefined : { total: record.value.n / 3 }),
    });
    const { result, lines } = await captureOutput(() =>
      handler(mskEvent([valid(0, 1), valid(0, 2)]), lambdaContext()),
    );
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'shop.orders-0', offset: 2 } }],
    });
    expect(lines.find((l) => l.level === 'ERROR')).toMatchObject({
      offset: 2,
      error: expect.objectContaining({
        name: 'OutputSchemaViolationError',
        message: expect.stringMatching(/total/),
      }),
    });
  });
});
