/**
 * The MSK Serverless topic custom resource (functions/platform/topic-handler.ts) against a real broker, called
 * as the CDK provider framework calls it: Create, Update, Delete events, with its environment contract.
 */
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler, type TopicResourceEvent } from '../../../functions/platform/topic-handler.ts';
import { testServices, uniqueName } from '../../support/services.ts';

const { ConfigResourceTypes } = kafkajs;

describe('MSK Serverless topic custom resource against the broker', () => {
  const { brokers, kafka } = testServices();
  const admin = kafka().admin();
  const tenant = uniqueName('cr');
  const previousEnv = { ...process.env };

  beforeAll(async () => {
    // What lib/aws/topic-provider.ts sets on the function, pointed at the local PLAINTEXT broker.
    process.env.STRATUS_KAFKA_BROKERS = brokers.join(',');
    process.env.STRATUS_KAFKA_AUTH = 'plaintext';
    process.env.STRATUS_TOPIC_PREFIX = `${tenant}.`;
    await admin.connect();
  });
  afterAll(async () => {
    process.env = previousEnv;
    await admin.disconnect();
  });

  const state = async (name: string) => {
    if (!(await admin.listTopics()).includes(name)) return undefined;
    const metadata = await admin.fetchTopicMetadata({ topics: [name] });
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name, configNames: ['retention.ms'] }],
    });
    return {
      partitions: metadata.topics[0]!.partitions.length,
      retentionMs: configs.resources[0]!.configEntries[0]?.configValue,
    };
  };

  const event = (
    RequestType: TopicResourceEvent['RequestType'],
    props: { name: string; partitions: number | string; retention?: string; removal?: string; rf?: string },
    old?: { name: string; partitions: number | string; rf?: string },
  ): TopicResourceEvent => ({
    RequestType,
    ResourceProperties: {
      ServiceToken: 'arn:aws:lambda:eu-west-1:000000000000:function:provider',
      TopicName: props.name,
      // CloudFormation passes numbers as strings.
      Partitions: String(props.partitions),
      ...(props.rf ? { ReplicationFactor: props.rf } : {}),
      Configs: { 'retention.ms': props.retention ?? '86400000', 'cleanup.policy': 'delete' },
      ...(props.removal ? { RemovalPolicy: props.removal } : {}),
    },
    ...(old
      ? {
          OldResourceProperties: {
            TopicName: old.name,
            Partitions: String(old.partitions),
            ...(old.rf ? { ReplicationFactor: old.rf } : {}),
          },
        }
      : {}),
    ...(RequestType !== 'Create' ? { PhysicalResourceId: old?.name ?? props.name } : {}),
  });

  it('Create makes the topic with its partitions and configs; a second Create adopts it', async () => {
    const name = `${tenant}.orders`;
    const created = await handler(event('Create', { name, partitions: 3 }));
    expect(created).toEqual({ PhysicalResourceId: name, Data: { TopicName: name, Partitions: 3 } });
    // Metadata and configs reach the broker's cache asynchronously after an admin call: poll.
    await expect.poll(() => state(name)).toEqual({ partitions: 3, retentionMs: '86400000' });
    await handler(event('Create', { name, partitions: 3, retention: '3600000' }));
    await expect.poll(() => state(name)).toEqual({ partitions: 3, retentionMs: '3600000' });
  });

  it('Update grows partitions and changes configs in place; shrinking or a new replication factor is refused', async () => {
    const name = `${tenant}.orders`;
    const old = { name, partitions: 3 };
    await handler(event('Update', { name, partitions: 5, retention: '7200000' }, old));
    await expect.poll(() => state(name)).toEqual({ partitions: 5, retentionMs: '7200000' });
    await expect(handler(event('Update', { name, partitions: 2 }, { name, partitions: 5 }))).rejects.toThrow(
      /cannot shrink/,
    );
    await expect(
      handler(event('Update', { name, partitions: 5, rf: '3' }, { name, partitions: 5, rf: '1' })),
    ).rejects.toThrow(/replication factor cannot change/);
    expect((await state(name))?.partitions).toBe(5);
  });

  it('a renamed topic is created under the new physical id; the old one is left to the Delete', async () => {
    const renamed = `${tenant}.orders-v2`;
    const result = await handler(
      event('Update', { name: renamed, partitions: 2 }, { name: `${tenant}.orders`, partitions: 5 }),
    );
    expect(result.PhysicalResourceId).toBe(renamed);
    await expect.poll(() => state(renamed)).toMatchObject({ partitions: 2 });
    expect(await state(`${tenant}.orders`)).toBeDefined();
  });

  it('Delete keeps the topic by default (retain) and deletes it with RemovalPolicy destroy', async () => {
    const name = `${tenant}.orders`;
    await handler(event('Delete', { name, partitions: 5 }));
    expect(await state(name)).toBeDefined();
    await handler(event('Delete', { name, partitions: 5, removal: 'destroy' }));
    await expect.poll(async () => (await admin.listTopics()).includes(name), { timeout: 15_000 }).toBe(false);
  });

  it('refuses a topic outside the tenant prefix and malformed partitions, creating nothing', async () => {
    const outside = `${uniqueName('other')}.orders`;
    await expect(handler(event('Create', { name: outside, partitions: 1 }))).rejects.toThrow(
      /outside this tenant's prefix/,
    );
    await expect(handler(event('Create', { name: `${tenant}.bad`, partitions: 'zero' }))).rejects.toThrow(
      /Partitions must be a positive integer/,
    );
    const topics = await admin.listTopics();
    expect(topics).not.toContain(outside);
    expect(topics).not.toContain(`${tenant}.bad`);
  });
});
