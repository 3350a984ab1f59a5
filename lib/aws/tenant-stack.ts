import { RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { consumerFunctionName, tenantStackName } from '../core/naming.ts';
import type { PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import { KafkaConsumer } from './kafka-consumer.ts';
import { KafkaTopic, TopicProvisioning } from './kafka-topic.ts';
import { LagAlarms } from './lag-alarms.ts';
import { LakehouseSink } from './lakehouse-sink.ts';
import { mskClusterName, type PlatformFacts, readPlatformFacts } from './platform-parameters.ts';
import { TenantAccess } from './tenant-access.ts';
import { TenantDashboard } from './tenant-dashboard.ts';
import { TopicProvider } from './topic-provider.ts';

/** Properties of a {@link TenantStack}. */
export interface TenantStackProps extends StackProps {
  /** The resolved tenant manifest. */
  readonly tenant: TenantSpec;
  /** The resolved platform config (cluster mode, function defaults, project root). */
  readonly platform: PlatformSpec;
  /**
   * Platform facts; tests may pass literals.
   * @default - read from the platform's SSM parameters at deploy time
   */
  readonly facts?: PlatformFacts;
}

/**
 * `Stratus-Tenant-<name>`: everything one tenant owns — topics (its DLQ included), consumers with their
 * event-source mappings, IAM scoped to its own names, Firehose sinks, a dashboard and alarms. It reads the
 * platform's facts from SSM only, so deploying it never changes the platform or another tenant.
 */
export class TenantStack extends Stack {
  readonly tenant: TenantSpec;
  readonly topics = new Map<string, KafkaTopic>();
  readonly consumers = new Map<string, KafkaConsumer>();
  readonly sinks = new Map<string, LakehouseSink>();
  readonly access: TenantAccess;
  readonly dashboard: TenantDashboard;
  /** Undefined for a tenant with neither consumers nor sinks: there is nothing to alarm on. */
  readonly alarms?: LagAlarms;

  constructor(scope: Construct, id: string, props: TenantStackProps) {
    const { tenant, platform } = props;
    super(scope, id, {
      stackName: tenantStackName(tenant.name),
      description: `Stratus tenant ${tenant.name}${tenant.description ? `: ${tenant.description}` : ''} (from ${tenant.file})`,
      ...props,
    });
    this.tenant = tenant;
    const facts = props.facts ?? readPlatformFacts(this);
    const vpcConfig = {
      get subnetIds() {
        return facts.subnetIds;
      },
      get securityGroupIds() {
        return [facts.securityGroupId];
      },
    };
    const logRetention = platform.functionDefaults.logRetentionDays as logs.RetentionDays;

    // Topics. MSK Serverless has no AWS::MSK::Topic, so there a per-tenant admin-API provider creates them.
    const serverless = platform.cluster.mode === 'serverless';
    const provider = serverless
      ? new TopicProvider(this, 'TopicProvider', {
          tenant: tenant.name,
          clusterArn: facts.clusterArn,
          bootstrapBrokers: facts.bootstrapBrokers,
          vpcConfig,
          logRetention,
        })
      : undefined;
    for (const topic of tenant.topics) {
      this.topics.set(
        topic.key,
        new KafkaTopic(this, `Topic-${topic.key}`, {
          clusterArn: facts.clusterArn,
          topicName: topic.name,
          partitions: topic.partitions,
          replicationFactor: Math.min(3, platform.cluster.brokerNodes),
          retentionMs: topic.retentionMs,
          cleanupPolicy: topic.cleanupPolicy,
          removalPolicy: topic.removalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
          provisioning: serverless ? TopicProvisioning.CUSTOM_RESOURCE : TopicProvisioning.NATIVE,
          serviceToken: provider?.serviceToken,
        }),
      );
    }

    const idempotent = tenant.consumers.some((c) => c.idempotency);
    this.access = new TenantAccess(this, 'Access', {
      tenant: tenant.name,
      clusterArn: facts.clusterArn,
      idempotencyTableName: idempotent ? facts.idempotencyTableName : undefined,
      lakehouseBucketName: tenant.sinks.length > 0 ? facts.lakehouseBucketName : undefined,
      glueDatabase: tenant.glueDatabase,
    });

    const topicsByKey = new Map(tenant.topics.map((topic) => [topic.key, topic]));
    for (const c of tenant.consumers) {
      const consumer = new KafkaConsumer(this, `Consumer-${c.key}`, {
        consumer: c,
        rootDir: platform.rootDir,
        clusterArn: facts.clusterArn,
        bootstrapBrokers: facts.bootstrapBrokers,
        idempotencyTableName: c.idempotency ? facts.idempotencyTableName : undefined,
        schemaFile: topicsByKey.get(c.topicKey)?.schemaFile,
        outputSchemaFile: c.outputKey ? topicsByKey.get(c.outputKey)?.schemaFile : undefined,
        logLevel: platform.functionDefaults.logLevel,
        logRetention,
        vpcConfig,
      });
      this.access.grantConsumer(consumer.function, {
        sourceTopic: c.topic,
        groupId: c.groupId,
        writeTopics: [c.output, c.onFailureTopic].filter((t): t is string => t !== undefined),
        idempotencyKeyPrefix: c.idempotency ? consumerFunctionName(tenant.name, c.key) : undefined,
      });
      // The mapping and the handler need their topics to exist.
      for (const key of [c.topicKey, c.outputKey, c.onFailureTopic ? 'dlq' : undefined])
        if (key && this.topics.has(key)) consumer.node.addDependency(this.topics.get(key)!);
      this.consumers.set(c.key, consumer);
    }

    for (const s of tenant.sinks) {
      this.access.grantSink({ sourceTopic: s.topic, table: s.format === 'json' ? undefined : s.table });
      const sink = new LakehouseSink(this, `Sink-${s.key}`, {
        sink: s,
        schema: topicsByKey.get(s.topicKey)?.schema,
        clusterArn: facts.clusterArn,
        bucketName: facts.lakehouseBucketName,
        role: this.access.firehoseRole,
        logRetention,
      });
      const topic = this.topics.get(s.topicKey);
      if (topic) sink.node.addDependency(topic);
      this.sinks.set(s.key, sink);
    }

    const clusterName = mskClusterName(facts.clusterArn);
    const consumerMetrics = [...this.consumers.entries()].map(([key, consumer]) => {
      const c = tenant.consumers.find((spec) => spec.key === key)!;
      return {
        key,
        functionName: consumer.functionName,
        groupId: c.groupId,
        topic: c.topic,
        eventSourceMappingId: consumer.eventSourceMappingId,
      };
    });
    const sinkMetrics = tenant.sinks.map((spec) => ({
      key: spec.key,
      streamName: this.sinks.get(spec.key)!.streamName,
      format: spec.format,
      bufferIntervalSeconds: Math.round(spec.bufferIntervalMs / 1000),
    }));
    this.dashboard = new TenantDashboard(this, 'Dashboard', {
      tenant: tenant.name,
      clusterName,
      consumers: consumerMetrics,
      outputTopics: [...new Set(tenant.consumers.flatMap((c) => (c.output ? [c.output] : [])))],
      dlqTopic: tenant.dlq.name,
      sinks: sinkMetrics,
    });
    if (consumerMetrics.length > 0 || sinkMetrics.length > 0)
      this.alarms = new LagAlarms(this, 'Alarms', {
        tenant: tenant.name,
        alerts: tenant.alerts,
        clusterName,
        alarmTopicArn: facts.alarmTopicArn,
        consumers: consumerMetrics,
        sinks: sinkMetrics,
      });

    for (const [key, value] of Object.entries(tenant.tags)) Tags.of(this).add(key, value);
  }
}
