/**
 * Helpers for the SDK's integration tests against the run's real Kafka broker and AWS emulator (test/global-setup.ts).
 */
import { type AttributeValue, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import type { IHeaders, Kafka } from 'kafkajs';
import { vi } from 'vitest';
import { ensureIdempotencyTable } from '../../../lib/local/aws-resources.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import { TEST_REGION, testServices, uniqueName } from '../../support/services.ts';

export interface ConsumedMessage {
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/**
 * Points the process at the emulator the way the platform points a function at it: AWS_ENDPOINT_URL and a
 * region in the environment, nothing in code. The SDK's DynamoDB client must pick these up by itself.
 */
export function useEmulatorEnvironment(): void {
  const { awsEndpoint } = testServices();
  vi.stubEnv('AWS_ENDPOINT_URL', awsEndpoint);
  vi.stubEnv('AWS_REGION', TEST_REGION);
}

/** The idempotency table as the platform creates it (partition key `id`, TTL attribute `expiration`), by the platform's own code. */
export async function createIdempotencyTable(): Promise<{ table: string; client: DynamoDBClient }> {
  const { aws, awsEndpoint } = testServices();
  const table = await ensureIdempotencyTable(
    { endpoint: awsEndpoint, region: TEST_REGION },
    uniqueName('idempotency'),
  );
  return { table, client: new DynamoDBClient(aws) };
}

export async function scanTable(
  client: DynamoDBClient,
  table: string,
): Promise<Record<string, AttributeValue>[]> {
  return (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
}

export async function createTopics(
  kafka: Kafka,
  topics: Array<{
    topic: string;
    numPartitions?: number;
    configEntries?: Array<{ name: string; value: string }>;
  }>,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createTopicsReadable(
      admin,
      topics.map((t) => ({ numPartitions: 1, replicationFactor: 1, ...t })),
    );
  } finally {
    await admin.disconnect();
  }
}

/** Reads a topic from the beginning until `count` messages arrived (the test's timeout bounds the wait). */
export async function readMessages(kafka: Kafka, topic: string, count: number): Promise<ConsumedMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const messages: ConsumedMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve) => {
      if (count === 0) resolve();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          messages.push({
            partition,
            offset: message.offset,
            key: message.key?.toString('utf8') ?? null,
            value: message.value?.toString('utf8') ?? null,
            headers: headerStrings(message.headers),
          });
          if (messages.length >= count) resolve();
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** The latest offset of every partition of a topic summed: how many records it holds. */
/**
 * Records on a topic (high minus low watermark, all partitions). A broker that was just restarted answers
 * retriable errors (NOT_LEADER_OR_FOLLOWER) until its partitions are loaded: those are asked again for up
 * to 30 s, as a client of a restarted broker would.
 */
export async function topicSize(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (const deadline = Date.now() + 30_000; ; ) {
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.reduce((sum, p) => sum + Number(p.high) - Number(p.low), 0);
      } catch (error) {
        if (!(error as { retriable?: boolean }).retriable || Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  } finally {
    await admin.disconnect();
  }
}

function headerStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined) out[name] = Array.isArray(value) ? String(value.at(-1)) : value.toString();
  }
  return out;
}
