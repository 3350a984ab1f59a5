/**
 * A producer's topic as the manifests declare it: the contract it must honour (schema and quality rules), and
 * whether the producer may write it at all — the same facts `stratus validate` checked and the tenant stack
 * grants, so a producer that is not declared for a topic fails here, at start, as it would fail at the broker
 * on AWS.
 */
import path from 'node:path';
import { formatManifestError } from '../../../lib/manifest/errors.ts';
import { loadStratus } from '../../../lib/manifest/load.ts';
import type { StratusSpec, TenantSpec, TopicSpec } from '../../../lib/manifest/spec.ts';
import { StratusConfigurationError } from '../errors.ts';
import type { TopicContract } from './topic-producer.ts';

/** The contract of a topic: its schema and its rules (name, CEL, severity). */
export function topicContract(topic: TopicSpec): TopicContract {
  return {
    schema: topic.schema,
    quality: topic.quality.map(({ name, expression, severity }) => ({ name, expression, severity })),
  };
}

export interface DeclaredTopic {
  tenant: TenantSpec;
  topic: TopicSpec;
  contract: TopicContract;
  /** `stratus dev`'s broker for this project. */
  localBrokers: string[];
}

export interface DeclaredTopicInput {
  tenant: string;
  /** Topic key in the tenant's manifest. */
  topic: string;
  producer: string;
  rootDir: string;
  configFile?: string;
}

export function declaredTopic(input: DeclaredTopicInput): DeclaredTopic {
  const { spec, errors } = loadStratus({ rootDir: input.rootDir, configFile: input.configFile });
  if (errors.length > 0)
    throw new StratusConfigurationError(
      `the manifests under ${path.resolve(input.rootDir)} do not validate (stratus validate): ${errors
        .slice(0, 5)
        .map(formatManifestError)
        .join('; ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`,
    );
  const tenant = findTenant(spec, input);
  const topic = tenant.topics.find((t) => t.key === input.topic);
  if (!topic || topic.isDlq)
    throw new StratusConfigurationError(
      `tenant "${tenant.name}" has no topic "${input.topic}" a producer may write (${tenant.file}); its topics: ${tenant.topics
        .filter((t) => !t.isDlq)
        .map((t) => t.key)
        .join(', ')}`,
    );
  const producers = tenant.producers ?? [];
  const producer = producers.find((p) => p.key === input.producer);
  if (!producer)
    throw new StratusConfigurationError(
      `tenant "${tenant.name}" declares no producer "${input.producer}" (producers: in ${tenant.file}${producers.length > 0 ? `; declared: ${producers.map((p) => p.key).join(', ')}` : ''}); undeclared producers are refused by IAM on AWS`,
    );
  if (!producer.topicKeys.includes(topic.key))
    throw new StratusConfigurationError(
      `producer "${producer.key}" of tenant "${tenant.name}" may write ${producer.topicKeys.join(', ')}, not "${topic.key}" (${tenant.file}:${producer.source.line}: add it to producers.${producer.key}.topics)`,
    );
  return {
    tenant,
    topic,
    contract: topicContract(topic),
    localBrokers: [`127.0.0.1:${spec.platform.local.kafkaPort}`],
  };
}

function findTenant(spec: StratusSpec, input: DeclaredTopicInput): TenantSpec {
  const tenant = spec.tenants.find((t) => t.name === input.tenant);
  if (!tenant)
    throw new StratusConfigurationError(
      `no manifest under ${path.resolve(input.rootDir)} declares tenant "${input.tenant}"; declared: ${spec.tenants.map((t) => t.name).join(', ') || '(none)'}`,
    );
  return tenant;
}
