/**
 * Where a sink starts reading, from the manifest's `startFrom`, as Firehose's MSK source does with
 * ReadFromTimestamp: the epoch (`earliest`), unset (`latest`: from the moment the stream is active) or a time.
 * Like ReadFromTimestamp, it applies once: a sink whose group has committed offsets resumes from them.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_MSKSourceConfiguration.html
 * The offsets are resolved by the event-source emulator's starting-position code (ListOffsets, by timestamp
 * for a time), seeked to when the group is first joined and committed at once, so a sink that restarts before
 * its first delivery starts from the same place.
 */
import type { Consumer, ConsumerGroupJoinEvent, Kafka } from 'kafkajs';
import { sinkStartingPosition } from '../../core/sink-start.ts';
import type { SinkSpec } from '../../manifest/spec.ts';
import { startingOffsets } from '../event-source/starting-position.ts';

/** Start offsets of the partitions the sink's group has not committed to; empty when it has them all. */
export async function sinkStartOffsets(
  kafka: Kafka,
  sink: Pick<SinkSpec, 'topic' | 'startFrom' | 'startFromTimestamp'>,
  groupId: string,
): Promise<Map<number, number>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await startingOffsets(admin, {
      groupId,
      topic: sink.topic,
      startingPosition: sinkStartingPosition(sink.startFrom),
      startingPositionTimestamp: sink.startFromTimestamp,
    });
  } finally {
    await admin.disconnect();
  }
}

/** On the group's first join: seek each assigned partition to its start and commit it. */
export function seekToStart(
  consumer: Consumer,
  topic: string,
  starts: Map<number, number>,
  event: ConsumerGroupJoinEvent,
): Promise<void> {
  const partitions = (event.payload.memberAssignment[topic] ?? []).filter((p) => starts.has(p));
  for (const partition of partitions)
    consumer.seek({ topic, partition, offset: String(starts.get(partition)) });
  if (partitions.length === 0) return Promise.resolve();
  return consumer.commitOffsets(
    partitions.map((partition) => ({ topic, partition, offset: String(starts.get(partition)) })),
  );
}
