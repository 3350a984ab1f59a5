import { describe, expect, it } from 'vitest';
import { kafkaClientConfig } from '../../../functions/sdk/producer.ts';

describe('kafka client configuration', () => {
  it('uses MSK IAM on AWS: TLS and SASL OAUTHBEARER with a token provider', () => {
    const config = kafkaClientConfig({
      clientId: 'stratus-payments-enrich-orders',
      brokers: ['b-1.stratus.kafka.eu-west-1.amazonaws.com:9098'],
      auth: 'iam',
      region: 'eu-west-1',
    });
    expect(config.ssl).toBe(true);
    expect(config.sasl).toMatchObject({
      mechanism: 'oauthbearer',
      oauthBearerProvider: expect.any(Function),
    });
    expect(config.clientId).toBe('stratus-payments-enrich-orders');
  });

  it('speaks PLAINTEXT to the local broker', () => {
    const config = kafkaClientConfig({ clientId: 'c', brokers: ['127.0.0.1:9092'], auth: 'plaintext' });
    expect(config.ssl).toBeUndefined();
    expect(config.sasl).toBeUndefined();
  });

  it('refuses IAM without a region to sign for', () => {
    const region = process.env.AWS_REGION;
    delete process.env.AWS_REGION;
    try {
      expect(() => kafkaClientConfig({ clientId: 'c', brokers: ['b:9098'], auth: 'iam' })).toThrow(
        /AWS_REGION/,
      );
    } finally {
      if (region !== undefined) process.env.AWS_REGION = region;
    }
  });
});
