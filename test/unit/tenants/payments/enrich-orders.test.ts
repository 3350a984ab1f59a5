/**
 * payments.enrich-orders through the testing kit: the handler file of tenants/payments.yaml, loaded with the
 * manifest's environment (schemas, output topic, DLQ, idempotency on value.eventId), no broker, no DynamoDB.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Order } from '../../../../functions/payments/order.ts';
import { type ConsumerHarness, loadConsumer, record } from '../../../../functions/sdk/testing/index.ts';

const order = (n: number, overrides: Partial<Order> = {}): Order => ({
  eventId: `0b6f8c3e-8a49-4d6b-9d2e-51a2f4f0c${String(n).padStart(3, '0')}`,
  type: 'order.created',
  orderId: `ord-${n}`,
  customerId: 'c-1',
  amount: 250,
  currency: 'USD',
  items: [{ sku: 'a', quantity: 2, unitPrice: 125 }],
  country: 'DE',
  createdAt: '2026-11-24T08:00:00Z',
  ...overrides,
});

describe('payments enrich-orders (testing kit)', () => {
  let orders: ConsumerHarness;
  beforeAll(async () => {
    orders = await loadConsumer({ tenant: 'payments', consumer: 'enrich-orders' });
  });
  afterAll(() => orders.close());

  it('is loaded with the manifest environment contract', () => {
    expect(orders.env).toMatchObject({
      STRATUS_TENANT: 'payments',
      STRATUS_SOURCE_TOPIC: 'payments.orders',
      STRATUS_OUTPUT_TOPIC: 'payments.orders-enriched',
      STRATUS_DLQ_TOPIC: 'payments.dlq',
      STRATUS_IDEMPOTENCY_KEY: 'value.eventId',
    });
  });

  it('enriches an order into the output topic, keyed like the source, with lineage headers', async () => {
    const result = await orders.run([record(order(1), { key: 'ord-1', partition: 2 })]);
    expect(result.failures).toEqual([]);
    expect(result.outputs).toHaveLength(1);
    const [out] = result.outputs;
    expect(out).toMatchObject({
      topic: 'payments.orders-enriched',
      key: 'ord-1',
      value: { orderId: 'ord-1', amountEur: 230, itemCount: 2, riskBand: 'medium' },
    });
    expect(out!.headers).toMatchObject({
      'stratus-source-topic': 'payments.orders',
      'stratus-source-partition': '2',
      'stratus-tenant': 'payments',
      'stratus-consumer': 'enrich-orders',
    });
    expect(result.metrics).toMatchObject({ RecordsIn: 1, RecordsOut: 1, RecordsFailed: 0 });
  });

  it('dead-letters bad JSON and schema violations with their reason; the rest of the batch goes on', async () => {
    const result = await orders.run([
      record(Buffer.from('{"orderId": "ord-'), { key: 'bad' }),
      order(2, { amount: -5 }),
      order(3),
    ]);
    expect(result.deadLetters.map((d) => d.reason)).toEqual(['DECODE_ERROR', 'SCHEMA_VIOLATION']);
    expect(result.deadLetters[1]!.error.message).toContain('/amount');
    expect(result.deadLetters[1]!.value).toMatchObject({ orderId: 'ord-2', amount: -5 });
    expect(result.outputs.map((o) => (o.value as Order).orderId)).toEqual(['ord-3']);
    expect(result.metrics.RecordsDeadLettered).toBe(2);
    expect(result.logs.filter((l) => l.level === 'WARN')).toHaveLength(2);
  });

  it('reports an unknown currency as a batch item failure and stops that partition only', async () => {
    const batch = [
      record(order(4, { currency: 'XAU' }), { partition: 1 }),
      record(order(5), { partition: 1 }),
      record(order(6), { partition: 3 }),
    ];
    const event = orders.event(batch);
    const failed = event.records['payments.orders-1']![0]!;
    const result = await orders.invoke(event);
    expect(result.failures).toEqual([{ topic: 'payments.orders', partition: 1, offset: failed.offset }]);
    expect(result.outputs.map((o) => (o.value as Order).orderId)).toEqual(['ord-6']);
    const error = result.logs.find((l) => l.level === 'ERROR');
    expect(error).toMatchObject({
      partition: 1,
      offset: failed.offset,
      error: { name: 'UnknownCurrencyError' },
    });
  });

  it('processes an eventId once: a redelivery is skipped as a duplicate (in-memory idempotency store)', async () => {
    const first = await orders.run([order(7)]);
    const again = await orders.run([order(7)]);
    expect(first.outputs).toHaveLength(1);
    expect(again.outputs).toHaveLength(0);
    expect(again.metrics.RecordsDuplicate).toBe(1);
    expect(orders.idempotencyStore.size).toBeGreaterThan(0);
  });

  it('fails the invocation as a whole when the outputs cannot be produced, and the retry processes again', async () => {
    orders.publisher.failNext(new Error('broker unavailable'));
    const failed = await orders.run([order(8)]);
    expect(failed.ok).toBe(false);
    expect(failed.error?.class).toBe('OutputDeliveryError');
    const retried = await orders.run([order(8)]);
    expect(retried.outputs.map((o) => (o.value as Order).orderId)).toEqual(['ord-8']);
  });
});
