/**
 * The environment contract between the platform and a consumer function. The CDK stacks set these variables
 * on each Lambda function; the local runtime sets the same ones on each handler's worker; the handler SDK
 * reads them. Settings the manifest declares are never typed twice by a team.
 */
import { consumerFunctionName } from './naming.ts';

export const FUNCTION_ENV = {
  tenant: 'STRATUS_TENANT',
  consumer: 'STRATUS_CONSUMER',
  sourceTopic: 'STRATUS_SOURCE_TOPIC',
  /** Full name of the output topic; absent for plain consumers. */
  outputTopic: 'STRATUS_OUTPUT_TOPIC',
  /** Full name of the DLQ topic; absent when the consumer's onFailure is `none`. */
  dlqTopic: 'STRATUS_DLQ_TOPIC',
  /** Comma-separated bootstrap servers the SDK produces to. */
  kafkaBrokers: 'STRATUS_KAFKA_BROKERS',
  /** `iam` (MSK IAM, OAUTHBEARER) or `plaintext` (the local broker). */
  kafkaAuth: 'STRATUS_KAFKA_AUTH',
  /** JMESPath of the idempotency key; absent when idempotency is off. */
  idempotencyKey: 'STRATUS_IDEMPOTENCY_KEY',
  idempotencyTtlSeconds: 'STRATUS_IDEMPOTENCY_TTL_SECONDS',
  idempotencyTable: 'STRATUS_IDEMPOTENCY_TABLE',
  /**
   * JSON Schema file of the source topic's values; absent when the topic has none. Relative paths resolve
   * against LAMBDA_TASK_ROOT (the CDK copies the file into the function's bundle; environment variables are
   * capped at 4 KB, too small for schemas), absolute paths are used as they are (the local runtime).
   */
  schemaFile: 'STRATUS_SCHEMA_FILE',
  /** JSON Schema file of the output topic's values (processors); resolved like `schemaFile`. */
  outputSchemaFile: 'STRATUS_OUTPUT_SCHEMA_FILE',
  /**
   * JSON file `{ input: QualityRule[], output: QualityRule[] }`: the data-quality rules of the source topic and
   * of the output topic; absent when neither has rules. Resolved like `schemaFile`.
   */
  qualityRulesFile: 'STRATUS_QUALITY_RULES_FILE',
  /** Endpoint of the AWS emulator locally; absent on AWS. */
  awsEndpoint: 'AWS_ENDPOINT_URL',
} as const;

export type KafkaAuth = 'iam' | 'plaintext';

export interface ConsumerEnvironmentInput {
  tenant: string;
  consumer: string;
  sourceTopic: string;
  outputTopic?: string;
  dlqTopic?: string;
  kafkaBrokers: string;
  kafkaAuth: KafkaAuth;
  idempotency?: { key: string; ttlMs: number; table: string };
  schemaFile?: string;
  outputSchemaFile?: string;
  qualityRulesFile?: string;
  logLevel: string;
  awsEndpoint?: string;
}

/** The variables for one consumer function, Powertools' own included. */
export function consumerEnvironment(input: ConsumerEnvironmentInput): Record<string, string> {
  const env: Record<string, string> = {
    [FUNCTION_ENV.tenant]: input.tenant,
    [FUNCTION_ENV.consumer]: input.consumer,
    [FUNCTION_ENV.sourceTopic]: input.sourceTopic,
    [FUNCTION_ENV.kafkaBrokers]: input.kafkaBrokers,
    [FUNCTION_ENV.kafkaAuth]: input.kafkaAuth,
    // Powertools reads these: service = tenant, metrics namespace = Stratus.
    POWERTOOLS_SERVICE_NAME: input.tenant,
    POWERTOOLS_METRICS_NAMESPACE: 'Stratus',
    POWERTOOLS_LOG_LEVEL: input.logLevel,
  };
  if (input.outputTopic) env[FUNCTION_ENV.outputTopic] = input.outputTopic;
  if (input.dlqTopic) env[FUNCTION_ENV.dlqTopic] = input.dlqTopic;
  if (input.idempotency) {
    env[FUNCTION_ENV.idempotencyKey] = input.idempotency.key;
    env[FUNCTION_ENV.idempotencyTtlSeconds] = String(Math.ceil(input.idempotency.ttlMs / 1000));
    env[FUNCTION_ENV.idempotencyTable] = input.idempotency.table;
  }
  if (input.schemaFile) env[FUNCTION_ENV.schemaFile] = input.schemaFile;
  if (input.outputSchemaFile) env[FUNCTION_ENV.outputSchemaFile] = input.outputSchemaFile;
  if (input.qualityRulesFile) env[FUNCTION_ENV.qualityRulesFile] = input.qualityRulesFile;
  if (input.awsEndpoint) env[FUNCTION_ENV.awsEndpoint] = input.awsEndpoint;
  return env;
}

export interface ConsumerEnvironment {
  tenant: string;
  consumer: string;
  functionName: string;
  sourceTopic: string;
  outputTopic?: string;
  dlqTopic?: string;
  kafkaBrokers: string[];
  kafkaAuth: KafkaAuth;
  idempotency?: { key: string; ttlSeconds: number; table: string };
  schemaFile?: string;
  outputSchemaFile?: string;
  qualityRulesFile?: string;
}

/** Reads the contract back; names every missing or malformed variable at once. */
export function readConsumerEnvironment(env: NodeJS.ProcessEnv): ConsumerEnvironment {
  const problems: string[] = [];
  const required = (name: string): string => {
    const value = env[name];
    if (!value) problems.push(`${name} is not set`);
    return value ?? '';
  };
  const tenant = required(FUNCTION_ENV.tenant);
  const consumer = required(FUNCTION_ENV.consumer);
  const sourceTopic = required(FUNCTION_ENV.sourceTopic);
  const brokers = required(FUNCTION_ENV.kafkaBrokers);
  const auth = env[FUNCTION_ENV.kafkaAuth] ?? 'iam';
  if (auth !== 'iam' && auth !== 'plaintext')
    problems.push(`${FUNCTION_ENV.kafkaAuth} must be "iam" or "plaintext", got "${auth}"`);

  let idempotency: ConsumerEnvironment['idempotency'];
  const key = env[FUNCTION_ENV.idempotencyKey];
  if (key) {
    const ttlSeconds = Number(env[FUNCTION_ENV.idempotencyTtlSeconds] ?? '3600');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      problems.push(`${FUNCTION_ENV.idempotencyTtlSeconds} must be a positive integer`);
    idempotency = { key, ttlSeconds, table: required(FUNCTION_ENV.idempotencyTable) };
  }

  if (problems.length > 0)
    throw new Error(`Stratus function environment is incomplete: ${problems.join('; ')}`);
  return {
    tenant,
    consumer,
    functionName: consumerFunctionName(tenant, consumer),
    sourceTopic,
    outputTopic: env[FUNCTION_ENV.outputTopic] || undefined,
    dlqTopic: env[FUNCTION_ENV.dlqTopic] || undefined,
    kafkaBrokers: brokers.split(',').map((broker) => broker.trim()),
    kafkaAuth: auth as KafkaAuth,
    idempotency,
    schemaFile: env[FUNCTION_ENV.schemaFile] || undefined,
    outputSchemaFile: env[FUNCTION_ENV.outputSchemaFile] || undefined,
    qualityRulesFile: env[FUNCTION_ENV.qualityRulesFile] || undefined,
  };
}
