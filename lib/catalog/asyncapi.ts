/**
 * `stratus catalog --format asyncapi`: one AsyncAPI 3.0 document per tenant. Channels are the Kafka topics
 * the tenant owns or reads from another tenant (Kafka channel bindings: partitions, retention, cleanup
 * policy); messages are the topics' JSON Schemas; operations are what its consumers and sinks receive and
 * what its processors send (Kafka operation binding: the consumer group); owners and cost centre are in
 * `info`. https://www.asyncapi.com/docs/reference/specification/v3.0.0,
 * https://github.com/asyncapi/bindings/tree/master/kafka (binding version 0.5.0)
 */
import { createHash } from 'node:crypto';
import { LINEAGE_HEADERS } from '../core/lineage.ts';
import type { PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import type { ConsumerNode, LineageGraph, SinkNode, TopicNode } from './graph.ts';

const KAFKA_BINDING = '0.5.0';

export interface AsyncApiOptions {
  /** `host:port` of the AWS cluster's bootstrap brokers; without it the server is a variable. */
  bootstrap?: string;
}

type Json = Record<string, unknown>;

/** A channel id: the topic key for the tenant's own topics, `<owner>.<key>` for another tenant's. */
function channelId(tenant: string, topic: TopicNode): string {
  return topic.tenant === tenant ? topic.key : topic.name;
}

/**
 * The topic's JSON Schema as a component schema: `$schema`/`$id` dropped (the payload is an AsyncAPI Schema,
 * a JSON Schema superset) and internal `#/...` references re-rooted under the component.
 */
function componentSchema(schema: Json, at: string): Json {
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (!node || typeof node !== 'object') return node;
    return Object.fromEntries(
      Object.entries(node as Json).map(([key, value]) =>
        key === '$ref' && typeof value === 'string' && value.startsWith('#/')
          ? [key, `#/components/schemas/${at}/${value.slice(2)}`]
          : [key, rewrite(value)],
      ),
    );
  };
  const { $schema: _schema, $id: _id, ...rest } = schema;
  return rewrite(rest) as Json;
}

const LINEAGE_HEADER_SCHEMA: Json = {
  type: 'object',
  description: 'Lineage headers every Stratus processor writes on its output records',
  properties: Object.fromEntries(Object.values(LINEAGE_HEADERS).map((name) => [name, { type: 'string' }])),
};

