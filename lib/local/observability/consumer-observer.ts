/**
 * The event-source emulator's observer (lib/local/event-source/types.ts) for one consumer, turning its
 * callbacks into Prometheus metrics. The emulator calls these synchronously and they must not throw; they
 * only count.
 */

import type { ConsumerSpec } from '../../manifest/spec.ts';
import type { EventSourceObserver } from '../event-source/types.ts';
import type { StratusMetrics } from './metrics.ts';

export type { EventSourceObserver } from '../event-source/types.ts';

/** Plain running totals the alarm evaluator reads without going through the metrics registry. */
export interface ConsumerTally {
  invocations: number;
  errors: number;
}

export function consumerLabels(consumer: Pick<ConsumerSpec, 'tenant' | 'groupId' | 'topic'>) {
  return { tenant: consumer.tenant, consumer: consumer.groupId, topic: consumer.topic };
}

/** The observer of one consumer, writing to the shared metrics (and `tally`, when given). */
export function consumerObserver(
  metrics: StratusMetrics,
  consumer: Pick<ConsumerSpec, 'tenant' | 'groupId' | 'topic'>,
  tally: ConsumerTally = { invocations: 0, errors: 0 },
): Required<EventSourceObserver> {
  const labels = consumerLabels(consumer);
  // Pre-create every series at 0 so rates and error ratios exist before the first record.
  for (const counter of [
    metrics.recordsIn,
    metrics.recordsFailed,
    metrics.recordsDeadLettered,
    metrics.recordsDropped,
    metrics.recordsFiltered,
    metrics.invocations,
    metrics.invocationErrors,
    metrics.partialBatchResponses,
  ])
    counter.inc(labels, 0);
  return {
    onBatch: ({ records, bytes }) => {
      metrics.batchSize.observe(labels, records);
      metrics.batchBytes.observe(labels, bytes);
    },
    onInvocation: ({ records, durationMs, ok, partial }) => {
      tally.invocations++;
      metrics.invocations.inc(labels);
      metrics.recordsIn.inc(labels, records);
      metrics.duration.observe(labels, durationMs / 1000);
      // Like Lambda's Errors metric: a thrown error, timeout or crash counts; a partial batch response is a
      // successful invocation (its failed records are retried and show up when given up on).
      if (!ok) {
        tally.errors++;
        metrics.invocationErrors.inc(labels);
        metrics.recordsFailed.inc(labels, records);
      }
      if (partial) metrics.partialBatchResponses.inc(labels);
    },
    onFiltered: ({ records }) => metrics.recordsFiltered.inc(labels, records),
    onDeadLettered: ({ records, reason, topic }) => {
      // With no on-failure destination Lambda discards the records; that is not a dead letter.
      if (topic) metrics.recordsDeadLettered.inc({ ...labels }, records.length);
      else metrics.recordsDropped.inc(labels, records.length);
      metrics.recordsGivenUp.inc({ ...labels, reason }, records.length);
    },
    onCommitted: ({ partition, offset }) =>
      metrics.committedOffset.set({ ...labels, partition: String(partition) }, offset),
    onError: ({ stage }) => metrics.consumerErrors.inc({ ...labels, stage }),
  };
}
