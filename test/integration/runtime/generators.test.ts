/**
 * The demo's generators and accounting, without a broker: generated events match the example schemas (and
 * poison records do not), the example handlers treat them as designed, and the accounting finds losses and
 * duplicates in records shaped as they come back from Kafka.
 */
import { describe, expect, it } from 'vitest';
import { enrichOrder, type Order, UnknownCurrencyError } from '../../../functions/payments/order.ts';
import { compileValueValidator } from '../../../functions/sdk/schema.ts';
import { buildDeadLetter } from '../../../lib/core/dlq-envelope.ts';
import { matchesFilters } from '../../../lib/core/event-filter.ts';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { accountConsumers } from '../../../lib/local/demo/accounting.ts';
import { generatorFor, kindAt, sourceTopics } from '../../../lib/local/demo/generators.ts';
import { demoMessages } from '../../../lib/local/demo/messages.ts';
import { DEMO_HEADERS, type DemoRecordKind } from '../../../lib/local/demo/types.ts';
import { namespacedTenant } from '../../../lib/local/namespace.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import type { RangeRecord } from '../../../lib/ops/shared/read-range.ts';

const spec = loadStratusOrThrow({ rootDir: new URL('../../..', import.meta.url).pathname });
const payments = spec.tenants.find((t) => t.name === 'payments')!;
const clickstream = spec.tenants.find((t) => t.name === 'clickstream')!;
const orders = payments.topics.find((t) => t.key === 'orders')!;
const pageViews = clickstream.topics.find((t) => t.key === 'page-views')!;

function generate(topic: typeof orders, count: number) {
  const out: Array<{ kind: DemoRecordKind; key: string | null; value: string }> = [];
  for (const message of demoMessages(generatorFor(topic, 7), { count, runId: 'test' })) {
    const headers = message.headers as Record<string, string>;
    out.push({
      kind: headers[DEMO_HEADERS.kind] as DemoRecordKind,
      key: message.key as string | null,
      value: String(message.value),
    });
  }
  return out;
}

const asFilterable = (value: string) => ({
  topic: 't',
  partition: 0,
  offset: 0,
  timestamp: 0,
  timestampType: 'CREATE_TIME',
  value: Buffer.from(value).toString('base64'),
});

describe('demo generators', () => {
  it('the source topics of the examples are the entry points, not the processors’ outputs', () => {
    expect(sourceTopics(spec.tenants).map((s) => s.topic.name)).toEqual([
      'clickstream.page-views',
      'payments.orders',
    ]);
  });

  it('mixes 1 bad JSON, 2 schema violations and 1 handler failure per 200 records', () => {
    const kinds = Array.from({ length: 2000 }, (_, seq) =>
      kindAt(seq, ['bad-json', 'schema-violation', 'handler-failure']),
    );
    expect(kinds.filter((k) => k === 'bad-json')).toHaveLength(10);
    expect(kinds.filter((k) => k === 'schema-violation')).toHaveLength(20);
    expect(kinds.filter((k) => k === 'handler-failure')).toHaveLength(10);
    // A generator that cannot make handler failures gets valid records in their slots.
    expect(kindAt(113, ['bad-json'])).toBe('valid');
  });

  it('orders are ~1 KB, valid per the schema unless poisoned, and enrich-orders fails exactly the handler failures', () => {
    const validate = compileValueValidator(orders.schema!);
    const records = generate(orders, 1000);
    const valid = records.filter((r) => r.kind === 'valid');
    const meanBytes = valid.reduce((sum, r) => sum + r.value.length, 0) / valid.length;
    expect(meanBytes).toBeGreaterThan(800);
    expect(meanBytes).toBeLessThan(1400);
    for (const record of records) {
      if (record.kind === 'bad-json') {
        expect(() => JSON.parse(record.value)).toThrow();
        continue;
      }
      const value = JSON.parse(record.value) as Order;
      const violations = validate(value);
      if (record.kind === 'schema-violation') {
        expect(violations.length).toBeGreaterThan(0);
        continue;
      }
      expect(violations).toEqual([]);
      expect(record.key).toBe(value.orderId);
      if (record.kind === 'handler-failure')
        expect(() => enrichOrder(value, new Date())).toThrow(UnknownCurrencyError);
      else expect(() => enrichOrder(value, new Date())).not.toThrow();
    }
    // Cancellations exist and the manifest filter drops them (enrich-orders only sees created/updated).
    const filters = payments.consumers[0]!.filters;
    const cancelled = valid.filter((r) => (JSON.parse(r.value) as Order).type === 'order.cancelled');
    expect(cancelled.length).toBeGreaterThan(0);
    for (const r of cancelled) expect(matchesFilters(asFilterable(r.value), filters)).toBe(false);
    for (const r of records.filter((x) => x.kind === 'schema-violation' || x.kind === 'handler-failure'))
      expect(matchesFilters(asFilterable(r.value), filters)).toBe(true);
  });

  it('page views: about one in ten is a bot, which the sessionize filter drops; poison passes the filter', () => {
    const validate = compileValueValidator(pageViews.schema!);
    const filters = clickstream.consumers[0]!.filters;
    const records = generate(pageViews, 1000);
    const valid = records.filter((r) => r.kind === 'valid');
    const bots = valid.filter((r) => (JSON.parse(r.value) as { isBot: boolean }).isBot);
    expect(bots.length / valid.length).toBeGreaterThan(0.05);
    expect(bots.length / valid.length).toBeLessThan(0.15);
    for (const r of valid) {
      expect(validate(JSON.parse(r.value))).toEqual([]);
      expect(matchesFilters(asFilterable(r.value), filters)).toBe(!bots.includes(r));
    }
    for (const r of records.filter((x) => x.kind === 'schema-violation')) {
      expect(validate(JSON.parse(r.value)).length).toBeGreaterThan(0);
      expect(matchesFilters(asFilterable(r.value), filters)).toBe(true);
    }
    // Lambda drops non-JSON records when a consumer has value filters.
    for (const r of records.filter((x) => x.kind === 'bad-json'))
      expect(matchesFilters(asFilterable(r.value), filters)).toBe(false);
  });

  it('a namespaced tenant renames every derived name through the naming rules', () => {
    const t = namespacedTenant(payments, 'ab12cd');
    expect(t.name).toBe('payments-ab12cd');
    expect(t.topics.map((x) => x.name)).toEqual([
      'payments-ab12cd.orders',
      'payments-ab12cd.orders-enriched',
      'payments-ab12cd.dlq',
    ]);
    expect(t.consumers[0]).toMatchObject({
      groupId: 'payments-ab12cd.enrich-orders',
      topic: 'payments-ab12cd.orders',
      output: 'payments-ab12cd.orders-enriched',
      onFailureTopic: 'payments-ab12cd.dlq',
    });
    expect(t.sinks[0]).toMatchObject({
      topic: 'payments-ab12cd.orders-enriched',
      database: 'stratus_payments_ab12cd',
    });
  });
});

