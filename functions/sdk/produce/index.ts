/**
 * The Stratus producer SDK: typed, validated, lineage-stamped writes to a tenant's topic from any Node service.
 *
 * ```ts
 * import { createProducer } from '../sdk/produce/index.ts';
 * const orders = await createProducer<Order>({ tenant: 'payments', topic: 'orders', producer: 'checkout', key: 'orderId' });
 * await orders.send(order);                 // resolves once every in-sync replica has it; refuses invalid values
 * process.once('SIGTERM', () => void orders.close());   // waits for what is queued, then disconnects
 * ```
 *
 * See docs/producers.md. It shares its checks, lineage headers and Kafka producer with the handler SDK's
 * processor outputs (functions/sdk/index.ts), and is a separate entry point so consumer bundles stay small.
 */
export { RecordRejectedError, type RejectReason, StratusConfigurationError } from '../errors.ts';
export { type CreateProducerOptions, createProducer } from './create-producer.ts';
export { ProducerClosedError, ProducerDeliveryError } from './send-queue.ts';
export {
  type KeyOf,
  type PreparedRecord,
  type ProducerRecord,
  type TopicContract,
  TopicProducer,
  type TopicProducerOptions,
} from './topic-producer.ts';
