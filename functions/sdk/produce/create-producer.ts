/**
 * `createProducer<T>({ tenant, topic })`: the producer SDK's front door. It reads the topic's contract from the
 * project's manifests (or takes it in code), checks that the producer is declared for the topic, and connects
 * as connection.ts says (brokers from the environment or SSM on AWS with MSK IAM, the local runtime's broker in
 * plaintext otherwise), so the same service code runs on ECS, EKS, Lambda and beside `stratus dev`.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { KafkaAuth } from '../../../lib/core/function-env.ts';
import {
  RESOURCE_KEY_PATTERN,
  TENANT_NAME_PATTERN,
  tenantClientId,
  topicName,
} from '../../../lib/core/naming.ts';
import { PRODUCER_ENV, readProducerEnvironment } from '../../../lib/core/producer-env.ts';
import { installedSdkBindings } from '../bindings.ts';
import { StratusConfigurationError } from '../errors.ts';
import { createKafkaPublisher, type RecordPublisher } from '../producer.ts';
import { resolveConnection } from './connection.ts';
import { declaredTopic } from './contract.ts';
import { type KeyOf, type TopicContract, TopicProducer } from './topic-producer.ts';

export interface CreateProducerOptions<T> {
  /** The tenant that owns the topic. */
  tenant: string;
  /** The topic's key in the tenant's manifest (`orders` for `payments.orders`). */
  topic: string;
  /**
   * The producer's name in the manifest (`producers.<name>`): it must be declared for the topic.
   * @default STRATUS_PRODUCER
   */
  producer?: string;
  /**
   * How a record's key is derived from its value when `send` is given none: a dotted field path (`orderId`) or a
   * function. A record whose key cannot be derived is refused (KEY_MISSING).
   * @default no key
   */
  key?: KeyOf<T>;
  /**
   * The topic's schema and quality rules. Given, the manifests are not read at all (and whether the producer is
   * declared is not checked here; IAM still checks it on AWS).
   * @default read from the project's manifests
   */
  contract?: TopicContract;
  /**
   * Project root with `stratus.config.yaml`, `tenants/` and `schemas/`.
   * @default STRATUS_PROJECT_ROOT, else the working directory
   */
  rootDir?: string;
  /** Platform config file, relative to `rootDir`. @default 'stratus.config.yaml' */
  configFile?: string;
  /** Bootstrap brokers. @default see connection.ts */
  brokers?: string[];
  /** `iam` (MSK IAM, TLS) or `plaintext`. @default STRATUS_KAFKA_AUTH, else as connection.ts says */
  auth?: KafkaAuth;
  /** Region MSK IAM tokens (and the SSM parameter) are signed for. @default AWS_REGION */
  region?: string;
  /**
   * Where records go instead of a Kafka producer (the testing kit's recordingPublisher).
   * @default the testing kit's installed publisher, else one idempotent kafkajs producer
   */
  publisher?: RecordPublisher;
  /** kafkajs warnings and errors, and the line saying where the producer connects. @default a Powertools Logger */
  logger?: Logger;
  /** How long a send waits for others to join its produce request. @default 0 */
  lingerMs?: number;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

export async function createProducer<T>(options: CreateProducerOptions<T>): Promise<TopicProducer<T>> {
  let env: ReturnType<typeof readProducerEnvironment>;
  try {
    env = readProducerEnvironment(options.env ?? process.env);
  } catch (error) {
    throw new StratusConfigurationError((error as Error).message);
  }
  const { tenant, topic } = options;
  if (!TENANT_NAME_PATTERN.test(tenant))
    throw new StratusConfigurationError(`tenant "${tenant}" is not a tenant name`);
  if (!RESOURCE_KEY_PATTERN.test(topic))
    throw new StratusConfigurationError(
      `topic "${topic}" is not a topic key (name the topic by its key in the manifest, e.g. orders)`,
    );
  const producer = options.producer ?? env.producer;
  if (!producer)
    throw new StratusConfigurationError(
      `name the producer: the producer option or ${PRODUCER_ENV.producer} (its key under producers: in the manifest)`,
    );

  let contract = options.contract;
  let localBrokers: string[] | undefined;
  if (!contract) {
    const declared = declaredTopic({
      tenant,
      topic,
      producer,
      rootDir: options.rootDir ?? env.projectRoot ?? process.cwd(),
      configFile: options.configFile,
    });
    contract = declared.contract;
    localBrokers = declared.localBrokers;
  }

  const logger = options.logger ?? new Logger({ serviceName: tenant, persistentKeys: { tenant, producer } });
  let publisher = options.publisher ?? installedSdkBindings()?.publisher;
  const ownsPublisher = publisher === undefined;
  if (!publisher) {
    const connection = await resolveConnection({
      brokers: options.brokers,
      auth: options.auth,
      env,
      localBrokers,
      region: options.region,
    });
    logger.info('stratus producer connecting', {
      topic: topicName(tenant, topic),
      brokers: connection.brokers.join(','),
      auth: connection.auth,
      from: connection.source,
    });
    publisher = createKafkaPublisher({
      // The tenant's client id: its produce quota covers its producers and its functions together.
      clientId: tenantClientId(tenant),
      brokers: connection.brokers,
      auth: connection.auth,
      region: options.region,
      logger,
    });
  }
  return new TopicProducer<T>({
    tenant,
    producer,
    topic: topicName(tenant, topic),
    contract,
    key: options.key,
    publisher,
    ownsPublisher,
    lingerMs: options.lingerMs,
  });
}
