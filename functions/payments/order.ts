/**
 * Order enrichment, the payments team's business logic: pure functions, no SDK, so they are unit-tested and
 * benchmarked on their own. Types mirror schemas/payments/order.schema.json and order-enriched.schema.json.
 */

export interface OrderItem {
  sku: string;
  quantity: number;
  unitPrice: number;
}

export interface Order {
  eventId: string;
  type: 'order.created' | 'order.updated' | 'order.cancelled';
  orderId: string;
  customerId: string;
  amount: number;
  currency: string;
  items: OrderItem[];
  country?: string;
  createdAt: string;
}

export type RiskBand = 'low' | 'medium' | 'high';

export interface EnrichedOrder {
  eventId: string;
  type: 'order.created' | 'order.updated';
  orderId: string;
  customerId: string;
  amount: number;
  currency: string;
  amountEur: number;
  itemCount: number;
  riskBand: RiskBand;
  country?: string;
  createdAt: string;
  enrichedAt: string;
}

/** EUR per unit of each currency. Fixed on purpose: the demo needs deterministic amounts, not live rates. */
export const EUR_PER_UNIT: Readonly<Record<string, number>> = {
  EUR: 1,
  USD: 0.92,
  GBP: 1.17,
  CHF: 1.05,
  SEK: 0.087,
  NOK: 0.085,
  DKK: 0.134,
  PLN: 0.23,
  JPY: 0.0061,
};

/**
 * Thrown for a currency the FX table does not know. It is an ordinary error, not an invalid record: the record
 * is retried (the table might be fixed by a deploy) and, when retries are exhausted, lands in the DLQ.
 */
export class UnknownCurrencyError extends Error {
  constructor(currency: string) {
    super(`no FX rate for currency "${currency}"`);
    this.name = 'UnknownCurrencyError';
  }
}

/** Countries where card fraud chargebacks have been frequent enough to raise the band by one step. */
const ELEVATED_RISK_COUNTRIES = new Set(['NG', 'RU', 'BR']);

export function riskBandOf(amountEur: number, country: string | undefined): RiskBand {
  const base: RiskBand = amountEur >= 1000 ? 'high' : amountEur >= 100 ? 'medium' : 'low';
  if (country === undefined || !ELEVATED_RISK_COUNTRIES.has(country)) return base;
  return base === 'low' ? 'medium' : 'high';
}

/** The enriched order, or `undefined` for cancellations (they do not belong in orders-enriched). */
export function enrichOrder(order: Order, now: Date): EnrichedOrder | undefined {
  if (order.type === 'order.cancelled') return undefined;
  const rate = EUR_PER_UNIT[order.currency];
  if (rate === undefined) throw new UnknownCurrencyError(order.currency);
  const amountEur = Math.round(order.amount * rate * 100) / 100;
  const enriched: EnrichedOrder = {
    eventId: order.eventId,
    type: order.type,
    orderId: order.orderId,
    customerId: order.customerId,
    amount: order.amount,
    currency: order.currency,
    amountEur,
    itemCount: order.items.reduce((sum, item) => sum + item.quantity, 0),
    riskBand: riskBandOf(amountEur, order.country),
    createdAt: order.createdAt,
    enrichedAt: now.toISOString(),
  };
  if (order.country !== undefined) enriched.country = order.country;
  return enriched;
}
