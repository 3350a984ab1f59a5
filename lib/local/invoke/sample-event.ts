/**
 * `stratus event`: an MSK event in AWS's exact shape with records built from a topic's schema by the demo's
 * generators (the hand-written ones for the example schemas, the schema sampler otherwise), partitioned by key
 * as the Java client and the SDK's producer do (murmur2), offsets counting from 0 per partition.
 */
import { Partitioners } from 'kafkajs';
import { buildMskEvent, encodeMskRecord, type MskEvent, type MskRecord } from '../../core/msk-event.ts';
import { localClusterArn } from '../../core/naming.ts';
import type { PlatformSpec, TopicSpec } from '../../manifest/spec.ts';
import { generatorFor } from '../demo/generators.ts';
import { demoMessages } from '../demo/messages.ts';

export interface SampleEventOptions {
  platform: PlatformSpec;
  topic: TopicSpec;
  count: number;
  /** Mix in bad JSON, schema violations and (for the example tenants) records the handler fails on. */
  poison: boolean;
  seed: number;
  bootstrapServers: string;
}

export function sampleEvent(options: SampleEventOptions): MskEvent {
  const { topic } = options;
  const generator = generatorFor(topic, options.seed);
  const partitionMetadata = Array.from({ length: topic.partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    replicas: [0],
    isr: [0],
    partitionErrorCode: 0,
    offlineReplicas: [],
  }));
  const partitionOf = Partitioners.DefaultPartitioner();
  const next = new Map<number, number>();
  const started = Date.now();
  const records: MskRecord[] = [];
  let seq = 0;
  for (const message of demoMessages(generator, {
    count: options.count,
    runId: 'event',
    poison: options.poison,
  })) {
    const partition = partitionOf({ topic: topic.name, partitionMetadata, message });
    const offset = next.get(partition) ?? 0;
    next.set(partition, offset + 1);
    records.push(
      encodeMskRecord({
        topic: topic.name,
        partition,
        offset,
        // The generated value is the record's bytes as produced (poison is not always JSON).
        value: Buffer.from(String(message.value)),
        key: message.key === null || message.key === undefined ? null : String(message.key),
        headers: message.headers as Record<string, string>,
        timestamp: started + seq++,
      }),
    );
  }
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return buildMskEvent(
    records,
    localClusterArn(options.platform.region, options.platform.cluster.name),
    options.bootstrapServers,
  );
}
