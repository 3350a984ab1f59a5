/**
 * What the event-source emulator tells observability about one consumer, and the adapter that turns it into
 * Prometheus metrics. The emulator calls these hooks synchronously and never awaits them; they only count.
 */
import type { ConsumerSpec } from '../../manifest/spec.ts';
import type { StratusMetrics } from './metrics.ts';

/** One handler invocation as the emulator saw it. */
export interface InvocationOutcome {
  /** Records in the invoked batch (after filtering). */
  records: number;
  /** Payload bytes of the batch (keys and values). */
  bytes?: number;
  durationMs: number;
  /** True when the handler threw or timed out (Lambda's Errors metric); a partial batch response is not an error. */
  error?: boolean;
  /** Records reported in `batchItemFailures`, or every record of a failed invocation. */
  failedRecords?: number;
  /** Records the handler wrote to the output topic. */
  recordsOut?: number;
  /** Records the handler skipped as duplicates (idempotency). */
  duplicateRecords?: number;
}

/** Hooks the local event-source emulator calls; every one is optional to call and cheap. */
export interface EventSourceObserver {
  /** Records dropped by the consumer's filters before invocation. */
  onFiltered(count: number): void;
  /** Records older than maxRecordAge, discarded without invocation. */
  onExpired(count: number): void;
  /** One finished invocation (successful or not). */
  onInvocation(outcome: InvocationOutcome): void;
  /** Records sent to the on-failure destination (the tenant's DLQ). */
  onDeadLettered(count: number): void;
  /** The consumer started polling (true) or stopped / was paused (false). */
  onRunning(running: boolean): void;
}

/** Plain running totals the alarm evaluator reads without going through the metrics registry. */
export interface ConsumerTally {
  invocations: number;
  errors: number;
}

/** The observer of one consumer, writing to the shared metrics (and `tally`, when given). */
export function consumerObserver(
  metrics: StratusMetrics,
  consumer: ConsumerSpec,
  tally: ConsumerTally = { invocations: 0, errors: 0 },
): EventSourceObserver {
  const labels = { tenant: consumer.tenant, consumer: consumer.groupId, topic: consumer.topic };
  // Pre-create every series at 0 so rates and error ratios exist before the first record.
  for (const counter of [
    metrics.recordsIn,
    metrics.recordsOut,
    metrics.recordsFailed,
    metrics.recordsDeadLettered,
    metrics.recordsFiltered,
    metrics.recordsDuplicate,
    metrics.recordsExpired,
    metrics.invocations,
    metrics.invocationErrors,
  ])
    counter.inc(labels, 0);
  metrics.consumerRunning.set(labels, 0);
  return {
    onFiltered: (count) => metrics.recordsFiltered.inc(labels, count),
    onExpired: (count) => metrics.recordsExpired.inc(labels, count),
    onDeadLettered: (count) => metrics.recordsDeadLettered.inc(labels, count),
    onRunning: (running) => metrics.consumerRunning.set(labels, running ? 1 : 0),
    onInvocation: (outcome) => {
      metrics.invocations.inc(labels);
      tally.invocations++;
      metrics.recordsIn.inc(labels, outcome.records);
      metrics.batchSize.observe(labels, outcome.records);
      if (outcome.bytes !== undefined) metrics.batchBytes.observe(labels, outcome.bytes);
      metrics.duration.observe(labels, outcome.durationMs / 1000);
      const failed = outcome.failedRecords ?? (outcome.error ? outcome.records : 0);
      // Like Lambda's Errors metric: a thrown error or timeout counts, a partial batch response does not
      // (its records show up in records_failed instead).
      if (outcome.error) {
        metrics.invocationErrors.inc(labels);
        tally.errors++;
      }
      if (failed > 0) metrics.recordsFailed.inc(labels, failed);
      if (outcome.recordsOut) metrics.recordsOut.inc(labels, outcome.recordsOut);
      if (outcome.duplicateRecords) metrics.recordsDuplicate.inc(labels, outcome.duplicateRecords);
    },
  };
}