describe('demo accounting', () => {
  const consumer = payments.consumers[0]!;
  const record = (
    topic: string,
    partition: number,
    offset: number,
    value: string,
    headers: Record<string, string> = {},
  ): RangeRecord => ({
    topic,
    partition,
    offset: String(offset),
    timestamp: '0',
    key: null,
    value: Buffer.from(value),
    headers,
  });
  const order = (type: string) => JSON.stringify({ type });
  const lineage = (offset: number) => ({
    [LINEAGE_HEADERS.sourceTopic]: consumer.topic,
    [LINEAGE_HEADERS.sourcePartition]: '0',
    [LINEAGE_HEADERS.sourceOffset]: String(offset),
    [LINEAGE_HEADERS.tenant]: 'payments',
    [LINEAGE_HEADERS.consumer]: consumer.key,
  });
  const deadLetter = (offset: number) => {
    const { message } = buildDeadLetter({
      tenant: 'payments',
      consumer: consumer.key,
      reason: 'SCHEMA_VIOLATION',
      error: new Error('bad'),
      record: {
        topic: consumer.topic,
        partition: 0,
        offset,
        timestamp: 0,
        timestampType: 'CREATE_TIME',
        headers: [],
      },
      attempts: 1,
      firstFailureAt: new Date(),
    });
    return record(payments.dlq.name, 0, offset, message.value);
  };
  const kind = (k: DemoRecordKind) => ({ [DEMO_HEADERS.kind]: k });

  it('every record delivered, dead-lettered or filtered once: nothing lost, nothing duplicated', () => {
    const records = new Map([
      [
        consumer.topic,
        [
          record(consumer.topic, 0, 0, order('order.created'), kind('valid')),
          record(consumer.topic, 0, 1, order('order.cancelled'), kind('valid')),
          record(consumer.topic, 0, 2, '{bad', kind('bad-json')),
          record(consumer.topic, 0, 3, order('order.created'), kind('schema-violation')),
        ],
      ],
      [consumer.output!, [record(consumer.output!, 0, 0, '{}', lineage(0))]],
      [payments.dlq.name, [deadLetter(3)]],
    ]);
    const [account] = accountConsumers({ tenants: [payments], records });
    expect(account).toMatchObject({
      input: 4,
      delivered: 1,
      deadLettered: 1,
      filtered: 2,
      lost: 0,
      duplicates: 0,
      misrouted: 0,
      unexpected: 0,
    });
  });

  it('finds a lost record, a duplicate delivery, a misrouted poison record and an output with no source', () => {
    const records = new Map([
      [
        consumer.topic,
        [
          record(consumer.topic, 0, 0, order('order.created'), kind('valid')),
          record(consumer.topic, 0, 1, order('order.created'), kind('valid')),
          record(consumer.topic, 0, 2, order('order.created'), kind('schema-violation')),
        ],
      ],
      [
        consumer.output!,
        [
          record(consumer.output!, 0, 0, '{}', lineage(0)),
          record(consumer.output!, 0, 1, '{}', lineage(0)),
          record(consumer.output!, 0, 2, '{}', lineage(2)),
          record(consumer.output!, 0, 3, '{}', lineage(99)),
        ],
      ],
      [payments.dlq.name, [deadLetter(0)]],
    ]);
    const [account] = accountConsumers({ tenants: [payments], records });
    // offset 0: two outputs + one dead letter = 2 duplicates; offset 1: nowhere = lost; offset 2: poison delivered.
    expect(account).toMatchObject({ lost: 1, duplicates: 2, misrouted: 2, unexpected: 1 });
    expect(account!.lostSamples).toEqual([`${consumer.topic}/0@1`]);
  });
});
