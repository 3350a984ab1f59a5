/** Everything currently in a set of topics, read back from Kafka (the demo's independent view of the truth). */
import type { Kafka } from 'kafkajs';
import { type RangeRecord, readRanges } from '../../ops/shared/read-range.ts';

/** Reads each topic from its start to the end offsets seen now; topics are read concurrently. */
export async function readTopics(
  kafka: Kafka,
  topics: readonly string[],
): Promise<Map<string, RangeRecord[]>> {
  const admin = kafka.admin();
  await admin.connect();
  const out = new Map<string, RangeRecord[]>();
  try {
    await Promise.all(
      [...new Set(topics)].map(async (topic) => {
        const offsets = await admin.fetchTopicOffsets(topic);
        const records: RangeRecord[] = [];
        await readRanges({
          kafka,
          topic,
          ranges: offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.high })),
          // Inside the tenant's prefix, as IAM would require on MSK.
          groupPrefix: `${topic.split('.')[0]}.`,
          onBatch: (batch) => void records.push(...batch),
        });
        out.set(topic, records);
      }),
    );
  } finally {
    await admin.disconnect();
  }
  return out;
}
