/**
 * The Kafka producer a function writes outputs and dead letters with: one per container, created on first use,
 * idempotent (no duplicates from the producer's own retries), acks from all in-sync replicas.
 * On AWS it authenticates with MSK IAM (SASL OAUTHBEARER, token from aws-msk-iam-sasl-signer-js, TLS); locally
 * it speaks PLAINTEXT to the embedded broker. The environment chooses (STRATUS_KAFKA_AUTH).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { type ISocketFactory, Kafka, type KafkaConfig, logLevel } from 'kafkajs';
import type { KafkaAuth } from '../../lib/core/function-env.ts';
import { IdempotentProducer } from '../../lib/core/idempotent-producer.ts';
import { PRODUCER_CONFIG } from '../../lib/core/kafka-producer.ts';
import { loadMskIamSigner } from './companions.ts';
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
  /**
   * How connections to the brokers are opened (kafkajs' `socketFactory`), e.g. through a proxy.
   * @default kafkajs' own: `net.connect`, or `tls.connect` with MSK IAM
   */
  socketFactory?: ISocketFactory;
}

/** kafkajs client settings for the chosen authentication. */
export function kafkaClientConfig(options: KafkaPublisherOptions): KafkaConfig {
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.WARN,
    socketFactory: options.socketFactory,
    logCreator: () => (entry) => {
      // kafkajs' own timestamp is dropped: Powertools writes one, and warns about a second on every line.
      const { message, timestamp: _timestamp, ...extra } = entry.log;
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
        const { generateAuthToken } = await loadMskIamSigner();
        return { value: (await generateAuthToken({ region })).token };
      },
    };
  }
  return config;
}

/**
 * A publisher backed by one idempotent kafkajs producer, connected lazily and reused across invocations, and
 * replaced after a failed send (see lib/core/idempotent-producer.ts: otherwise a send whose answer was lost
 * leaves it refusing, or silently dropping, the function's later outputs).
 */
export function createKafkaPublisher(options: KafkaPublisherOptions): RecordPublisher {
  const producer = new IdempotentProducer(new Kafka(kafkaClientConfig(options)), PRODUCER_CONFIG);
  return {
    async publish(batches) {
      const topicMessages = batches.filter((batch) => batch.messages.length > 0);
      if (topicMessages.length === 0) return;
      try {
        await producer.sendBatch({ topicMessages, acks: -1 });
      } catch (error) {
        const count = topicMessages.reduce((sum, batch) => sum + batch.messages.length, 0);
        throw new OutputDeliveryError(
          `could not produce ${count} record(s) to ${topicMessages.map((b) => b.topic).join(', ')}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    close: () => producer.disconnect(),
  };
}
