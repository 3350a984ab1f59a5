/**
 * Stratus handler SDK: typed Kafka consumers and processors that run unchanged in Lambda and locally.
 * See the README's "Handler guide".
 */

export { defineConsumer, defineProcessor, type StratusHandler } from './define.ts';
export {
  InvalidRecordError,
  OutputDeliveryError,
  OutputSchemaViolationError,
  RecordDecodeError,
  SchemaViolationError,
  StratusConfigurationError,
} from './errors.ts';
export type { IdempotencyOptions } from './idempotency.ts';
export { LINEAGE_HEADERS } from './lineage.ts';
export {
  type ConsumerOptions,
  type ProcessorOptions,
  type StratusMiddleware,
  stratusConsumer,
  stratusProcessor,
} from './middleware.ts';
export { MetricUnit, SDK_METRICS } from './observability.ts';
export { outputRecord } from './output.ts';
export { createKafkaPublisher, type RecordPublisher } from './producer.ts';
export type { StratusHandlerOptions, StratusRuntime } from './runtime.ts';
export type {
  ConsumerRecordHandler,
  HandlerContext,
  KafkaRecord,
  OutputRecord,
  ProcessorRecordHandler,
  ProcessorResult,
  RecordLogger,
  TombstoneHandler,
  TombstoneRecord,
} from './types.ts';
