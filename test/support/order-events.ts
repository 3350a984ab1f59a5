/**
 * MSK events of payments orders as Lambda delivers them (base64 values, records grouped by partition), from the
 * demo's order generator: realistic ~1 KB orders in every currency and country the generator knows.
 */
import { randomUUID } from 'node:crypto';
import { buildMskEvent, encodeMskRecord, type MskEvent } from '../../lib/core/msk-event.ts';
import { generatorFor } from '../../lib/local/demo/generators.ts';
import type { TopicSpec } from '../../lib/manifest/spec.ts';

export function orderEvent(options: {
  topic: TopicSpec;
  count: number;
  seed: number;
  bootstrapServers: string;
  /**
   * Every order `order.created` (all pass the consumer's filter and produce an output), each with a fresh
   * eventId; otherwise the generator's mix of created, updated and cancelled orders.
   * @default false
   */
  createdOnly?: boolean;
}): MskEvent {
  const { topic } = options;
  const generator = generatorFor(topic, options.seed);
  const records = Array.from({ length: options.count }, (_, seq) => {
    const generated = generator.next(seq, 'valid');
    const value = JSON.parse(generated.value) as Record<string, unknown>;
    if (options.createdOnly) {
      value.type = 'order.created';
      value.eventId = randomUUID();
    }
    return encodeMskRecord({
      topic: topic.name,
      partition: seq % topic.partitions,
      offset: 1000 + seq,
      key: generated.key,
      value,
      timestamp: Date.now() - 1000,
    });
  });
  records.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  return buildMskEvent(records, undefined, options.bootstrapServers);
}
