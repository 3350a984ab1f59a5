import { randomBytes } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { inject } from 'vitest';
import { awsClientConfig } from '../../lib/core/aws-client-config.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Bootstrap servers of the run's shared Kafka broker. */
    kafkaBrokers: string[];
    /** Endpoint of the run's shared AWS emulator. */
    awsEndpoint: string;
  }
}

export const TEST_REGION = 'eu-west-1';

/** The shared services started by test/global-setup.ts. */
export function testServices() {
  const brokers = inject('kafkaBrokers');
  const awsEndpoint = inject('awsEndpoint');
  return {
    brokers,
    awsEndpoint,
    aws: awsClientConfig({ region: TEST_REGION, endpoint: awsEndpoint }),
    kafka: (clientId = 'stratus-test') => new Kafka({ clientId, brokers, logLevel: logLevel.NOTHING }),
  };
}

/** A name no other test uses on the shared broker/emulator: `<prefix>-<8 hex>`. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}
