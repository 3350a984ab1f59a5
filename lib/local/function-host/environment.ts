/**
 * The environment a consumer's function gets outside Lambda (`stratus dev`, `invoke`, bounded replays, the
 * testing kit): the shared contract (lib/core/function-env.ts) plus what Lambda itself sets in every function.
 */
import path from 'node:path';
import { consumerEnvironment } from '../../core/function-env.ts';
import { consumerFunctionName, LOCAL_IDEMPOTENCY_TABLE } from '../../core/naming.ts';
import type { ConsumerSpec, PlatformSpec, TenantSpec } from '../../manifest/spec.ts';
import { writeQualityRulesFile } from '../quality-rules-file.ts';

export interface LocalFunctionEnvironmentInput {
  platform: PlatformSpec;
  tenant: TenantSpec;
  consumer: ConsumerSpec;
  /** Bootstrap servers the SDK produces to. */
  brokers: string[];
  /** The AWS emulator (idempotency table); absent when nothing AWS is reached (the testing kit). */
  awsEndpoint?: string;
  /**
   * Powertools log level of the handler.
   * @default platform.functionDefaults.logLevel
   */
  logLevel?: string;
}

export function localFunctionEnvironment(input: LocalFunctionEnvironmentInput): Record<string, string> {
  const { platform, tenant, consumer } = input;
  // A shared topic (`<owner>/<topic>`) is the owner's: its schema comes with it.
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
    kafkaBrokers: input.brokers.join(','),
    kafkaAuth: 'plaintext',
    idempotency: consumer.idempotency
      ? { key: consumer.idempotency.key, ttlMs: consumer.idempotency.ttlMs, table: LOCAL_IDEMPOTENCY_TABLE }
      : undefined,
    schemaFile: absolute(topic?.schemaFile),
    outputSchemaFile: absolute(output?.schemaFile),
    qualityRulesFile: writeQualityRulesFile(platform, tenant, consumer),
    logLevel: input.logLevel ?? platform.functionDefaults.logLevel,
    awsEndpoint: input.awsEndpoint,
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
