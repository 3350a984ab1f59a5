/**
 * Topics of the selected tenants on the local broker, created from the manifests: the names are the resolved
 * ones (lib/core/naming.ts through the manifest loader, as the CDK uses), partitions and retention as declared.
 * Idempotent: existing topics are brought up to the manifest (more partitions, new retention) and never
 * deleted or shrunk — like `AWS::MSK::Topic`, where PartitionCount only grows in place.
 */
import kafkajs, { type Admin, type ITopicConfig } from 'kafkajs';

// kafkajs is CommonJS and Node cannot see this export by name.
const { ConfigResourceTypes } = kafkajs;

import { TOPIC_CONFIG_NAMES, topicConfigs } from '../core/topic-config.ts';
import type { TenantSpec, TopicSpec } from '../manifest/spec.ts';
import { waitFor } from './process-utils.ts';

export type TopicChange =
  | { topic: string; action: 'created'; partitions: number }
  | { topic: string; action: 'unchanged' }
  | { topic: string; action: 'updated'; details: string[] }
  /** The broker has more partitions than the manifest: Kafka cannot remove partitions, so it is left as is. */
  | { topic: string; action: 'kept'; details: string[] };

/** The topic's configs as the admin API takes them (string values). */
export function topicConfigEntries(topic: TopicSpec): Record<string, string> {
  return topicConfigs(topic.retentionMs, topic.cleanupPolicy);
}

/**
 * Every topic of the tenants, DLQs included, in manifest order, then the topics other tenants share with
 * them (so a reader runs even when the owner is not selected); each once.
 */
export function tenantTopics(tenants: readonly TenantSpec[]): TopicSpec[] {
  const all = [
    ...tenants.flatMap((tenant) => tenant.topics),
    ...tenants.flatMap((t) => t.sharedTopics ?? []),
  ];
  return all.filter((topic, index) => all.findIndex((t) => t.name === topic.name) === index);
}

/**
 * Waits until new topics answer offset requests. createTopics returns once the controller created them; the
 * broker learns the new leaders a moment later, and a client that asks before then fails with NOT_LEADER or
 * UNKNOWN_TOPIC_OR_PARTITION.
 */
export async function waitUntilReadable(admin: Admin, topics: readonly string[]): Promise<void> {
  for (const topic of topics) {
    await waitFor(`leaders of ${topic}`, () => admin.fetchTopicOffsets(topic).then(() => true), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });
  }
}

/**
 * Creates `topics` and waits until each answers offset requests; returns createTopics' answer (false when they
 * all existed). Not kafkajs' `waitForLeaders`: it reads the new topics' metadata once they exist and retries only
 * LEADER_NOT_AVAILABLE, while a KRaft broker under load may still answer UNKNOWN_TOPIC_OR_PARTITION for a moment —
 * createTopics then fails with "This server does not host this topic-partition" (it did in a fresh-clone CI run).
 */
export async function createTopicsReadable(admin: Admin, topics: ITopicConfig[]): Promise<boolean> {
  const created = await admin.createTopics({ topics });
  await waitUntilReadable(
    admin,
    topics.map((topic) => topic.topic),
  );
  return created;
}

/** Create or update the topics; returns what was done per topic. */
export async function provisionTopics(admin: Admin, topics: readonly TopicSpec[]): Promise<TopicChange[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((topic) => !existing.has(topic.name));
  const present = topics.filter((topic) => existing.has(topic.name));
  const changes: TopicChange[] = [];

  if (missing.length > 0) {
    await createTopicsReadable(
      admin,
      missing.map((topic) => ({
        topic: topic.name,
        numPartitions: topic.partitions,
        replicationFactor: 1,
        configEntries: Object.entries(topicConfigEntries(topic)).map(([name, value]) => ({ name, value })),
      })),
    );
    for (const topic of missing)
      changes.push({ topic: topic.name, action: 'created', partitions: topic.partitions });
  }
  if (present.length === 0) return changes;

  const metadata = await admin.fetchTopicMetadata({ topics: present.map((topic) => topic.name) });
  const partitionsOf = new Map(metadata.topics.map((topic) => [topic.name, topic.partitions.length]));
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: present.map((topic) => ({
      type: ConfigResourceTypes.TOPIC,
      name: topic.name,
      configNames: [...TOPIC_CONFIG_NAMES],
    })),
  });
  const configsOf = new Map(
    described.resources.map((resource) => [
      resource.resourceName,
      new Map(resource.configEntries.map((entry) => [entry.configName, entry.configValue])),
    ]),
  );

  for (const topic of present) {
    const details: string[] = [];
    let kept: string | undefined;
    const actual = partitionsOf.get(topic.name) ?? 0;
    if (actual < topic.partitions) {
      await admin.createPartitions({ topicPartitions: [{ topic: topic.name, count: topic.partitions }] });
      details.push(`partitions ${actual} → ${topic.partitions}`);
    } else if (actual > topic.partitions) {
      kept = `has ${actual} partitions, the manifest says ${topic.partitions}; Kafka cannot remove partitions`;
    }
    const wanted = topicConfigEntries(topic);
    const current = configsOf.get(topic.name);
    const drift = Object.entries(wanted).filter(([name, value]) => current?.get(name) !== value);
    if (drift.length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topic.name,
            // alterConfigs replaces the topic's whole dynamic config: send every managed entry.
            configEntries: Object.entries(wanted).map(([name, value]) => ({ name, value })),
          },
        ],
      });
      for (const [name, value] of drift)
        details.push(`${name} ${current?.get(name) ?? '(default)'} → ${value}`);
    }
    if (kept) changes.push({ topic: topic.name, action: 'kept', details: [kept, ...details] });
    else if (details.length > 0) changes.push({ topic: topic.name, action: 'updated', details });
    else changes.push({ topic: topic.name, action: 'unchanged' });
  }
  return changes;
}

/** One line per change worth telling the user about (unchanged topics are summarised). */
export function describeTopicChanges(changes: readonly TopicChange[]): string[] {
  const lines: string[] = [];
  const unchanged = changes.filter((change) => change.action === 'unchanged').length;
  for (const change of changes) {
    if (change.action === 'created')
      lines.push(`created topic ${change.topic} (${change.partitions} partitions)`);
    if (change.action === 'updated')
      lines.push(`updated topic ${change.topic}: ${change.details.join(', ')}`);
    if (change.action === 'kept') lines.push(`topic ${change.topic}: ${change.details.join('; ')}`);
  }
  if (unchanged > 0) lines.push(`${unchanged} topic${unchanged === 1 ? '' : 's'} already up to date`);
  return lines;
}
