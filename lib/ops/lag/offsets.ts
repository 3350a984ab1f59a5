/**
 * Where a consumer group stands on each partition of its topic, read with the Kafka admin API: the group's
 * committed offset (OffsetFetch) against the partition's log start and log end (ListOffsets). This is what
 * `kafka-consumer-groups.sh --describe` and MSK's OffsetLag report; nothing here is estimated.
 */
import type { Admin } from 'kafkajs';
import type { StartingPosition } from '../../manifest/spec.ts';

/** One consumer group reading one topic: what a lag query is asked about. */
export interface LagTarget {
  tenant: string;
  /** Consumer key in the manifest (`enrich-orders`), or `sink:<key>` for a sink's group. */
  consumer: string;
  /** Kafka consumer group (`payments.enrich-orders`). */
  groupId: string;
  /** Full topic name (`payments.orders`). */
  topic: string;
  /**
   * Where the group starts on partitions it has never committed to, as the event-source mapping would.
   * @default 'TRIM_HORIZON'
   */
  startingPosition?: StartingPosition;
  /** Epoch milliseconds, with `AT_TIMESTAMP`. */
  startingPositionTimestamp?: number;
}

export interface PartitionOffsets {
  partition: number;
  /** The group's committed offset (the next record it will read); null when it never committed here. */
  committed: number | null;
  /**
   * Where the group resumes: the committed offset, or for a partition without one the offset its starting
   * position resolves to. Clamped to the log start, because records below it are gone.
   */
  position: number;
  logStart: number;
  /** Offset the next produced record gets (the high watermark). */
  logEnd: number;
  /** Records between `position` and `logEnd`. */
  offsetLag: number;
}

/** Committed offsets and log bounds of every partition of the target's topic, in partition order. */
export async function readPartitionOffsets(admin: Admin, target: LagTarget): Promise<PartitionOffsets[]> {
  const [bounds, committedByTopic] = await Promise.all([
    admin.fetchTopicOffsets(target.topic),
    admin.fetchOffsets({ groupId: target.groupId, topics: [target.topic] }),
  ]);
  const committed = new Map<number, number>();
  for (const entry of committedByTopic.find((t) => t.topic === target.topic)?.partitions ?? []) {
    const offset = Number(entry.offset);
    // kafkajs reports "-1" for a partition the group has no offset for.
    if (offset >= 0) committed.set(entry.partition, offset);
  }
  const uncommitted = bounds.some((bound) => !committed.has(bound.partition));
  const startAt =
    uncommitted &&
    target.startingPosition === 'AT_TIMESTAMP' &&
    target.startingPositionTimestamp !== undefined
      ? new Map(
          (await admin.fetchTopicOffsetsByTimestamp(target.topic, target.startingPositionTimestamp)).map(
            (entry) => [entry.partition, Number(entry.offset)],
          ),
        )
      : undefined;

  return bounds
    .map((bound) => {
      const logStart = Number(bound.low);
      const logEnd = Number(bound.high);
      const own = committed.get(bound.partition);
      let position: number;
      if (own !== undefined) position = own;
      else if (target.startingPosition === 'LATEST') position = logEnd;
      else {
        // No record at or after the timestamp resolves to "-1": the group would start at the end.
        const at = startAt?.get(bound.partition);
        position = at === undefined ? logStart : at < 0 ? logEnd : at;
      }
      position = Math.min(Math.max(position, logStart), logEnd);
      return {
        partition: bound.partition,
        committed: own ?? null,
        position,
        logStart,
        logEnd,
        offsetLag: logEnd - position,
      };
    })
    .sort((a, b) => a.partition - b.partition);
}
