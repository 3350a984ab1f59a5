/**
 * What a replay will do, computed before anything changes: for each partition of the consumer's topic, the
 * group's committed offset, the first offset at or after `--from` (the target), with `--to` the first offset
 * at or after the end time, and how many records will be delivered again.
 */
import type { Admin } from 'kafkajs';

export interface ReplayWindow {
  /** Replay records with a timestamp at or after this time. */
  from: Date;
  /** Stop before the first record at or after this time; open-ended when absent. */
  to?: Date;
}

export interface PartitionPlan {
  partition: number;
  /** The group's committed offset; null when the group has never committed on this partition. */
  committed: string | null;
  /** First offset with a timestamp ≥ from; the end of the log when there is none. */
  target: string;
  /** With `to`: first offset with a timestamp ≥ to (end of the log when none); the replay stops before it. */
  end?: string;
  /** Records that will be processed again on this partition. */
  records: number;
  /** Why nothing is replayed on this partition, when nothing is. */
  skipReason?: string;
}

export interface ReplayPlan {
  topic: string;
  groupId: string;
  from: string;
  to?: string;
  partitions: PartitionPlan[];
  /** Sum of `records` over the partitions. */
  records: number;
}

/**
 * Builds the plan from the broker's view. Timestamps are the records' own (CreateTime unless the topic uses
 * LogAppendTime); ListOffsets by timestamp returns the earliest offset whose timestamp is ≥ the time
 * (https://kafka.apache.org/documentation/#protocol, ListOffsets), which kafkajs replaces by the high
 * watermark when no such record exists.
 */
export async function buildReplayPlan(
  admin: Admin,
  options: { topic: string; groupId: string; window: ReplayWindow },
): Promise<ReplayPlan> {
  const { topic, groupId, window } = options;
  const [committedTopics, targets, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [topic] }),
    admin.fetchTopicOffsetsByTimestamp(topic, window.from.getTime()),
    window.to ? admin.fetchTopicOffsetsByTimestamp(topic, window.to.getTime()) : Promise.resolve(undefined),
  ]);
  const committedByPartition = new Map(
    (committedTopics.find((entry) => entry.topic === topic)?.partitions ?? []).map((entry) => [
      entry.partition,
      entry.offset,
    ]),
  );
  const partitions = targets
    .map(({ partition, offset: target }): PartitionPlan => {
      const raw = committedByPartition.get(partition);
      const committed = raw === undefined || BigInt(raw) < 0n ? null : raw;
      const end = ends?.find((entry) => entry.partition === partition)?.offset;
      return {
        partition,
        committed,
        target,
        ...(end === undefined ? {} : { end }),
        ...count(committed, target, end),
      };
    })
    .sort((a, b) => a.partition - b.partition);
  return {
    topic,
    groupId,
    from: window.from.toISOString(),
    ...(window.to ? { to: window.to.toISOString() } : {}),
    partitions,
    records: partitions.reduce((sum, partition) => sum + partition.records, 0),
  };
}

/** Records in [target, min(end, committed)): only what the group has already processed is replayed. */
function count(
  committed: string | null,
  target: string,
  end: string | undefined,
): Pick<PartitionPlan, 'records' | 'skipReason'> {
  if (committed === null)
    return { records: 0, skipReason: 'no committed offset: the consumer has processed nothing here yet' };
  const stop = end === undefined || BigInt(end) > BigInt(committed) ? BigInt(committed) : BigInt(end);
  const records = stop - BigInt(target);
  if (BigInt(target) >= BigInt(committed))
    return { records: 0, skipReason: 'nothing processed at or after the time yet' };
  if (records <= 0n) return { records: 0, skipReason: 'no records in the window' };
  return { records: Number(records) };
}

/** Partitions where the replay changes something. */
export function replayedPartitions(plan: ReplayPlan): PartitionPlan[] {
  return plan.partitions.filter((partition) => partition.records > 0);
}

/**
 * The plan of a sandbox replay: every record in the window is delivered to the sandbox, whatever the live
 * group has processed; `highs` (the end of each partition) closes a window without `to`.
 */
export function sandboxPlan(plan: ReplayPlan, highs: Map<number, string>): ReplayPlan {
  const partitions = plan.partitions.map((partition): PartitionPlan => {
    const end = partition.end ?? highs.get(partition.partition) ?? partition.target;
    const records = Number(BigInt(end) - BigInt(partition.target));
    const { skipReason: _live, ...rest } = partition;
    return records > 0
      ? { ...rest, records }
      : { ...rest, records: 0, skipReason: 'no records in the window' };
  });
  return { ...plan, partitions, records: partitions.reduce((sum, partition) => sum + partition.records, 0) };
}
