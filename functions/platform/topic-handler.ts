/**
 * Custom-resource handler for Kafka topics on MSK Serverless, which has no `AWS::MSK::Topic` (see
 * lib/aws/kafka-topic.ts). It runs under the CDK provider framework (`onEvent`: return the physical id,
 * throw to fail) and talks to the cluster through the Kafka admin API:
 *   Create  create the topic (or adopt an existing one: grow partitions, set configs)
 *   Update  grow partitions, set configs; a new TopicName creates the new topic (CloudFormation then deletes
 *           the old one, which honours its removal policy); shrinking partitions or changing the replication
 *           factor is refused, Kafka cannot do either in place
 *   Delete  delete the topic only when RemovalPolicy is `destroy`; the default keeps it and its records
 * The admin is configurable (`manageTopic(admin, event)`, `topicAdminOptionsFromEnv`), so the same code runs
 * against a local PLAINTEXT broker in tests and against MSK with IAM on AWS.
 */
import type { Admin } from 'kafkajs';
import { type OpsKafkaOptions, opsKafka } from '../../lib/ops/shared/kafka-connection.ts';

/** The custom resource's properties, as CloudFormation passes them (numbers arrive as strings). */
export interface TopicResourceProperties {
  TopicName: string;
  Partitions: number | string;
  ReplicationFactor?: number | string;
  Configs?: Record<string, string>;
  /** `retain` (default) or `destroy`. */
  RemovalPolicy?: string;
}

/** The subset of a CloudFormation custom-resource event the handler reads. */
export interface TopicResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  ResourceProperties: TopicResourceProperties & { ServiceToken?: string };
  OldResourceProperties?: TopicResourceProperties;
  PhysicalResourceId?: string;
}

export interface TopicResourceResponse {
  PhysicalResourceId: string;
  Data: { TopicName: string; Partitions: number };
}

/** Applies one custom-resource event to the cluster through `admin` (already connected). */
export async function manageTopic(admin: Admin, event: TopicResourceEvent): Promise<TopicResourceResponse> {
  const props = parse(event.ResourceProperties);
  if (event.RequestType === 'Delete') {
    const name = event.PhysicalResourceId ?? props.topic;
    if (props.removalPolicy === 'destroy' && (await exists(admin, name)))
      await admin.deleteTopics({ topics: [name] });
    return response(name, props.partitions);
  }

  const previous =
    event.RequestType === 'Update' && event.OldResourceProperties
      ? parse(event.OldResourceProperties)
      : undefined;
  const renamed = previous !== undefined && previous.topic !== props.topic;
  if (previous && !renamed && previous.replicationFactor !== props.replicationFactor)
    throw new Error(
      `topic ${props.topic}: the replication factor cannot change in place (${previous.replicationFactor} → ${props.replicationFactor})`,
    );

  const created = await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic: props.topic,
        numPartitions: props.partitions,
        // -1 lets the cluster choose (MSK Serverless manages replication itself).
        replicationFactor: props.replicationFactor ?? -1,
        configEntries: Object.entries(props.configs).map(([name, value]) => ({ name, value })),
      },
    ],
  });
  if (!created) {
    // It exists: a retained topic adopted again, or an update. Grow partitions, then set the configs.
    const metadata = await admin.fetchTopicMetadata({ topics: [props.topic] });
    const current = metadata.topics[0]?.partitions.length ?? 0;
    if (props.partitions < current)
      throw new Error(`topic ${props.topic}: partitions cannot shrink (${current} → ${props.partitions})`);
    if (props.partitions > current)
      await admin.createPartitions({ topicPartitions: [{ topic: props.topic, count: props.partitions }] });
    if (Object.keys(props.configs).length > 0) {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: 2, // ConfigResourceTypes.TOPIC
            name: props.topic,
            configEntries: Object.entries(props.configs).map(([name, value]) => ({ name, value })),
          },
        ],
      });
    }
  }
  return response(props.topic, props.partitions);
}

/** The admin connection from the function's environment (set by lib/aws/topic-provider.ts). */
export function topicAdminOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): OpsKafkaOptions {
  const brokers = (env.STRATUS_KAFKA_BROKERS ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) throw new Error('STRATUS_KAFKA_BROKERS is not set');
  const auth = env.STRATUS_KAFKA_AUTH === 'plaintext' ? 'plaintext' : 'iam';
  return { brokers, auth, region: env.AWS_REGION, clientId: 'stratus-topic-provider' };
}

/** Provider-framework entry point. */
export async function handler(event: TopicResourceEvent): Promise<TopicResourceResponse> {
  const prefix = process.env.STRATUS_TOPIC_PREFIX;
  const name = event.ResourceProperties.TopicName;
  // Defence in depth: IAM already limits the function to the tenant's topics.
  if (prefix && !name.startsWith(prefix))
    throw new Error(`topic ${name} is outside this tenant's prefix "${prefix}"`);
  const admin = opsKafka(topicAdminOptionsFromEnv()).admin();
  await admin.connect();
  try {
    return await manageTopic(admin, event);
  } finally {
    await admin.disconnect();
  }
}

interface ParsedProperties {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  configs: Record<string, string>;
  removalPolicy: 'retain' | 'destroy';
}

function parse(props: TopicResourceProperties): ParsedProperties {
  const partitions = Number(props.Partitions);
  if (!props.TopicName) throw new Error('TopicName is required');
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new Error(`Partitions must be a positive integer, got ${String(props.Partitions)}`);
  const replicationFactor =
    props.ReplicationFactor === undefined ? undefined : Number(props.ReplicationFactor);
  return {
    topic: props.TopicName,
    partitions,
    replicationFactor,
    configs: Object.fromEntries(Object.entries(props.Configs ?? {}).map(([k, v]) => [k, String(v)])),
    removalPolicy: props.RemovalPolicy === 'destroy' ? 'destroy' : 'retain',
  };
}

async function exists(admin: Admin, topic: string): Promise<boolean> {
  return (await admin.listTopics()).includes(topic);
}

function response(topic: string, partitions: number): TopicResourceResponse {
  return { PhysicalResourceId: topic, Data: { TopicName: topic, Partitions: partitions } };
}
