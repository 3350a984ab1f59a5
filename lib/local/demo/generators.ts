/**
 * Which generator makes the events of a source topic, and the poison mix. A source topic is one that some
 * consumer reads and no processor of the selected tenants writes: the entry points of the pipelines.
 */
import type { TenantSpec, TopicSpec } from '../../manifest/spec.ts';
import { clickstreamPageViews } from './clickstream-page-views.ts';
import { paymentsOrders } from './payments-orders.ts';
import { DemoRandom } from './random.ts';
import { schemaSamples } from './schema-sample.ts';
import type { DemoGenerator, DemoRecordKind } from './types.ts';

/** Hand-written generators by schema file: schema files survive the demo's tenant renaming, topic names do not. */
const BY_SCHEMA_FILE: Record<string, (random: DemoRandom) => DemoGenerator> = {
  'schemas/payments/order.schema.json': (random) => paymentsOrders(random),
  'schemas/clickstream/page-view.schema.json': (random) => clickstreamPageViews(random),
};

export interface SourceTopic {
  tenant: string;
  topic: TopicSpec;
}

/** Topics consumed by a consumer and produced by none of the tenants' processors. */
export function sourceTopics(tenants: readonly TenantSpec[]): SourceTopic[] {
  const outputs = new Set(
    tenants.flatMap((tenant) => tenant.consumers.flatMap((c) => (c.output ? [c.output] : []))),
  );
  const seen = new Set<string>();
  const sources: SourceTopic[] = [];
  for (const tenant of tenants) {
    for (const consumer of tenant.consumers) {
      if (outputs.has(consumer.topic) || seen.has(consumer.topic)) continue;
      seen.add(consumer.topic);
      // A shared source topic is produced once, as its owner's.
      const topic = [...tenant.topics, ...(tenant.sharedTopics ?? [])].find((t) => t.name === consumer.topic);
      if (topic) sources.push({ tenant: consumer.topicOwner ?? tenant.name, topic });
    }
  }
  return sources;
}

export function generatorFor(topic: TopicSpec, seed: number): DemoGenerator {
  const random = new DemoRandom(seed);
  const known = topic.schemaFile ? BY_SCHEMA_FILE[topic.schemaFile.replaceAll('\\', '/')] : undefined;
  return known ? known(random) : schemaSamples(random, topic.schema, topic.name);
}

/**
 * The kind of the `seq`-th record (0-based): a fixed, evenly spread mix so every run of N events has the same
 * poison counts — per 200 records, 1 bad JSON, 2 schema violations and 1 handler failure, when the generator
 * can make them.
 */
export function kindAt(seq: number, poison: readonly DemoRecordKind[]): DemoRecordKind {
  const slot = seq % 200;
  if (slot === 37 && poison.includes('bad-json')) return 'bad-json';
  if ((slot === 11 || slot === 141) && poison.includes('schema-violation')) return 'schema-violation';
  if (slot === 113 && poison.includes('handler-failure')) return 'handler-failure';
  return 'valid';
}
