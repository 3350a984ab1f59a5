/**
 * A bounded replay: delivers the records of [from, to) per partition to the consumer's function through the
 * event-source emulator — the same filters, batching, retries and event shape as the live pipeline — but in a
 * temporary consumer group, so the live group's position is never touched. Used by `stratus replay --to`
 * (the live group keeps going where it is) and `--into <sandbox>`.
 *
 * The emulator fetches past `to`; records at or beyond `to` are cut from each event before the function sees
 * it, and an event left empty is not sent. Failed records are reported, never written to the live DLQ: they
 * were dead-lettered (or not) when they first failed, and a replay must not duplicate DLQ entries.
 */
import type { Kafka } from 'kafkajs';
import type { MskEvent } from '../../core/msk-event.ts';
import { type InvokeFunction, startEventSourceMapping } from '../../local/event-source/index.ts';
import type { ConsumerSpec } from '../../manifest/spec.ts';
import { OpsError } from '../shared/errors.ts';
import type { OffsetRange } from '../shared/read-range.ts';

export interface BoundedReplayOptions {
  kafka: Kafka;
  /** The manifest consumer (topic, filters, batching, retries); its group and DLQ are not used. */
  consumer: ConsumerSpec;
  /** The temporary group, e.g. `replayGroupId(tenant, consumer, 'replay-…')`; deleted at the end. */
  groupId: string;
  /** What to deliver per partition; partitions without a range (or an empty one) deliver nothing. */
  ranges: OffsetRange[];
  invoke: InvokeFunction;
  bootstrapServers: string;
  eventSourceArn?: string;
  /**
   * Give up when the replay has not finished by then (a function that keeps failing with infinite retries).
   * @default 600_000
   */
  timeoutMs?: number;
}

export interface BoundedReplayResult {
  /** Records handed to the function (after filters), retries not counted twice. */
  delivered: number;
  invocations: number;
  failedInvocations: number;
  /** Records given up on after the consumer's retries; not written to any DLQ. */
  failedRecords: number;
  /** Records the consumer's filters dropped. */
  filtered: number;
  /** The first function error seen, `<class>: <message>`, for the report. */
  firstError?: string;
}

export async function runBoundedReplay(options: BoundedReplayOptions): Promise<BoundedReplayResult> {
  const { consumer, groupId } = options;
  const ends = new Map<number, bigint>();
  for (const range of options.ranges)
    if (BigInt(range.from) < BigInt(range.to)) ends.set(range.partition, BigInt(range.to));

  const admin = options.kafka.admin();
  await admin.connect();
  try {
    // Position the new group: at `from` where there is something to replay, at the end of the log elsewhere.
    const highs = await admin.fetchTopicOffsets(consumer.topic);
    await admin.setOffsets({
      groupId,
      topic: consumer.topic,
      partitions: highs.map(({ partition, high }) => {
        const range = options.ranges.find((candidate) => candidate.partition === partition);
        return { partition, offset: range && ends.has(partition) ? range.from : high };
      }),
    });
    const result: BoundedReplayResult = {
      delivered: 0,
      invocations: 0,
      failedInvocations: 0,
      failedRecords: 0,
      filtered: 0,
    };
    if (ends.size === 0) return result;

    const delivered = new Set<string>();
    const invoke: InvokeFunction = async (event) => {
      const trimmed = trimEvent(event, ends);
      if (!trimmed) return { ok: true, response: { batchItemFailures: [] } };
      for (const records of Object.values(trimmed.records))
        for (const record of records) delivered.add(`${record.partition}:${record.offset}`);
      const outcome = await options.invoke(trimmed);
      if (!outcome.ok) result.firstError ??= `${outcome.error.class}: ${outcome.error.message}`;
      else {
        const failures = (outcome.response as { batchItemFailures?: unknown[] } | undefined)
          ?.batchItemFailures;
        if (failures && failures.length > 0)
          result.firstError ??= 'the function reported batch item failures (see its log)';
      }
      return outcome;
    };
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const reached = new Map<number, bigint>();
    const mapping = await startEventSourceMapping({
      // No DLQ: see the file comment. TRIM_HORIZON is moot, the group has offsets already.
      consumer: { ...consumer, groupId, startingPosition: 'TRIM_HORIZON', onFailureTopic: undefined },
      kafka: options.kafka,
      invoke,
      bootstrapServers: options.bootstrapServers,
      eventSourceArn: options.eventSourceArn,
      observer: {
        onDeadLettered: ({ records }) => {
          result.failedRecords += records.filter((record) => {
            const end = ends.get(record.partition);
            return end !== undefined && BigInt(record.offset) < end;
          }).length;
        },
        onCommitted: ({ partition, offset }) => {
          reached.set(partition, BigInt(offset));
          if ([...ends].every(([p, end]) => (reached.get(p) ?? -1n) >= end)) finish();
        },
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        finished,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new OpsError(
                  `the bounded replay of ${consumer.groupId} did not finish within ${(options.timeoutMs ?? 600_000) / 1000} s; the live group was not changed`,
                ),
              ),
            options.timeoutMs ?? 600_000,
          );
        }),
      ]);
    } finally {
      clearTimeout(timer);
      const stats = mapping.stats();
      await mapping.stop();
      result.invocations = stats.invocations;
      result.failedInvocations = stats.failedInvocations;
      result.filtered = stats.recordsFiltered;
      result.delivered = delivered.size;
    }
    return result;
  } finally {
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.disconnect();
  }
}

/** The event without records at or beyond their partition's end; undefined when nothing is left. */
function trimEvent(event: MskEvent, ends: Map<number, bigint>): MskEvent | undefined {
  const records: MskEvent['records'] = {};
  let count = 0;
  for (const [key, list] of Object.entries(event.records)) {
    const kept = list.filter((record) => {
      const end = ends.get(record.partition);
      return end !== undefined && BigInt(record.offset) < end;
    });
    if (kept.length > 0) {
      records[key] = kept;
      count += kept.length;
    }
  }
  return count === 0 ? undefined : { ...event, records };
}
