import { CustomResource, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as msk from 'aws-cdk-lib/aws-msk';
import { Construct } from 'constructs';
import { topicConfigs } from '../core/topic-config.ts';

/** How topics are created on the cluster. */
export enum TopicProvisioning {
  /** Native `AWS::MSK::Topic` (MSK Provisioned, Kafka 3.6.0 or later). */
  NATIVE = 'native',
  /** A custom resource backed by the Kafka admin API (MSK Serverless, or clusters without topic APIs). */
  CUSTOM_RESOURCE = 'custom-resource',
}

/** Properties of a {@link KafkaTopic}. */
export interface KafkaTopicProps {
  /** ARN of the MSK cluster the topic lives on. */
  readonly clusterArn: string;
  /** Full topic name on the cluster (`<tenant>.<topic>`). */
  readonly topicName: string;
  /** Number of partitions; may grow in place, never shrink. */
  readonly partitions: number;
  /**
   * Replicas per partition; changing it replaces the topic.
   * @default 3
   */
  readonly replicationFactor?: number;
  /**
   * `retention.ms`; -1 keeps records forever.
   * @default 604800000 (7 days)
   */
  readonly retentionMs?: number;
  /**
   * `cleanup.policy`.
   * @default 'delete'
   */
  readonly cleanupPolicy?: 'delete' | 'compact';
  /**
   * What happens to the topic and its records when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Native `AWS::MSK::Topic` or the admin-API custom resource.
   * @default TopicProvisioning.NATIVE
   */
  readonly provisioning?: TopicProvisioning;
  /**
   * Service token of the topic custom resource provider; required with `TopicProvisioning.CUSTOM_RESOURCE`.
   * @default - none
   */
  readonly serviceToken?: string;
}

/** Kafka caps topic names at 249 characters of `[a-zA-Z0-9._-]`. */
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

/** Custom resource type of Serverless topics; its handler is functions/platform/topic-handler.ts. */
export const TOPIC_RESOURCE_TYPE = 'Custom::StratusKafkaTopic';

/**
 * A Kafka topic on MSK. On MSK Provisioned it is a native `AWS::MSK::Topic`; on MSK Serverless (which has no
 * topic resource) a custom resource creates it, grows its partitions and updates its configs through the
 * Kafka admin API. Either way it is retained when the stack is deleted unless `removalPolicy` says otherwise.
 */
export class KafkaTopic extends Construct {
  /** Full topic name on the cluster. */
  readonly topicName: string;
  /** The underlying CloudFormation resource. */
  readonly resource: msk.CfnTopic | CustomResource;

  constructor(scope: Construct, id: string, props: KafkaTopicProps) {
    super(scope, id);
    const replicationFactor = props.replicationFactor ?? 3;
    const retentionMs = props.retentionMs ?? 604_800_000;
    validate(props, replicationFactor, retentionMs);
    this.topicName = props.topicName;
    const configs = topicConfigs(retentionMs, props.cleanupPolicy ?? 'delete');
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    if ((props.provisioning ?? TopicProvisioning.NATIVE) === TopicProvisioning.NATIVE) {
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-msk-topic.html:
      // Configs is a Base64 string (of the JSON map of topic configs, as the MSK topic API takes them);
      // PartitionCount and Configs update in place, name and replication factor replace the topic.
      const topic = new msk.CfnTopic(this, 'Resource', {
        clusterArn: props.clusterArn,
        topicName: props.topicName,
        partitionCount: props.partitions,
        replicationFactor,
        configs: Buffer.from(JSON.stringify(configs)).toString('base64'),
      });
      topic.applyRemovalPolicy(removalPolicy);
      this.resource = topic;
    } else {
      this.resource = new CustomResource(this, 'Resource', {
        serviceToken: props.serviceToken!,
        resourceType: TOPIC_RESOURCE_TYPE,
        removalPolicy,
        properties: {
          TopicName: props.topicName,
          Partitions: props.partitions,
          ReplicationFactor: replicationFactor,
          Configs: configs,
          // The handler only deletes topics when told to; CloudFormation's DeletionPolicy Retain already
          // skips the Delete call, this is the second lock for stacks whose policy was changed by hand.
          RemovalPolicy: removalPolicy === RemovalPolicy.DESTROY ? 'destroy' : 'retain',
        },
      });
    }
  }
}

function validate(props: KafkaTopicProps, replicationFactor: number, retentionMs: number): void {
  if (!Token.isUnresolved(props.topicName) && !TOPIC_NAME.test(props.topicName))
    throw new Error(
      `KafkaTopic: topicName "${props.topicName}" must be 1–249 characters of letters, digits, ".", "_" and "-"`,
    );
  if (!Number.isInteger(props.partitions) || props.partitions < 1)
    throw new Error(`KafkaTopic: partitions must be a positive integer, got ${props.partitions}`);
  if (!Number.isInteger(replicationFactor) || replicationFactor < 1)
    throw new Error(`KafkaTopic: replicationFactor must be a positive integer, got ${replicationFactor}`);
  if (!Number.isInteger(retentionMs) || (retentionMs < 1 && retentionMs !== -1))
    throw new Error(`KafkaTopic: retentionMs must be a positive integer or -1 (forever), got ${retentionMs}`);
  if (props.provisioning === TopicProvisioning.CUSTOM_RESOURCE && !props.serviceToken)
    throw new Error('KafkaTopic: serviceToken is required when provisioning is CUSTOM_RESOURCE');
}
