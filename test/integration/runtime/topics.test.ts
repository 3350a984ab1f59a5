/** Topics from the manifests on the shared broker: created as declared, brought up to date, never shrunk. */
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicName } from '../../../lib/core/naming.ts';
import { provisionTopics } from '../../../lib/local/topics.ts';
import type { TopicSpec } from '../../../lib/manifest/spec.ts';
import { testServices, uniqueName } from '../../support/services.ts';

const { ConfigResourceTypes } = kafkajs;

function topic(tenant: string, key: string, partitions: number, retentionMs: number): TopicSpec {
  return {
    key,
    name: topicName(tenant, key),
    partitions,
    retentionMs,
    cleanupPolicy: 'delete',
    removalPolicy: 'retain',
    isDlq: false,
    compatibility: 'BACKWARD',
    quality: [],
    source: { file: 'tenants/x.yaml', line: 1, col: 1 },
  };
}

describe('provisionTopics', () => {
  const admin = testServices().kafka().admin();
  const tenant = uniqueName('topics');
  beforeAll(() => admin.connect());
  afterAll(() => admin.disconnect());

  const describeTopic = async (name: string) => {
    const metadata = await admin.fetchTopicMetadata({ topics: [name] });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms', 'cleanup.policy'] }],
    });
    const entries = Object.fromEntries(
      configs.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]),
    );
    return { partitions: metadata.topics[0]!.partitions.length, ...entries };
  };

  it('creates missing topics with their partitions and retention, and is idempotent', async () => {
    const topics = [topic(tenant, 'orders', 3, 86_400_000), topic(tenant, 'dlq', 1, 1_209_600_000)];
    const first = await provisionTopics(admin, topics);
    expect(first).toEqual([
      { topic: `${tenant}.orders`, action: 'created', partitions: 3 },
      { topic: `${tenant}.dlq`, action: 'created', partitions: 1 },
    ]);
    // Metadata and configs reach the broker's cache asynchronously after an admin call: poll.
    await expect
      .poll(() => describeTopic(`${tenant}.orders`))
      .toEqual({ partitions: 3, 'retention.ms': '86400000', 'cleanup.policy': 'delete' });
    const second = await provisionTopics(admin, topics);
    expect(second.map((c) => c.action)).toEqual(['unchanged', 'unchanged']);
  });

  it('grows partitions and changes retention in place; fewer partitions in the manifest are kept and reported', async () => {
    const grown = await provisionTopics(admin, [topic(tenant, 'orders', 5, 3_600_000)]);
    expect(grown[0]).toMatchObject({ action: 'updated' });
    await expect
      .poll(() => describeTopic(`${tenant}.orders`))
      .toMatchObject({ partitions: 5, 'retention.ms': '3600000' });

    await expect
      .poll(async () => (await provisionTopics(admin, [topic(tenant, 'orders', 5, 3_600_000)]))[0]?.action)
      .toBe('unchanged');
    const shrunk = await provisionTopics(admin, [topic(tenant, 'orders', 2, 3_600_000)]);
    expect(shrunk[0]).toMatchObject({ action: 'kept' });
    expect((await describeTopic(`${tenant}.orders`)).partitions).toBe(5);
  });
});
