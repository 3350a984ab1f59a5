/**
 * Runs a copy of the tenants under other names (`payments` → `payments-d1f3a2`), every derived name rebuilt
 * through lib/core/naming.ts. `stratus demo` uses it on a broker that may already hold the real topics
 * (KAFKA_BROKERS, the shared test broker), so its topics and groups start empty and its numbers are exact.
 */
import {
  consumerGroupId,
  dlqTopicName,
  glueDatabaseName,
  parseQualifiedName,
  TENANT_NAME_PATTERN,
  topicName,
} from '../core/naming.ts';
import type { StratusSpec, TenantSpec } from '../manifest/spec.ts';

export function namespacedTenant(tenant: TenantSpec, suffix: string): TenantSpec {
  const name = `${tenant.name}-${suffix}`;
  if (!TENANT_NAME_PATTERN.test(name))
    throw new Error(`cannot run tenant ${tenant.name} as "${name}": not a valid tenant name (too long?)`);
  // A topic shared by another tenant is that tenant's, renamed the same way.
  const owned = (owner: string | undefined) => (owner === undefined ? name : `${owner}-${suffix}`);
  const topics = tenant.topics.map((topic) => ({
    ...topic,
    name: topic.isDlq ? dlqTopicName(name) : topicName(name, topic.key),
  }));
  return {
    ...tenant,
    name,
    topics,
    dlq: topics.find((topic) => topic.isDlq) ?? { ...tenant.dlq, name: dlqTopicName(name) },
    consumers: tenant.consumers.map((consumer) => ({
      ...consumer,
      tenant: name,
      groupId: consumerGroupId(name, consumer.key),
      topic: topicName(owned(consumer.topicOwner), consumer.topicKey),
      topicOwner: consumer.topicOwner === undefined ? undefined : owned(consumer.topicOwner),
      output: consumer.outputKey ? topicName(name, consumer.outputKey) : undefined,
      onFailureTopic: consumer.onFailureTopic ? dlqTopicName(name) : undefined,
    })),
    sinks: tenant.sinks.map((sink) => ({
      ...sink,
      tenant: name,
      topic: topicName(name, sink.topicKey),
      database: glueDatabaseName(name),
      // The default prefix is `<tenant>/<sink>/`; a prefix the manifest set is kept.
      prefix: sink.prefix === `${tenant.name}/${sink.key}/` ? `${name}/${sink.key}/` : sink.prefix,
    })),
    glueDatabase: glueDatabaseName(name),
    sharedReads: tenant.sharedReads?.map((read) => ({
      ...read,
      owner: owned(read.owner),
      topic: topicName(owned(read.owner), read.key),
    })),
    sharedTopics: tenant.sharedTopics?.map((topic) => {
      const owner = parseQualifiedName(topic.name)?.tenant;
      return { ...topic, name: topicName(owned(owner), topic.key) };
    }),
  };
}

export function namespacedSpec(spec: StratusSpec, suffix: string): StratusSpec {
  return { ...spec, tenants: spec.tenants.map((tenant) => namespacedTenant(tenant, suffix)) };
}
