/**
 * The environment contract of a tenant's ingest Lambda and its API-key authorizer: the tenant stack sets these
 * (lib/aws/ingest-endpoint.ts), the platform functions read them (functions/platform/ingest-*.ts).
 */
import { FUNCTION_ENV, type KafkaAuth } from '../core/function-env.ts';

export const INGEST_ENV = {
  /** The ingest configuration (lib/ingest/ingest-config.ts), a JSON file in the bundle. */
  configFile: 'STRATUS_INGEST_CONFIG_FILE',
  kafkaBrokers: FUNCTION_ENV.kafkaBrokers,
  kafkaAuth: FUNCTION_ENV.kafkaAuth,
  /** Milliseconds a request waits for the broker's acknowledgement before answering 503. */
  deadlineMs: 'STRATUS_INGEST_DEADLINE_MS',
  /** ARN of the Secrets Manager secret holding the API key (authorizer, `auth: apiKey`). */
  apiKeySecret: 'STRATUS_INGEST_API_KEY_SECRET',
} as const;

/** File name of the ingest configuration inside the function bundle. */
export const BUNDLED_INGEST_CONFIG_FILE = 'stratus-ingest.json';

export interface IngestEnvironment {
  configFile: string;
  brokers: string[];
  auth: KafkaAuth;
  deadlineMs?: number;
}

/** Reads the contract; names every missing or malformed variable at once. */
export function readIngestEnvironment(env: NodeJS.ProcessEnv): IngestEnvironment {
  const problems: string[] = [];
  const configFile = env[INGEST_ENV.configFile];
  if (!configFile) problems.push(`${INGEST_ENV.configFile} is not set`);
  const brokers = (env[INGEST_ENV.kafkaBrokers] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
  if (brokers.length === 0) problems.push(`${INGEST_ENV.kafkaBrokers} is not set`);
  const auth = env[INGEST_ENV.kafkaAuth] ?? 'iam';
  if (auth !== 'iam' && auth !== 'plaintext')
    problems.push(`${INGEST_ENV.kafkaAuth} must be "iam" or "plaintext", got "${auth}"`);
  const deadline = env[INGEST_ENV.deadlineMs];
  const deadlineMs = deadline === undefined ? undefined : Number(deadline);
  if (deadlineMs !== undefined && (!Number.isInteger(deadlineMs) || deadlineMs <= 0))
    problems.push(`${INGEST_ENV.deadlineMs} must be a positive integer, got "${deadline}"`);
  if (problems.length > 0)
    throw new Error(`Stratus ingest environment is incomplete: ${problems.join('; ')}`);
  return { configFile: configFile!, brokers, auth: auth as KafkaAuth, deadlineMs };
}
