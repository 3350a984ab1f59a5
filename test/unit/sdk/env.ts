/** Function environments as the platform sets them (lib/core/function-env.ts), for SDK tests. */
import { type ConsumerEnvironmentInput, consumerEnvironment } from '../../../lib/core/function-env.ts';

export function functionEnv(overrides: Partial<ConsumerEnvironmentInput> = {}): NodeJS.ProcessEnv {
  return consumerEnvironment({
    tenant: 'shop',
    consumer: 'audit',
    sourceTopic: 'shop.orders',
    // Nothing listens here: a test that reaches Kafka by mistake fails instead of passing silently.
    kafkaBrokers: '127.0.0.1:1',
    kafkaAuth: 'plaintext',
    logLevel: 'INFO',
    ...overrides,
  });
}
