import { Logger } from '@aws-lambda-powertools/logger';
import { logLevel } from 'kafkajs';
import { describe, expect, it, vi } from 'vitest';
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

  it("hands kafkajs' log entries to the function's logger as structured lines, without a second timestamp", () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    // Powertools writes warnings and errors to stderr, the rest to stdout.
    const streams = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    for (const stream of streams) stream.mockImplementation(capture);
    try {
      const logger = new Logger({ serviceName: 'payments' });
      const config = kafkaClientConfig({
        clientId: 'c',
        brokers: ['127.0.0.1:9092'],
        auth: 'plaintext',
        logger,
      });
      // The entry as kafkajs' logger builds it (node_modules/kafkajs/src/loggers/index.js).
      config.logCreator!(logLevel.WARN)({
        namespace: 'Connection',
        level: logLevel.ERROR,
        label: 'ERROR',
        log: {
          timestamp: '2026-12-01T17:51:58.377Z',
          logger: 'kafkajs',
          message: 'Response Produce',
          broker: 'b:9092',
        },
      });
    } finally {
      for (const stream of streams) stream.mockRestore();
    }
    const entries = lines
      .join('')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(entries).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'kafkajs: Response Produce',
        kafkajs: 'Connection',
        broker: 'b:9092',
      }),
    ]);
    expect(entries[0].timestamp).not.toBe('2026-12-01T17:51:58.377Z');
  });
});
