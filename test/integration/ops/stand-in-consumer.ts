/**
 * A stand-in for a consumer's event-source mapping: a kafkajs consumer in the consumer's group that commits
 * after each batch (at least once, as Lambda does) and runs until it has caught up with the end offsets taken
 * when it started. Replay acts on the group, so what this consumer processes is what a replay re-delivers.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';

export interface Processed {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string;
  value: string;
  headers: Record<string, string>;
}

export async function consumeUntilCaughtUp(
  kafka: Kafka,
  options: {
    groupId: string;
    topic: string;
    /** Runs for each fetched batch of one partition before it is committed (the "invocation"). */
    handleBatch?: (messages: Processed[]) => Promise<void> | void;
  },
): Promise<Processed[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await admin.fetchTopicOffsets(options.topic)).map((p) => [p.partition, BigInt(p.high)]),
  );
  const committed = await admin.fetchOffsets({ groupId: options.groupId, topics: [options.topic] });
  await admin.disconnect();
  const position = new Map<number, bigint>();
  for (const partition of committed[0]?.partitions ?? [])
    position.set(partition.partition, BigInt(partition.offset) < 0n ? 0n : BigInt(partition.offset));
  const caughtUp = () => [...ends].every(([partition, end]) => (position.get(partition) ?? 0n) >= end);

  const processed: Processed[] = [];
  if (caughtUp()) return processed;
  const consumer = kafka.consumer({ groupId: options.groupId });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    consumer
      .run({
        autoCommit: false,
        eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
          const records = batch.messages.map((message) => toProcessed(batch.topic, batch.partition, message));
          if (records.length > 0) await options.handleBatch?.(records);
          processed.push(...records);
          const last = batch.messages.at(-1);
          if (last) resolveOffset(last.offset);
          const next = BigInt(batch.lastOffset()) + 1n;
          await consumer.commitOffsets([
            { topic: batch.topic, partition: batch.partition, offset: String(next) },
          ]);
          position.set(batch.partition, next);
          await heartbeat();
          if (caughtUp()) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return processed;
}

function toProcessed(topic: string, partition: number, message: KafkaMessage): Processed {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(message.headers ?? {}))
    if (value !== undefined) headers[name] = String(value);
  return {
    topic,
    partition,
    offset: message.offset,
    timestamp: Number(message.timestamp),
    key: message.key?.toString() ?? '',
    value: message.value?.toString() ?? '',
    headers,
  };
}
