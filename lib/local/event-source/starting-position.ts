/**
 * Where a consumer group starts. Lambda's StartingPosition (TRIM_HORIZON, LATEST, AT_TIMESTAMP) applies only
 * when the group has no committed offsets: "if Kafka finds a valid existing consumer group with the same ID,
 * Lambda ignores the StartingPosition ... [and] begins processing records according to the committed offset"
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html). Here that is decided per
 * partition: a partition without a committed offset gets the starting position. AT_TIMESTAMP starts at the first record at or after the timestamp
 * (ListOffsets by timestamp), or at the end of the partition when there is none.
 *
 * The position is resolved once, before the consumer joins, and committed to the group as soon as the
 * partition is assigned, so a mapping that restarts before it delivered anything resumes from the same place
 * (as an event-source mapping does). (kafkajs' admin.setOffsets is not used: it joins the group with a
 * throw-away consumer and waits for a fetch, which costs seconds per new group.)
 */
import type { Admin } from 'kafkajs';
import type { StartingPosition } from '../../manifest/spec.ts';

export interface StartingPositionInput {
  groupId: string;
  topic: string;
  startingPosition: StartingPosition;
  /** Epoch milliseconds, with AT_TIMESTAMP. */
  startingPositionTimestamp?: number;
}

/**
 * The starting offset of each partition the group has no committed offset for; empty when it has them all.
 * The mapping seeks there when it joins and commits the offset right away.
 */
export async function startingOffsets(
  admin: Admin,
  input: StartingPositionInput,
): Promise<Map<number, number>> {
  const [committed] = await admin.fetchOffsets({ groupId: input.groupId, topics: [input.topic] });
  const uncommitted = new Set(
    (committed?.partitions ?? []).filter((p) => Number(p.offset) < 0).map((p) => p.partition),
  );
  if (uncommitted.size === 0) return new Map();
  const resolved = await resolveStartingOffsets(admin, input);
  return new Map(resolved.filter((p) => uncommitted.has(p.partition)).map((p) => [p.partition, p.offset]));
}

/** The starting offset of every partition of the topic for the given position. */
export async function resolveStartingOffsets(
  admin: Admin,
  input: Omit<StartingPositionInput, 'groupId'>,
): Promise<Array<{ partition: number; offset: number }>> {
  const ends = await admin.fetchTopicOffsets(input.topic);
  switch (input.startingPosition) {
    case 'TRIM_HORIZON':
      return ends.map((p) => ({ partition: p.partition, offset: Number(p.low) }));
    case 'LATEST':
      return ends.map((p) => ({ partition: p.partition, offset: Number(p.high) }));
    case 'AT_TIMESTAMP': {
      if (input.startingPositionTimestamp === undefined)
        throw new Error('startingPosition AT_TIMESTAMP needs startingPositionTimestamp');
      const byTime = await admin.fetchTopicOffsetsByTimestamp(input.topic, input.startingPositionTimestamp);
      const high = new Map(ends.map((p) => [p.partition, Number(p.high)]));
      // Kafka answers -1 when no record is at or after the timestamp: start at the end.
      return byTime.map((p) => ({
        partition: p.partition,
        offset: Number(p.offset) < 0 ? (high.get(p.partition) ?? 0) : Number(p.offset),
      }));
    }
  }
}
