/**
 * One manifest consumer running locally: its handler in a FunctionHost (worker threads with the consumer's
 * environment contract) fed by the event-source emulator, as Lambda + its Kafka event-source mapping are on AWS.
 */
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { consumerEnvironment } from '../core/function-env.ts';
import {
  consumerFunctionName,
  LOCAL_IDEMPOTENCY_TABLE,
  localClusterArn,
  tenantClientId,
} from '../core/naming.ts';
import type { ConsumerSpec, PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import {
  type EventSourceMapping,
  type EventSourceObserver,
  type EventSourceStats,
  type PlatformAvailability,
  startEventSourceMapping,
} from './event-source/index.ts';
import { buildMskEvent } from './event-source/record.ts';
import { FunctionHost } from './function-host/index.ts';
import { writeQualityRulesFile } from './quality-rules-file.ts';

export interface ConsumerRunnerOptions {
  platform: PlatformSpec;
  tenant: TenantSpec;
  consumer: ConsumerSpec;
  kafka: Kafka;
  brokers: string[];
  awsEndpoint: string;
  /**
   * Powertools log level of the handler.
   * @default platform.functionDefaults.logLevel
   */
  logLevel?: string;
  observer?: EventSourceObserver;
  /** Outages of the broker and the stores the runtime supervises. */
  availability?: PlatformAvailability;
  /** Problems worth a line (a handler that fails to initialise). */
  log?: (line: string) => void;
}

export interface ConsumerRunner {
  spec: ConsumerSpec;
  /** Leaves the group cleanly (so `stratus replay` may reset its offsets) and stops delivery. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stats(): EventSourceStats;
  /** Finishes the batch in flight, commits, leaves the group and ends the function's workers. */
  stop(): Promise<void>;
}

/** The environment a consumer's function gets locally: the shared contract plus AWS SDK basics. */
export function localFunctionEnvironment(options: ConsumerRunnerOptions): Record<string, string> {
  const { platform, tenant, consumer } = options;
  const topic = [...tenant.topics, ...(tenant.sharedTopics ?? [])].find((t) => t.name === consumer.topic);
  const output = tenant.topics.find((t) => t.name === consumer.output);
  // Absolute: the SDK reads them as they are (there is no LAMBDA_TASK_ROOT locally).
  const absolute = (file: string | undefined) => (file ? path.resolve(platform.rootDir, file) : undefined);
  const env = consumerEnvironment({
    tenant: tenant.name,
    consumer: consumer.key,
    sourceTopic: consumer.topic,
    outputTopic: consumer.output,
    dlqTopic: consumer.onFailureTopic,
    kafkaBrokers: options.brokers.join(','),
    kafkaAuth: 'plaintext',
    idempotency: consumer.idempotency
      ? { key: consumer.idempotency.key, ttlMs: consumer.idempotency.ttlMs, table: LOCAL_IDEMPOTENCY_TABLE }
      : undefined,
    schemaFile: absolute(topic?.schemaFile),
    outputSchemaFile: absolute(output?.schemaFile),
    qualityRulesFile: writeQualityRulesFile(platform, tenant, consumer),
    logLevel: options.logLevel ?? platform.functionDefaults.logLevel,
    awsEndpoint: options.awsEndpoint,
  });
  // What Lambda sets in every function; the emulator accepts any credentials, real ones are kept if present.
  env.AWS_REGION = platform.region;
  env.AWS_DEFAULT_REGION = platform.region;
  env.AWS_LAMBDA_FUNCTION_NAME = consumerFunctionName(tenant.name, consumer.key);
  if (!process.env.AWS_ACCESS_KEY_ID) {
    env.AWS_ACCESS_KEY_ID = 'stratus-local';
    env.AWS_SECRET_ACCESS_KEY = 'stratus-local';
  }
  return env;
}

export async function startConsumerRunner(options: ConsumerRunnerOptions): Promise<ConsumerRunner> {
  const { platform, tenant, consumer } = options;
  const eventSourceArn = localClusterArn(platform.region, platform.cluster.name);
  const host = new FunctionHost({
    handlerFile: consumer.handlerFile,
    rootDir: platform.rootDir,
    functionName: consumerFunctionName(tenant.name, consumer.key),
    env: localFunctionEnvironment(options),
    timeoutMs: consumer.timeoutMs,
    memoryMb: consumer.memoryMb,
    region: platform.region,
  });
  let mapping: EventSourceMapping;
  let closing = false;
  try {
    // One execution environment is started and initialised while the group is joined (like provisioned
    // concurrency of 1): an empty event runs the handler's init phase, so the first records do not wait for
    // a cold start. Handlers see `records: {}`; the SDK answers it with no failures.
    const warm = host.invoke(buildMskEvent([], eventSourceArn, options.brokers.join(',')));
    [mapping] = await Promise.all([
      startEventSourceMapping({
        consumer,
        // With a consume quota, the mapping fetches under the tenant's client id, as the quota is set on it.
        kafka:
          options.tenant.quotas?.consumeBytesPerSecond === undefined
            ? options.kafka
            : new Kafka({
                clientId: tenantClientId(tenant.name),
                brokers: options.brokers,
                logLevel: logLevel.NOTHING,
              }),
        invoke: host.invoke,
        bootstrapServers: options.brokers.join(','),
        eventSourceArn,
        observer: options.observer,
        availability: options.availability,
      }),
      warm.then((result) => {
        // Not fatal: a handler may reject an empty event; a broken import shows up here first, though.
        if (!result.ok && !closing)
          options.log?.(
            `${consumer.groupId}: the handler failed on its warm-up invocation: ${result.error.class}: ${result.error.message}`,
          );
      }),
    ]);
  } catch (error) {
    // The warm-up's environment is terminated with the host: that is not the handler's failure.
    closing = true;
    await host.close();
    throw error;
  }
  return {
    spec: consumer,
    pause: () => mapping.pause(),
    resume: () => mapping.resume(),
    stats: () => mapping.stats(),
    async stop() {
      try {
        await mapping.stop();
      } finally {
        await host.close();
      }
    },
  };
}
