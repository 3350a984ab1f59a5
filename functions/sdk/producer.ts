/**
 * The Kafka producer a function writes outputs and dead letters with: one per container, created on first use,
 * idempotent (no duplicates from the producer's own retries), acks from all in-sync replicas.
 * On AWS it authenticates with MSK IAM (SASL OAUTHBEARER, token from aws-msk-iam-sasl-signer-js, TLS); locally
 * it speaks PLAINTEXT to the embedded broker. The environment chooses (STRATUS_KAFKA_AUTH).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { Kafka, type KafkaConfig, logLevel, type Producer } from 'kafkajs';
import type { KafkaAuth } from '../../lib/core/function-env.ts';
import { PRODUCER_CONFIG } from '../../lib/core/kafka-producer.ts';
import { OutputDeliveryError } from './errors.ts';
import type { OutgoingMessage } from './output.ts';

/** Where the SDK sends outputs and dead letters. */
export interface RecordPublisher {
  /** Resolves once the broker has acknowledged every message (acks=all); rejects if any is not written. */
  publish(batches: ReadonlyArray<{ topic: string; messages: OutgoingMessage[] }>): Promise<void>;
  /** Disconnects; the next `publish` connects again. */
  close(): Promise<void>;
}

export interface KafkaPublisherOptions {
  clientId: string;
  brokers: string[];
  auth: KafkaAuth;
  /**
   * Region the MSK IAM token is signed for.
   * @default process.env.AWS_REGION
   */
  region?: string;
  /** kafkajs warnings and errors go here as structured lines. */
  logger?: Logger;
}

/** kafkajs client settings for the chosen authentication. */
export function kafkaClientConfig(options: KafkaPublisherOptions): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...extra } = entry.log;
      const line = { kafkajs: entry.namespace, ...extra };
      if (entry.level <= logLevel.ERROR) options.logger?.error(`kafkajs: ${message}`, line);
      else options.logger?.warn(`kafkajs: ${message}`, line);
    },
  };
  if (options.auth === 'iam') {
    const region = options.region ?? process.env.AWS_REGION;
    if (!region) throw new Error('AWS_REGION must be set to sign MSK IAM tokens');
    // https://github.com/aws/aws-msk-iam-sasl-signer-js#getting-started (kafkajs oauthbearer provider)
    config.ssl = true;
    config.sasl = {
      mechanism: 'oauthbearer',
      // Loaded on the first token request: the signer pulls in @aws-sdk/credential-providers and the STS
      // client (about 100 ms of a cold start), which a function on the plaintext local broker never needs.
      oauthBearerProvider: async () => {
        const { generateAuthToken } = await import('aws-msk-iam-sasl-signer-js');
        return { value: (await generateAuthToken({ region })).token };
      },
    };
  }
  return config;
}

/** A publisher backed by one idempotent kafkajs producer, connected lazily and reused across invocations. */
export function createKafkaPublisher(options: KafkaPublisherOptions): RecordPublisher {
  const kafka = new Kafka(kafkaClientConfig(options));
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;

  const connected = (): Promise<Producer> => {
    connecting ??= (async () => {
      const created = kafka.producer(PRODUCER_CONFIG);
      await created.connect();
      producer = created;
      return created;
    })().catch((error) => {
      connecting = undefined;
      throw error;
    });
    return connecting;
  };

  return {
    async publish(batches) {
      const topicMessages = batches.filter((batch) => batch.messages.length > 0);
      if (topicMessages.length === 0) return;
      try {
        await (await connected()).sendBatch({ topicMessages, acks: -1 });
      } catch (error) {
        const count = topicMessages.reduce((sum, batch) => sum + batch.messages.length, 0);
        throw new OutputDeliveryError(
          `could not produce ${count} record(s) to ${topicMessages.map((b) => b.topic).join(', ')}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    async close() {
      const current = producer;
      producer = undefined;
      connecting = undefined;
      await current?.disconnect();
    },
  };
}
