/**
 * payments.enrich-orders: orders → orders-enriched. Topics, input and output schemas, idempotency key
 * (value.eventId), TTL and DLQ come from tenants/payments.yaml through the environment; this file is only the
 * business logic's wiring. Outputs are checked against the output topic's schema before they are produced.
 */
import { defineProcessor } from '../sdk/index.ts';
import { type EnrichedOrder, enrichOrder, type Order } from './order.ts';

export const handler = defineProcessor<Order, EnrichedOrder>({
  handler: (record, { logger }) => {
    const enriched = enrichOrder(record.value, new Date());
    if (enriched === undefined) logger.debug('cancellation dropped', { orderId: record.value.orderId });
    return enriched;
  },
});
