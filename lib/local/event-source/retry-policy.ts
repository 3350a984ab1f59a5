/**
 * What happens to a batch after an invocation: Lambda's Kafka error handling as a pure state machine.
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-retry-configurations.html:
 * - MaximumRetryAttempts: retries after the first attempt; -1 is infinite. With an on-failure destination
 *   and -1, Lambda applies at most 10 (https://docs.aws.amazon.com/lambda/latest/dg/kafka-on-failure-destination.html).
 * - MaximumRecordAge: older records are not sent to the function but to the on-failure destination.
 * - BisectBatchOnFunctionError: a failed batch is split in two and each half retried. "Splitting a batch
 *   does not count towards the retry quota" (https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html,
 *   the same stream poller semantics); a single record cannot be split, so it is retried.
 * - ReportBatchItemFailures: per partition the lowest failed offset is the checkpoint; records before it
 *   succeed, it and everything after it in that partition are retried (counts as one retry).
 */

import type { MskRecord } from '../../core/msk-event.ts';
import { topicPartitionKey } from '../../core/msk-event.ts';
import type { ConsumerSpec } from '../../manifest/spec.ts';
import { type BatchVerdict, recordId } from './batch-response.ts';

/** The documented cap on retries when retries are infinite and an on-failure destination is set. */
export const MAX_RETRIES_WITH_DESTINATION = 10;

export interface RetryPolicy {
  /** Retries after the first attempt; -1 is infinite. */
  maxRetries: number;
  /** -1 never expires. */
  maxRecordAgeMs: number;
  bisectOnError: boolean;
}

export function retryPolicyFor(
  consumer: Pick<ConsumerSpec, 'retries' | 'maxRecordAgeMs' | 'bisectOnError' | 'onFailureTopic'>,
): RetryPolicy {
  const infinite = consumer.retries < 0;
  return {
    maxRetries: infinite && consumer.onFailureTopic ? MAX_RETRIES_WITH_DESTINATION : consumer.retries,
    maxRecordAgeMs: consumer.maxRecordAgeMs,
    bisectOnError: consumer.bisectOnError,
  };
}

/** Records sent together, and how many times they have already been retried as such. */
export interface Segment {
  records: MskRecord[];
  retries: number;
}

export type Outcome = { kind: 'error' } | BatchVerdict;

export interface Decision {
  /** Records that are done. */
  succeeded: MskRecord[];
  /** Segments to invoke next, in this order, before anything else of the partition. */
  retry: Segment[];
  /** Records that ran out of retries: to the on-failure destination (RETRIES_EXHAUSTED). */
  exhausted: MskRecord[];
}

/** Records older than MaximumRecordAge at `now` (never sent to the function) and the others, order kept. */
export function splitExpired(
  records: readonly MskRecord[],
  now: number,
  policy: RetryPolicy,
): { expired: MskRecord[]; live: MskRecord[] } {
  if (policy.maxRecordAgeMs < 0) return { expired: [], live: [...records] };
  const expired: MskRecord[] = [];
  const live: MskRecord[] = [];
  for (const record of records)
    (now - record.timestamp > policy.maxRecordAgeMs ? expired : live).push(record);
  return { expired, live };
}

/** The next step after invoking `segment` with outcome `outcome`. */
export function decide(segment: Segment, outcome: Outcome, policy: RetryPolicy): Decision {
  const canRetry = policy.maxRetries < 0 || segment.retries < policy.maxRetries;
  switch (outcome.kind) {
    case 'success':
      return { succeeded: [...segment.records], retry: [], exhausted: [] };
    case 'partial': {
      const succeeded: MskRecord[] = [];
      const remainder: MskRecord[] = [];
      for (const record of segment.records) {
        const checkpoint = outcome.checkpoints.get(topicPartitionKey(record.topic, record.partition));
        (checkpoint !== undefined && record.offset >= checkpoint ? remainder : succeeded).push(record);
      }
      if (canRetry)
        return { succeeded, retry: [{ records: remainder, retries: segment.retries + 1 }], exhausted: [] };
      // Out of retries: the records the function reported failed are given up on; the ones after them,
      // which never failed, start over as a new batch (the emulator's choice; AWS does not document it).
      const exhausted = remainder.filter((record) => outcome.failed.has(recordId(record)));
      const rest = remainder.filter((record) => !outcome.failed.has(recordId(record)));
      return { succeeded, retry: rest.length > 0 ? [{ records: rest, retries: 0 }] : [], exhausted };
    }
    case 'error':
    case 'invalid': {
      if (policy.bisectOnError && segment.records.length > 1) {
        const middle = Math.ceil(segment.records.length / 2);
        return {
          succeeded: [],
          retry: [
            { records: segment.records.slice(0, middle), retries: segment.retries },
            { records: segment.records.slice(middle), retries: segment.retries },
          ],
          exhausted: [],
        };
      }
      if (canRetry)
        return {
          succeeded: [],
          retry: [{ records: segment.records, retries: segment.retries + 1 }],
          exhausted: [],
        };
      return { succeeded: [], retry: [], exhausted: [...segment.records] };
    }
  }
}
