/**
 * The environment contract of a declared producer (a team's service using the producer SDK): the same variable
 * names as a function's for the brokers and their authentication (lib/core/function-env.ts), plus the producer's
 * name and, on AWS, the SSM parameter to read the brokers from when they are not given directly. The tenant
 * stack publishes those parameters (lib/core/naming.ts producerParameterNames); docs/producers.md shows how an
 * ECS task or an EKS pod sets these.
 */
import { FUNCTION_ENV, type KafkaAuth } from './function-env.ts';

export const PRODUCER_ENV = {
  tenant: FUNCTION_ENV.tenant,
  /** The producer's name in the manifest (`producers.<name>`). */
  producer: 'STRATUS_PRODUCER',
  kafkaBrokers: FUNCTION_ENV.kafkaBrokers,
  kafkaAuth: FUNCTION_ENV.kafkaAuth,
  /** Name of an SSM parameter holding the bootstrap brokers; read when STRATUS_KAFKA_BROKERS is not set. */
  brokersParameter: 'STRATUS_KAFKA_BROKERS_PARAMETER',
  /** Project root with the manifests and schemas (the topic's contract); defaults to the working directory. */
  projectRoot: 'STRATUS_PROJECT_ROOT',
  /** Region of the MSK IAM tokens and the SSM parameter. */
  region: 'AWS_REGION',
  /** Endpoint of an AWS emulator (SSM), as for every AWS SDK client. */
  awsEndpoint: FUNCTION_ENV.awsEndpoint,
} as const;

export interface ProducerEnvironment {
  producer?: string;
  brokers?: string[];
  /** Undefined when STRATUS_KAFKA_AUTH is not set. */
  auth?: KafkaAuth;
  brokersParameter?: string;
  projectRoot?: string;
  region?: string;
  awsEndpoint?: string;
}

/** Reads the contract; a malformed STRATUS_KAFKA_AUTH is an error, everything else is optional. */
export function readProducerEnvironment(env: NodeJS.ProcessEnv): ProducerEnvironment {
  const auth = env[PRODUCER_ENV.kafkaAuth] || undefined;
  if (auth !== undefined && auth !== 'iam' && auth !== 'plaintext')
    throw new Error(`${PRODUCER_ENV.kafkaAuth} must be "iam" or "plaintext", got "${auth}"`);
  const brokers = env[PRODUCER_ENV.kafkaBrokers]
    ?.split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  return {
    producer: env[PRODUCER_ENV.producer] || undefined,
    brokers: brokers && brokers.length > 0 ? brokers : undefined,
    auth,
    brokersParameter: env[PRODUCER_ENV.brokersParameter] || undefined,
    projectRoot: env[PRODUCER_ENV.projectRoot] || undefined,
    region: env[PRODUCER_ENV.region] || undefined,
    awsEndpoint: env[PRODUCER_ENV.awsEndpoint] || undefined,
  };
}
