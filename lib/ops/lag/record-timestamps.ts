/**
 * The timestamp of the next record a group will read on each lagging partition, fetched from Kafka — time
 * lag is measured from real record timestamps, never interpolated from offset rates. kafkajs has no
 * group-less consumer, so a short-lived consumer in a throwaway group seeks to each position, takes the
 * first record at or after it, and leaves. The throwaway group sits under the tenant's prefix (the tenant's
 * IAM grant covers `<tenant>.*` groups), never commits, and is deleted afterwards.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';

export interface RecordTimestampsOptions {
  kafka: Kafka;
  topic: string;
  /** Partition → offset whose record (or the first one after it, past compaction gaps) is wanted. */
  positions: Map<number, number>;
  /** Prefix of the throwaway group, e.g. `payments.`. */
  groupPrefix: string;
  /**
   * Give up on partitions still missing after this long (a record deleted by retention meanwhile); they are
   * left out of the result rather than failing the whole sample.
   * @default 10_000
   */
  timeoutMs?: number;
}

/** Partition → epoch-millisecond timestamp of the first record at or after the requested offset. */
export async function fetchRecordTimestamps(options: RecordTimestampsOptions): Promise<Map<number, number>> {
  const found = new Map<number, number>();
  const pending = new Map(options.positions);
  if (pending.size === 0) return found;

  const groupId = `${options.groupPrefix}stratus-lag-${randomBytes(6).toString('hex')}`;
  const consumer = options.kafka.consumer({
    groupId,
    allowAutoTopicCreation: false,
    // One record per partition is all we want: small fetches, short waits.
    maxBytesPerPartition: 64 * 1024,
    maxWaitTimeInMs: 200,
    retry: { retries: 2 },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    await consumer.connect();
    // fromBeginning only matters when a position fell below the log start meanwhile: the first record
    // left is then the next one the group would read.
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    const done = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, options.timeoutMs ?? 10_000);
      consumer
        .run({
          autoCommit: false,
          eachBatchAutoResolve: false,
          eachBatch: async ({ batch }) => {
            const wanted = pending.get(batch.partition);
            if (wanted === undefined) {
              consumer.pause([{ topic: options.topic, partitions: [batch.partition] }]);
              return;
            }
            // A batch fetched before the seek took effect may start earlier; skip to the wanted offset.
            const record = batch.messages.find((message) => Number(message.offset) >= wanted);
            if (!record) return;
            found.set(batch.partition, Number(record.timestamp));
            pending.delete(batch.partition);
            consumer.pause([{ topic: options.topic, partitions: [batch.partition] }]);
            if (pending.size === 0) resolve();
          },
        })
        .catch(() => resolve());
    });
    for (const [partition, offset] of pending)
      consumer.seek({ topic: options.topic, partition, offset: String(offset) });
    await done;
  } finally {
    if (timer) clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
    const admin = options.kafka.admin();
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => {})
      .finally(() => admin.disconnect().catch(() => {}));
  }
  return found;
}