export function asyncApiDocument(
  graph: LineageGraph,
  tenant: TenantSpec,
  platform: PlatformSpec,
  options: AsyncApiOptions = {},
): Json {
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const jobsOfTenant = graph.nodes.filter(
    (n): n is ConsumerNode | SinkNode =>
      (n.kind === 'consumer' || n.kind === 'sink') && n.tenant === tenant.name,
  );
  // Own topics (not the DLQ: its records are the envelopes of failed records of any topic), and the topics
  // of other tenants the tenant's jobs read.
  const topics = new Map<string, TopicNode>();
  for (const node of graph.nodes)
    if (node.kind === 'topic' && node.tenant === tenant.name && !node.isDlq) topics.set(node.id, node);
  for (const job of jobsOfTenant)
    for (const edge of graph.edges.filter((e) => e.to === job.id && e.kind === 'reads'))
      topics.set(edge.from, byId.get(edge.from) as TopicNode);
  const written = new Set(graph.edges.filter((e) => e.kind === 'writes').map((e) => e.to));

  const channels: Json = {};
  const messages: Json = {};
  const schemas: Json = {};
  for (const topic of topics.values()) {
    const id = channelId(tenant.name, topic);
    const spec = topic.spec;
    const message: Json = {
      name: id,
      title: `${topic.name} record`,
      contentType: 'application/json',
    };
    if (spec?.schema) {
      schemas[id] = componentSchema(spec.schema, id);
      message.payload = { $ref: `#/components/schemas/${id}` };
      if (typeof spec.schema.title === 'string') message.summary = spec.schema.title;
    }
    if (written.has(topic.id)) message.headers = LINEAGE_HEADER_SCHEMA;
    messages[id] = message;
    channels[id] = {
      address: topic.name,
      title: topic.name,
      description:
        topic.tenant === tenant.name
          ? `Owned by ${tenant.name}${spec?.schemaFile ? `; schema ${spec.schemaFile}` : ''}`
          : `Owned by ${topic.tenant}, shared with ${tenant.name} (read only)`,
      messages: { [id]: { $ref: `#/components/messages/${id}` } },
      bindings: {
        kafka: {
          topic: topic.name,
          ...(spec
            ? {
                partitions: spec.partitions,
                topicConfiguration: {
                  'cleanup.policy': [spec.cleanupPolicy],
                  'retention.ms': spec.retentionMs,
                },
              }
            : {}),
          bindingVersion: KAFKA_BINDING,
        },
      },
    };
  }

  const operations: Json = {};
  const channelRef = (topicId: string) => ({
    $ref: `#/channels/${channelId(tenant.name, topics.get(topicId)!)}`,
  });
  for (const job of jobsOfTenant) {
    const reads = graph.edges.find((e) => e.to === job.id && e.kind === 'reads');
    if (reads && topics.has(reads.from)) {
      const group = job.kind === 'consumer' ? job.spec.groupId : undefined;
      operations[`${job.label}.receive`] = {
        action: 'receive',
        channel: channelRef(reads.from),
        title:
          job.kind === 'consumer' ? `${job.label} (${job.role})` : `${job.label} (${job.spec.format} sink)`,
        summary:
          job.kind === 'consumer'
            ? `Lambda ${job.spec.handlerFile} via a Kafka event-source mapping`
            : `Firehose into ${job.spec.format === 'iceberg' ? `${job.spec.database}.${job.spec.table}` : job.spec.prefix}`,
        ...(group
          ? {
              bindings: {
                kafka: { groupId: { type: 'string', enum: [group] }, bindingVersion: KAFKA_BINDING },
              },
            }
          : {}),
      };
    }
    const writes = graph.edges.find((e) => e.from === job.id && e.kind === 'writes');
    if (writes && topics.has(writes.to))
      operations[`${job.label}.send`] = {
        action: 'send',
        channel: channelRef(writes.to),
        title: `${job.label} (processor)`,
        summary: `What ${job.label} returns from each record`,
      };
  }

  const tags = [{ name: `tenant:${tenant.name}` }];
  if (tenant.costCenter) tags.push({ name: `cost-center:${tenant.costCenter}` });
  const document: Json = {
    asyncapi: '3.0.0',
    id: `urn:stratus:${platform.cluster.name}:${tenant.name}`,
    info: {
      title: tenant.name,
      version: '', // set below from the content
      description: tenant.description ?? `Event streams of tenant ${tenant.name} (from ${tenant.file})`,
      ...(tenant.owners[0] ? { contact: { name: `${tenant.name} owners`, email: tenant.owners[0] } } : {}),
      tags,
      'x-owners': tenant.owners,
      ...(tenant.costCenter ? { 'x-cost-center': tenant.costCenter } : {}),
    },
    defaultContentType: 'application/json',
    servers: {
      local: {
        host: `127.0.0.1:${platform.local.kafkaPort}`,
        protocol: 'kafka',
        description: 'The local broker of `stratus dev` (PLAINTEXT)',
      },
      aws: {
        host: options.bootstrap ?? '{bootstrap}',
        protocol: 'kafka-secure',
        description: `Amazon MSK cluster ${platform.cluster.name} in ${platform.region}: TLS with IAM authentication (SASL)`,
        ...(options.bootstrap
          ? {}
          : {
              variables: {
                bootstrap: {
                  description:
                    'A bootstrap broker, from the SSM parameter /stratus/platform/msk/bootstrap-brokers-iam',
                },
              },
            }),
      },
    },
    channels,
    operations,
    components: { messages, schemas },
  };
  // The version changes exactly when the described contract does.
  const digest = createHash('sha256').update(JSON.stringify(document)).digest('hex').slice(0, 12);
  (document.info as Json).version = `0.0.0+${digest}`;
  return document;
}
