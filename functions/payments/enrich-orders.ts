/**
 * payments.enrich-orders: orders → orders-enriched. Topics, schema, idempotency key (value.eventId), TTL and
 * DLQ come from tenants/payments.yaml through the environment; this file is only the business logic's wiring.
 */
import enrichedOrderSchema from '../../schemas/payments/order-enriched.schema.json' with { type: 'json' };
import { defineProcessor } from '../sdk/index.ts';
import { type EnrichedOrder, enrichOrder, type Order } from './order.ts';

export const handler = defineProcessor<Order, EnrichedOrder>({
  // Outputs are checked against the output topic's schema before they are produced.
  output: { schema: enrichedOrderSchema },
  handler: (record, { logger }) => {
    const enriched = enrichOrder(record.value, new Date());
    if (enriched === undefined) logger.debug('cancellation dropped', { orderId: record.value.orderId });
    return enriched;
  },
});
