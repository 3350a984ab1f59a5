/**
 * The table's committed offsets are the truth, not the sink group's. A sink commits its group only after the
 * table commit, so normally the group is at or behind the table. When the group is ahead, the table lost
 * commits the group still remembers (its catalog was rebuilt empty, its state was reset while Kafka was
 * kept): the sink reads those partitions again from the table's offsets, and the table refills from Kafka's
 * retention instead of staying empty. This is the Iceberg Kafka Connect sink's pattern: its coordinator
 * keeps the offsets in the snapshot summary (`kafka.connect.offsets.<topic>.<group>`) and the table, not
 * the consumer group, says where to resume
 * (https://github.com/apache/iceberg/blob/main/kafka-connect/kafka-connect/src/main/java/org/apache/iceberg/connect/channel/Coordinator.java).
 */
import type { Kafka } from 'kafkajs';
import { partitionKey } from './delivery-buffer.ts';

/** A partition the table holds less of than the group committed: read it again from `from`. */
export interface Rewind {
  partition: number;
  /** Next offset the table holds (`0` when it holds nothing of the partition). */
  from: string;
  /** The group's committed offset. */
  groupAt: string;
}

/** Partitions of `topic` where the group committed past the table's offsets (`<topic>-<partition>` → next offset). */
export async function partitionsBehindGroup(
  kafka: Kafka,
  groupId: string,
  topic: string,
  tableOffsets: Record<string, string>,
): Promise<Rewind[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [group] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const rewinds: Rewind[] = [];
    for (const { partition, offset } of group?.partitions ?? []) {
      // -1: the group never committed this partition.
      if (BigInt(offset) < 0n) continue;
      const table = tableOffsets[partitionKey(topic, partition)] ?? '0';
      if (BigInt(offset) > BigInt(table)) rewinds.push({ partition, from: table, groupAt: offset });
    }
    return rewinds;
  } finally {
    await admin.disconnect();
  }
}
