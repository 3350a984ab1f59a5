/**
 * Reads bounded offset ranges of one topic and stops: the DLQ listing reads everything up to the end offsets
 * taken at the start; a bounded replay reads [from, to). kafkajs has no group-less consumer, so a throwaway
 * group inside the tenant's prefix (IAM grants `<tenant>.*` groups) is used, never committed to, and deleted.
 */
import { randomBytes } from 'node:crypto';
import type { IHeaders, Kafka } from 'kafkajs';

/** Offsets as kafkajs gives them: decimal strings (they may exceed 2^53 in principle). */
export interface OffsetRange {
  partition: number;
  /** First offset to read. */
  from: string;
  /** First offset NOT to read; `from >= to` reads nothing. */
  to: string;
}

export interface RangeRecord {
  topic: string;
  partition: number;
  offset: string;
  /** Milliseconds since the epoch, as a string (kafkajs' form). */
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface ReadRangesOptions {
  kafka: Kafka;
  topic: string;
  ranges: OffsetRange[];
  /** Prefix of the throwaway group, e.g. `payments.` so it falls under the tenant's IAM grant. */
  groupPrefix: string;
  /** Called with each fetched batch of in-range records of one partition, in offset order; awaited. */
  onBatch: (records: RangeRecord[]) => Promise<void> | void;
  /**
   * Safety net for a range whose last record can never arrive (it would only happen with a topic deleted
   * and re-created underneath): fail instead of hanging.
   * @default 120_000
   */
  timeoutMs?: number;
}

/** Reads every record in the ranges, then disconnects and deletes the throwaway group. */
export async function readRanges(options: ReadRangesOptions): Promise<{ records: number }> {
  const pending = new Map<number, OffsetRange>();
  for (const range of options.ranges) {
    if (BigInt(range.from) < BigInt(range.to)) pending.set(range.partition, range);
  }
  if (pending.size === 0) return { records: 0 };

  const groupId = `${options.groupPrefix}stratus-ops-${randomBytes(6).toString('hex')}`;
  const consumer = options.kafka.consumer({ groupId, allowAutoTopicCreation: false });
  const admin = options.kafka.admin();
  let records = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    const { partitions } = await fetchPartitions(options.kafka, options.topic);
    const done = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${options.topic} did not reach the end of its ranges in time`)),
        options.timeoutMs ?? 120_000,
      );
      consumer
        .run({
          eachBatchAutoResolve: true,
          eachBatch: async ({ batch }) => {
            const range = pending.get(batch.partition);
            if (!range) return;
            const to = BigInt(range.to);
            const inRange: RangeRecord[] = [];
            let reachedEnd = false;
            for (const message of batch.messages) {
              const offset = BigInt(message.offset);
              if (offset + 1n >= to) reachedEnd = true;
              if (offset < BigInt(range.from) || offset >= to) continue;
              inRange.push({
                topic: batch.topic,
                partition: batch.partition,
                offset: message.offset,
                timestamp: message.timestamp,
                key: message.key ?? null,
                value: message.value ?? null,
                headers: decodeKafkaHeaders(message.headers),
              });
            }
            if (inRange.length > 0) {
              records += inRange.length;
              await options.onBatch(inRange);
            }
            if (reachedEnd) {
              pending.delete(batch.partition);
              consumer.pause([{ topic: options.topic, partitions: [batch.partition] }]);
              if (pending.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            }
          },
        })
        .catch(reject);
    });
    const idle = partitions.filter((partition) => !pending.has(partition));
    if (idle.length > 0) consumer.pause([{ topic: options.topic, partitions: idle }]);
    for (const range of pending.values())
      consumer.seek({ topic: options.topic, partition: range.partition, offset: range.from });
    await done;
  } finally {
    await consumer.disconnect().catch(() => {});
    await admin
      .connect()
      .then(() => admin.deleteGroups([groupId]))
      .catch(() => {})
      .finally(() => admin.disconnect());
  }
  return { records };
}

async function fetchPartitions(kafka: Kafka, topic: string): Promise<{ partitions: number[] }> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return { partitions: offsets.map((offset) => offset.partition) };
  } finally {
    await admin.disconnect();
  }
}

/** kafkajs header values (Buffer, string or arrays of them) as UTF-8 strings; the last of a repeated name wins. */
export function decodeKafkaHeaders(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    if (raw === undefined) continue;
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) out[name] = value.toString();
  }
  return out;
}
