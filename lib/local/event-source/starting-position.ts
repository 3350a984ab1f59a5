/**
 * Where a consumer group starts. Lambda's StartingPosition (TRIM_HORIZON, LATEST, AT_TIMESTAMP) applies only
 * when the group has no committed offsets: "if Kafka finds a valid existing consumer group with the same ID,
 * Lambda ignores the StartingPosition ... [and] begins processing records according to the committed offset"
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-consumer-group-id.html). Here that is decided per
 * partition: a partition without a committed offset gets the starting position. AT_TIMESTAMP starts at the first record at or after the timestamp
 * (ListOffsets by timestamp), or at the end of the partition when there is none.
 *
 * The position is resolved once, before the consumer joins, and committed to the group, so a mapping that
 * restarts before it delivered anything resumes from the same place (as an event-source mapping does).
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

/** Offsets committed for partitions that had none; empty when the group had committed them all. */
export async function applyStartingPosition(
  admin: Admin,
  input: StartingPositionInput,
): Promise<Array<{ partition: number; offset: number }>> {
  const [committed] = await admin.fetchOffsets({ groupId: input.groupId, topics: [input.topic] });
  const uncommitted = new Set(
    (committed?.partitions ?? []).filter((p) => Number(p.offset) < 0).map((p) => p.partition),
  );
  if (uncommitted.size === 0) return [];
  const resolved = await resolveStartingOffsets(admin, input);
  const offsets = resolved.filter((p) => uncommitted.has(p.partition));
  try {
    await admin.setOffsets({
      groupId: input.groupId,
      topic: input.topic,
      partitions: offsets.map((p) => ({ partition: p.partition, offset: String(p.offset) })),
    });
  } catch (error) {
    // Another member of the group is active and already reading; it positioned the group.
    if ((error as { type?: string }).type !== 'UNKNOWN_MEMBER_ID' && !/active|member/i.test(String(error)))
      throw error;
    return [];
  }
  return offsets;
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
