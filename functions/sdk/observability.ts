/**
 * Logger and metrics of a function: Powertools Logger (structured JSON, level from POWERTOOLS_LOG_LEVEL) and
 * Powertools Metrics (CloudWatch EMF, namespace from POWERTOOLS_METRICS_NAMESPACE), both keyed by tenant and
 * consumer so every line and every metric can be attributed without parsing the function name.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type DroppedRecord, dropEvidenceDocument } from '../../lib/core/drop-evidence.ts';
import type { RecordLogger } from './types.ts';

/** The metrics the SDK emits per invocation, dimensions service (= tenant), tenant, consumer. */
export const SDK_METRICS = {
  recordsIn: 'RecordsIn',
  recordsOut: 'RecordsOut',
  /** Records whose handler threw (reported as batch item failures, retried by the event-source mapping). */
  recordsFailed: 'RecordsFailed',
  /** Invalid records the SDK wrote to the DLQ. */
  recordsDeadLettered: 'RecordsDeadLettered',
  /** Records skipped because their idempotency key was already processed. */
  recordsDuplicate: 'RecordsDuplicate',
  /**
   * Records a processor produced no output for on purpose (returned nothing, idempotency duplicate, tombstone);
   * emitted with the list of those records (lib/core/drop-evidence.ts), see `printDropEvidence`.
   */
  recordsDropped: 'RecordsDropped',
  /** Mean handler time per record in the invocation, milliseconds. */
  processingTime: 'ProcessingTime',
  /**
   * Now minus the oldest processed record's timestamp, taken once the batch is committed (outputs acknowledged),
   * milliseconds: the worst end-to-end latency of the invocation.
   */
  endToEndLatency: 'EndToEndLatency',
} as const;

export { MetricUnit };

export function createLogger(tenant: string, consumer: string): Logger {
  return new Logger({ serviceName: tenant, persistentKeys: { tenant, consumer } });
}

export function createMetrics(tenant: string, consumer: string): Metrics {
  // The platform sets POWERTOOLS_METRICS_NAMESPACE (function-env.ts); an explicit option would override it.
  return new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'Stratus',
    serviceName: tenant,
    defaultDimensions: { tenant, consumer },
  });
}

/**
 * Prints the evidence of an invocation's deliberate drops: one EMF line (metric `RecordsDropped`, property
 * `stratusDropped` listing each record), straight to stdout like Powertools' own EMF lines. Not through the
 * Metrics or Logger instances: evidence must not depend on a log level or on POWERTOOLS_METRICS_DISABLED.
 */
export function printDropEvidence(tenant: string, consumer: string, records: readonly DroppedRecord[]): void {
  if (records.length === 0) return;
  const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || 'Stratus';
  process.stdout.write(`${JSON.stringify(dropEvidenceDocument({ namespace, tenant, consumer, records }))}\n`);
}

/** The coordinates every line about a record carries. */
export interface RecordLogKeys {
  topic: string;
  partition: number;
  offset: number;
  correlation_id: string;
}

/**
 * A per-record view of the shared Logger. Partitions of a batch are processed concurrently, so the record's
 * keys travel with each call instead of being appended to the shared Logger (which would mix records up).
 */
class ScopedLogger implements RecordLogger {
  readonly #logger: Logger;
  readonly #keys: RecordLogKeys;
  constructor(logger: Logger, keys: RecordLogKeys) {
    this.#logger = logger;
    this.#keys = keys;
  }
  debug(message: string, attributes?: Record<string, unknown> | Error): void {
    this.#logger.debug(message, this.#with(attributes));
  }
  info(message: string, attributes?: Record<string, unknown> | Error): void {
    this.#logger.info(message, this.#with(attributes));
  }
  warn(message: string, attributes?: Record<string, unknown> | Error): void {
    this.#logger.warn(message, this.#with(attributes));
  }
  error(message: string, attributes?: Record<string, unknown> | Error): void {
    this.#logger.error(message, this.#with(attributes));
  }
  #with(attributes: Record<string, unknown> | Error | undefined): Record<string, unknown> {
    if (attributes === undefined) return this.#keys as unknown as Record<string, unknown>;
    return attributes instanceof Error
      ? { ...this.#keys, error: attributes }
      : { ...this.#keys, ...attributes };
  }
}

export function recordLogger(logger: Logger, keys: RecordLogKeys): RecordLogger {
  return new ScopedLogger(logger, keys);
}
