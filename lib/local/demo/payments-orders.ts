/**
 * Order events for `payments.orders` (schemas/payments/order.schema.json), about 1 KB of JSON each like a
 * real checkout payload: 8–14 line items with product names. Updates and cancellations reuse recent order ids,
 * so they share a key (and a partition) with the order they change.
 */
import { EUR_PER_UNIT } from '../../../functions/payments/order.ts';
import type { DemoRandom } from './random.ts';
import type { DemoGenerator, DemoRecord, DemoRecordKind } from './types.ts';

const CATEGORIES = ['ELEC', 'HOME', 'GARD', 'TOYS', 'BOOK', 'FASH', 'SPRT', 'FOOD'] as const;
const ADJECTIVES = [
  'Compact',
  'Deluxe',
  'Organic',
  'Wireless',
  'Classic',
  'Ergonomic',
  'Foldable',
  'Premium',
];
const NOUNS = [
  'Headphones',
  'Kettle',
  'Backpack',
  'Desk Lamp',
  'Yoga Mat',
  'Board Game',
  'Cookbook',
  'Jacket',
];
const COLOURS = ['BLK', 'WHT', 'RED', 'BLU', 'GRN', 'GRY'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'OS'];
const COUNTRIES = ['DE', 'FR', 'NL', 'SE', 'GB', 'US', 'CH', 'PL', 'BR', 'NG'];
const CURRENCIES = Object.keys(EUR_PER_UNIT);

/** Schema violations that still pass `filters: [{ value: { type: [order.created, order.updated] } }]`. */
const VIOLATIONS: ReadonlyArray<(order: Record<string, unknown>) => void> = [
  (order) => {
    order.amount = -12.5;
  },
  (order) => {
    order.currency = 'eur';
  },
  (order) => {
    delete order.customerId;
  },
  (order) => {
    order.items = [];
  },
  (order) => {
    order.coupon = 'BLACKFRIDAY';
  },
];

export function paymentsOrders(random: DemoRandom, now: () => Date = () => new Date()): DemoGenerator {
  const recent: string[] = [];
  const order = (seq: number): Record<string, unknown> => {
    const roll = random.next();
    const type =
      roll < 0.78 || recent.length === 0
        ? 'order.created'
        : roll < 0.92
          ? 'order.updated'
          : 'order.cancelled';
    let orderId: string;
    if (type === 'order.created') {
      orderId = `ord-${seq.toString(36)}${random.token(6)}`;
      recent.push(orderId);
      if (recent.length > 50) recent.shift();
    } else {
      orderId = random.pick(recent);
    }
    const items = Array.from({ length: random.int(8, 14) }, () => {
      const category = random.pick(CATEGORIES);
      return {
        sku: `SKU-${category}-${String(random.int(0, 999_999)).padStart(6, '0')}-${random.pick(COLOURS)}-${random.pick(SIZES)}`,
        name: `${random.pick(ADJECTIVES)} ${random.pick(NOUNS)}`,
        quantity: random.int(1, 4),
        unitPrice: random.int(199, 25_000) / 100,
      };
    });
    const amount =
      Math.round(items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0) * 100) / 100;
    return {
      eventId: random.uuid(),
      type,
      orderId,
      customerId: `cus-${String(random.int(1, 20_000)).padStart(6, '0')}`,
      amount,
      currency: random.pick(CURRENCIES),
      items,
      country: random.pick(COUNTRIES),
      createdAt: now().toISOString(),
    };
  };

  return {
    description: 'payments orders (~1 KB JSON)',
    poison: ['bad-json', 'schema-violation', 'handler-failure'],
    next(seq: number, kind: DemoRecordKind): DemoRecord {
      const value = order(seq);
      if (kind !== 'valid') value.type = 'order.created';
      if (kind === 'schema-violation') VIOLATIONS[seq % VIOLATIONS.length]!(value);
      // enrich-orders has no FX rate for XXX (ISO 4217's "no currency"): it throws on every attempt.
      if (kind === 'handler-failure') value.currency = 'XXX';
      const key = String(value.orderId);
      if (kind === 'bad-json') return { key, value: JSON.stringify(value).slice(0, 180), kind };
      return { key, value: JSON.stringify(value), kind };
    },
  };
}
