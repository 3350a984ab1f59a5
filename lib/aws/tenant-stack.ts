import { Duration, RemovalPolicy, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { consumerFunctionName, tenantStackName } from '../core/naming.ts';
import { ingestConfig } from '../ingest/ingest-config.ts';
import { sourceTopicWriters } from '../manifest/producers.ts';
import type { PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import { ContractAlarms } from './contract-alarms.ts';
import { IngestEndpoint } from './ingest-endpoint.ts';
import { KafkaConsumer } from './kafka-consumer.ts';
import { KafkaTopic, TopicProvisioning } from './kafka-topic.ts';
import { LagAlarms } from './lag-alarms.ts';
import { LakehouseSink } from './lakehouse-sink.ts';
import { mskClusterName, type PlatformFacts, readPlatformFacts } from './platform-parameters.ts';
import { TenantSchemaRegistry } from './schema-registry.ts';
import { SilenceAlarms } from './silence-alarms.ts';
import { TenantAccess } from './tenant-access.ts';
import { TenantDashboard } from './tenant-dashboard.ts';
import { TenantProducers } from './tenant-producers.ts';
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
  /** The tenant's Glue Schema Registry with a checked version per topic schema; none without schemas. */
  readonly schemaRegistry?: TenantSchemaRegistry;
  /** Quality-rule and sink-expectation alarms; none when the manifest declares neither. */
  readonly contractAlarms?: ContractAlarms;
  /** Roles, grants and connection parameters of the declared producers; none without `producers:`. */
  readonly producers?: TenantProducers;
  /** The HTTP ingest endpoint; none without `ingest:`. */
  readonly ingest?: IngestEndpoint;
  /** Alarms on source topics gone silent; none without `alerts.silence`. */
  readonly silenceAlarms?: SilenceAlarms;

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

    if (tenant.topics.some((topic) => topic.schemaFile))
      this.schemaRegistry = new TenantSchemaRegistry(this, 'SchemaRegistry', {
        tenant: tenant.name,
        topics: tenant.topics,
        rootDir: platform.rootDir,
        logRetention,
      });

    const idempotent = tenant.consumers.some((c) => c.idempotency);
    this.access = new TenantAccess(this, 'Access', {
      tenant: tenant.name,
      clusterArn: facts.clusterArn,
      idempotencyTableName: idempotent ? facts.idempotencyTableName : undefined,
      lakehouseBucketName: tenant.sinks.length > 0 ? facts.lakehouseBucketName : undefined,
      glueDatabase: tenant.glueDatabase,
      sharedTopics: (tenant.sharedTopics ?? []).map((topic) => topic.name),
    });

    const topicsByKey = new Map(tenant.topics.map((topic) => [topic.key, topic]));
    // A consumer's source may be another tenant's topic: look it up by its full name.
    const topicsByName = new Map([...tenant.topics, ...(tenant.sharedTopics ?? [])].map((t) => [t.name, t]));
    for (const c of tenant.consumers) {
      const consumer = new KafkaConsumer(this, `Consumer-${c.key}`, {
        consumer: c,
        rootDir: platform.rootDir,
        clusterArn: facts.clusterArn,
        bootstrapBrokers: facts.bootstrapBrokers,
        idempotencyTableName: c.idempotency ? facts.idempotencyTableName : undefined,
        schemaFile: topicsByName.get(c.topic)?.schemaFile,
        outputSchemaFile: c.outputKey ? topicsByKey.get(c.outputKey)?.schemaFile : undefined,
        qualityRules: {
          input: topicsByKey.get(c.topicKey)?.quality ?? [],
          output: c.outputKey ? (topicsByKey.get(c.outputKey)?.quality ?? []) : [],
        },
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
      this.schemaRegistry?.grantRead(consumer.function);
      // A function starts only once its topics' schema versions passed the compatibility check.
      for (const key of [c.topicKey, c.outputKey]) {
        const version = key ? this.schemaRegistry?.versions.get(key) : undefined;
        if (version) consumer.node.addDependency(version);
      }
      // The mapping and the handler need their topics to exist.
      const ownSource = c.topicOwner === undefined ? c.topicKey : undefined;
      for (const key of [ownSource, c.outputKey, c.onFailureTopic ? 'dlq' : undefined])
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

    // Ingestion: the HTTP endpoint first (producers of its topics may be granted its routes), then the producers.
    const ingest = ingestConfig(tenant);
    if (tenant.ingest && ingest) {
      this.ingest = new IngestEndpoint(this, 'Ingest', {
        tenant: tenant.name,
        ingest: tenant.ingest,
        config: ingest,
        rootDir: platform.rootDir,
        bootstrapBrokers: facts.bootstrapBrokers,
        vpcConfig,
        logRetention,
        logLevel: platform.functionDefaults.logLevel,
      });
      this.access.grantProducer(
        this.ingest.function,
        ingest.topics.map((t) => t.name),
      );
      for (const t of tenant.ingest.topics) {
        const topic = this.topics.get(t.key);
        if (topic) this.ingest.node.addDependency(topic);
      }
    }
    if ((tenant.producers ?? []).length > 0) {
      const endpoint = this.ingest;
      const iamRoutes =
        tenant.ingest?.auth === 'iam' ? new Set(tenant.ingest.topics.map((t) => t.key)) : undefined;
      this.producers = new TenantProducers(this, 'Producers', {
        tenant: tenant.name,
        producers: tenant.producers ?? [],
        access: this.access,
        bootstrapBrokers: facts.bootstrapBrokers,
        ingestRouteArn:
          endpoint && iamRoutes
            ? (key) => (iamRoutes.has(key) ? endpoint.routeArn(key) : undefined)
            : undefined,
      });
    }

    const clusterName = mskClusterName(facts.clusterArn);
    const sources = sourceTopicWriters(tenant);
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
      sourceTopics: sources.map(({ topic, writers }) => ({ topic, writers })),
      ingestApiId: this.ingest?.api.apiId,
    });
    if (tenant.alerts.silenceMs !== undefined && sources.length > 0)
      this.silenceAlarms = new SilenceAlarms(this, 'Silence', {
        tenant: tenant.name,
        topics: sources.map((s) => s.topic),
        silence: Duration.millis(tenant.alerts.silenceMs),
        clusterName,
        cluster: {
          serverless: platform.cluster.mode === 'serverless',
          brokerNodes: platform.cluster.brokerNodes,
        },
        alarmTopicArn: facts.alarmTopicArn,
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

    const rules = tenant.consumers.flatMap((c) =>
      (['input', 'output'] as const).flatMap((stage) => {
        const topic = topicsByKey.get(stage === 'input' ? c.topicKey : (c.outputKey ?? ''));
        return (topic?.quality ?? []).map((rule) => ({
          consumer: c.key,
          rule: rule.name,
          stage,
          alarmPercent: rule.alarmPercent ?? tenant.alerts.qualityRatePercent,
        }));
      }),
    );
    const expectations = tenant.sinks.flatMap((s) => {
      const sink = this.sinks.get(s.key);
      const { freshnessMs, volume } = s.expectations;
      return sink && (freshnessMs !== undefined || volume)
        ? [{ key: s.key, streamName: sink.streamName, format: s.format, expectations: s.expectations }]
        : [];
    });
    if (rules.length > 0 || expectations.length > 0)
      this.contractAlarms = new ContractAlarms(this, 'Contracts', {
        tenant: tenant.name,
        alarmTopicArn: facts.alarmTopicArn,
        dashboard: this.dashboard.dashboard,
        rules,
        sinks: expectations,
      });

    for (const [key, value] of Object.entries(tenant.tags)) Tags.of(this).add(key, value);
  }
}
