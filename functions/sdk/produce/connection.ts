/**
 * Where a producer connects, chosen the same way everywhere so a service runs unchanged on AWS and locally:
 *  1. brokers passed in code, else STRATUS_KAFKA_BROKERS (authentication from STRATUS_KAFKA_AUTH, `iam` when
 *     unset — as for functions);
 *  2. else STRATUS_KAFKA_BROKERS_PARAMETER: an SSM parameter the tenant stack publishes, read once (MSK IAM);
 *  3. else the local runtime of the project whose manifests the producer read (`stratus dev`'s broker on
 *     127.0.0.1:<local.kafkaPort>, PLAINTEXT).
 */
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import type { KafkaAuth } from '../../../lib/core/function-env.ts';
import { PRODUCER_ENV, type ProducerEnvironment } from '../../../lib/core/producer-env.ts';
import { StratusConfigurationError } from '../errors.ts';

export interface ProducerConnection {
  brokers: string[];
  auth: KafkaAuth;
  /** Where the brokers came from, for the log line and errors. */
  source: string;
}

export interface ConnectionInput {
  brokers?: string[];
  auth?: KafkaAuth;
  env: ProducerEnvironment;
  /** The local runtime's brokers, when the project's manifests were read. */
  localBrokers?: string[];
  /** @default AWS_REGION of `env` */
  region?: string;
}

export async function resolveConnection(input: ConnectionInput): Promise<ProducerConnection> {
  const { env } = input;
  if (input.brokers && input.brokers.length > 0)
    return { brokers: input.brokers, auth: input.auth ?? env.auth ?? 'iam', source: 'the brokers option' };
  if (env.brokers)
    return { brokers: env.brokers, auth: input.auth ?? env.auth ?? 'iam', source: PRODUCER_ENV.kafkaBrokers };
  if (env.brokersParameter) {
    const brokers = await brokersFromParameter(
      env.brokersParameter,
      input.region ?? env.region,
      env.awsEndpoint,
    );
    return {
      brokers,
      auth: input.auth ?? env.auth ?? 'iam',
      source: `SSM parameter ${env.brokersParameter}`,
    };
  }
  if (input.localBrokers)
    return {
      brokers: input.localBrokers,
      auth: input.auth ?? env.auth ?? 'plaintext',
      source: "the project's local runtime (stratus dev)",
    };
  throw new StratusConfigurationError(
    `no brokers: set ${PRODUCER_ENV.kafkaBrokers} (and ${PRODUCER_ENV.kafkaAuth}), or ${PRODUCER_ENV.brokersParameter} to the SSM parameter the tenant stack publishes, or pass brokers`,
  );
}

async function brokersFromParameter(
  name: string,
  region: string | undefined,
  endpoint: string | undefined,
): Promise<string[]> {
  if (!region)
    throw new StratusConfigurationError(`AWS_REGION must be set to read the SSM parameter ${name}`);
  const { SSMClient, GetParameterCommand } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient(awsClientConfig({ region, endpoint }));
  try {
    const { Parameter } = await client.send(new GetParameterCommand({ Name: name }));
    const brokers = (Parameter?.Value ?? '')
      .split(',')
      .map((broker) => broker.trim())
      .filter(Boolean);
    if (brokers.length === 0) throw new Error('the parameter is empty');
    return brokers;
  } catch (error) {
    throw new StratusConfigurationError(
      `cannot read the bootstrap brokers from SSM parameter ${name} (${PRODUCER_ENV.brokersParameter}): ${(error as Error).message}`,
    );
  } finally {
    client.destroy();
  }
}
