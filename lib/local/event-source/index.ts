/** The local Lambda Kafka event-source emulator. */
export { MAX_PAYLOAD_BYTES } from './batch-cut.ts';
export { interpretBatchResponse } from './batch-response.ts';
export {
  type EventSourceMapping,
  type EventSourceMappingOptions,
  startEventSourceMapping,
} from './mapping.ts';
export { MAX_RETRIES_WITH_DESTINATION, type RetryPolicy, retryPolicyFor } from './retry-policy.ts';
export type {
  EventSourceObserver,
  EventSourceStats,
  InvokeFunction,
  InvokeResult,
  PlatformAvailability,
} from './types.ts';
