/**
 * The kafkajs client an operations command talks to the cluster with: PLAINTEXT to the local broker, or MSK
 * IAM (SASL OAUTHBEARER over TLS, token from aws-msk-iam-sasl-signer-js) on AWS. The admin calls replay and
 * redrive make need the group and topic actions the tenant's IAM policy grants (DescribeGroup, AlterGroup,
 * ReadData, WriteData): https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html
 */
import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, type KafkaConfig, logLevel } from 'kafkajs';

export interface OpsKafkaOptions {
  brokers: string[];
  /**
   * `iam` for Amazon MSK with IAM access control (port 9098), `plaintext` for the local broker.
   * @default 'plaintext'
   */
  auth?: 'iam' | 'plaintext';
  /** Region the MSK IAM token is signed for (required with `auth: 'iam'`). */
  region?: string;
  /** @default 'stratus-ops' */
  clientId?: string;
}

export function opsKafkaConfig(options: OpsKafkaOptions): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId ?? 'stratus-ops',
    brokers: options.brokers,
    // Operations print their own, clearer errors; kafkajs' internal retries would only add noise.
    logLevel: logLevel.NOTHING,
  };
  if (options.auth === 'iam') {
    const region = options.region;
    if (!region) throw new Error('a region is needed to sign MSK IAM tokens');
    // https://github.com/aws/aws-msk-iam-sasl-signer-js#getting-started (kafkajs oauthbearer provider)
    config.ssl = true;
    config.sasl = {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
    };
  }
  return config;
}

export function opsKafka(options: OpsKafkaOptions): Kafka {
  return new Kafka(opsKafkaConfig(options));
}
