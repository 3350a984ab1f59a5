/**
 * The example tenants' business logic and handlers. Outputs are checked against the output topics' schemas
 * with the same Ajv set-up the manifest validator uses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type PageView,
  referrerHostOf,
  sessionIdOf,
  sessionize,
} from '../../../functions/clickstream/session.ts';
import {
  enrichOrder,
  type Order,
  riskBandOf,
  UnknownCurrencyError,
} from '../../../functions/payments/order.ts';
import { schemaValidatorFor } from '../../../lib/manifest/module-files.ts';
import { functionEnv } from './env.ts';
import { captureOutput, lambdaContext, mskEvent } from './msk-fixtures.ts';

function validatorOf(file: string) {
  const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  return schemaValidatorFor(schema).compile(schema);
}

const order: Order = {
  eventId: '0b6f8c3e-8a49-4d6b-9d2e-51a2f4f0c001',
  type: 'order.created',
  orderId: 'ord-1',
  customerId: 'c-1',
  amount: 250,
  currency: 'USD',
  items: [
    { sku: 'a', quantity: 2, unitPrice: 100 },
    { sku: 'b', quantity: 1, unitPrice: 50 },
  ],
  country: 'DE',
  createdAt: '2026-11-24T08:00:00Z',
};

describe('payments enrich-orders', () => {
  const validEnriched = validatorOf('schemas/payments/order-enriched.schema.json');

  it('adds amountEur from the FX table, itemCount, riskBand and enrichedAt, and matches the output schema', () => {
    const enriched = enrichOrder(order, new Date('2026-11-24T08:00:01Z'));
    expect(enriched).toEqual({
      eventId: order.eventId,
      type: 'order.created',
      orderId: 'ord-1',
      customerId: 'c-1',
      amount: 250,
      currency: 'USD',
      amountEur: 230,
      itemCount: 3,
      riskBand: 'medium',
      country: 'DE',
      createdAt: order.createdAt,
      enrichedAt: '2026-11-24T08:00:01.000Z',
    });
    expect(validEnriched(enriched), JSON.stringify(validEnriched.errors)).toBe(true);
    const { country: _omitted, ...withoutCountry } = order;
    expect(validEnriched(enrichOrder(withoutCountry, new Date()))).toBe(true);
  });

  it('bands risk by EUR amount, one step higher for elevated-risk countries', () => {
    expect([riskBandOf(99.99, 'DE'), riskBandOf(100, 'DE'), riskBandOf(1000, undefined)]).toEqual([
      'low',
      'medium',
      'high',
    ]);
    expect([riskBandOf(10, 'NG'), riskBandOf(500, 'NG')]).toEqual(['medium', 'high']);
  });

  it('throws for an unknown currency (retried, then dead-lettered by the event-source mapping)', () => {
    expect(() => enrichOrder({ ...order, currency: 'XAU' }, new Date())).toThrow(UnknownCurrencyError);
  });

  it('drops cancellations, which orders-enriched does not accept', () => {
    expect(enrichOrder({ ...order, type: 'order.cancelled' }, new Date())).toBeUndefined();
  });
});

describe('clickstream sessionize', () => {
  const validSession = validatorOf('schemas/clickstream/session-view.schema.json');
  const view: PageView = {
    eventId: '7d1d7b8e-1f7a-4c49-9a8a-3c2f0e8f9a01',
    userId: 'u-1',
    url: 'https://shop.example.com/products/42?ref=mail',
    referrer: 'https://www.google.com/search?q=shoes',
    userAgent: 'Mozilla/5.0',
    isBot: false,
    durationMs: 1200,
    viewedAt: '2026-11-24T08:05:00Z',
  };

  it('derives sessionId, path and referrerHost, and matches the output schema', () => {
    const session = sessionize(view);
    expect(session).toMatchObject({
      eventId: view.eventId,
      userId: 'u-1',
      path: '/products/42',
      referrerHost: 'www.google.com',
      durationMs: 1200,
      viewedAt: view.viewedAt,
    });
    expect(session?.sessionId).toMatch(/^[0-9a-f]{32}$/);
    expect(validSession(session), JSON.stringify(validSession.errors)).toBe(true);
    expect(validSession(sessionize({ ...view, referrer: null, durationMs: undefined }))).toBe(true);
  });

  it('gives one session id per user and 30-minute window, stable across calls', () => {
    const id = sessionIdOf('u-1', '2026-11-24T08:00:00Z');
    expect(sessionIdOf('u-1', '2026-11-24T08:29:59.999Z')).toBe(id);
    expect(sessionIdOf('u-1', '2026-11-24T08:30:00Z')).not.toBe(id);
    expect(sessionIdOf('u-2', '2026-11-24T08:00:00Z')).not.toBe(id);
    // Same instant written with an offset: same window.
    expect(sessionIdOf('u-1', '2026-11-24T09:10:00+01:00')).toBe(id);
  });

  it('gives a null referrerHost for no referrer or free text', () => {
    expect([
      referrerHostOf(undefined),
      referrerHostOf(null),
      referrerHostOf(''),
      referrerHostOf('email'),
    ]).toEqual([null, null, null, null]);
  });

  it('drops bots', () => {
    expect(sessionize({ ...view, isBot: true })).toBeUndefined();
  });
});

describe('the example handler modules', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.resetModules();
  });

  it('payments enrich-orders reports an unknown currency as a failed record and drops cancellations', async () => {
    const env = functionEnv({
      tenant: 'payments',
      consumer: 'enrich-orders',
      sourceTopic: 'payments.orders',
      outputTopic: 'payments.orders-enriched',
      dlqTopic: 'payments.dlq',
      schemaFile: path.resolve('schemas/payments/order.schema.json'),
    });
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const { handler } = await import('../../../functions/payments/enrich-orders.ts');
    const event = mskEvent([
      {
        topic: 'payments.orders',
        partition: 0,
        offset: 5,
        key: 'ord-1',
        value: { ...order, type: 'order.cancelled' },
      },
      {
        topic: 'payments.orders',
        partition: 1,
        offset: 8,
        key: 'ord-2',
        value: { ...order, currency: 'XAU' },
      },
    ]);
    const { result, lines } = await captureOutput(() => handler(event, lambdaContext()));
    expect(result).toEqual({
      batchItemFailures: [{ itemIdentifier: { partition: 'payments.orders-1', offset: 8 } }],
    });
    expect(lines.find((l) => l.level === 'ERROR')).toMatchObject({
      tenant: 'payments',
      consumer: 'enrich-orders',
      offset: 8,
      error: expect.objectContaining({ name: 'UnknownCurrencyError' }),
    });
  });
});
