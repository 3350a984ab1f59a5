/**
 * The cold-start benchmark (bench/cold-start.bench.ts) compares the bundled payments enrich-orders handler with
 * the same handler written bare (bench/fixtures/bare-enrich-orders.ts). The comparison only means something if
 * both do the same work: here both are bundled as the CDK bundles them, invoked in fresh Node.js processes with
 * the same MSK event of generated orders (created, updated and cancelled), and must produce the same records
 * (key, partition, value apart from the enrichment time) to the real broker; with idempotency on, a second
 * delivery of the same event must produce nothing more from either.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BUNDLED_OUTPUT_SCHEMA_FILE, BUNDLED_SCHEMA_FILE } from '../../../lib/aws/kafka-consumer.ts';
import { consumerEnvironment } from '../../../lib/core/function-env.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/load.ts';
import { bundleFunction, invokeInFreshProcess } from '../../support/bundled-function.ts';
import { orderEvent } from '../../support/order-events.ts';
import { TEST_REGION, testServices, uniqueName } from '../../support/services.ts';
import { createIdempotencyTable, createTopics, readMessages, topicSize } from './helpers.ts';

const spec = loadStratusOrThrow();
const root = spec.platform.rootDir;
const payments = spec.tenants.find((t) => t.name === 'payments')!;
const consumer = payments.consumers.find((c) => c.key === 'enrich-orders')!;
const source = payments.topics.find((t) => t.key === consumer.topicKey)!;
const target = payments.topics.find((t) => t.key === consumer.outputKey)!;
const VARIANTS = {
  stratus: 'functions/payments/enrich-orders.ts',
  bare: 'bench/fixtures/bare-enrich-orders.ts',
} as const;
type VariantName = keyof typeof VARIANTS;

let kafka: Kafka;
const dirs = {} as Record<VariantName, string>;
/** One name per variant for the whole file: the bare handler prefixes its idempotency keys with it. */
const functionNames = { stratus: uniqueName('enrich-stratus'), bare: uniqueName('enrich-bare') };

beforeAll(async () => {
  kafka = testServices().kafka('bare-equivalence-test');
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'stratus-bare-equivalence-'));
  for (const name of Object.keys(VARIANTS) as VariantName[]) {
    dirs[name] = path.join(scratch, name);
    await bundleFunction({
      root,
      entry: VARIANTS[name],
      dir: dirs[name],
      schemaFile: source.schemaFile,
      outputSchemaFile: target.schemaFile,
    });
  }
});

/** Invokes `variant` once, cold, producing to `output`. */
async function invoke(
  variant: VariantName,
  output: string,
  event: ReturnType<typeof orderEvent>,
  table?: string,
): Promise<void> {
  const { awsEndpoint, brokers } = testServices();
  const run = await invokeInFreshProcess({
    dir: dirs[variant],
    event,
    env: {
      PATH: process.env.PATH,
      ...consumerEnvironment({
        tenant: payments.name,
        consumer: consumer.key,
        sourceTopic: consumer.topic,
        outputTopic: output,
        kafkaBrokers: brokers.join(','),
        kafkaAuth: 'plaintext',
        idempotency: table && consumer.idempotency ? { ...consumer.idempotency, table } : undefined,
        schemaFile: BUNDLED_SCHEMA_FILE,
        outputSchemaFile: BUNDLED_OUTPUT_SCHEMA_FILE,
        logLevel: 'WARN',
        awsEndpoint,
      }),
      LAMBDA_TASK_ROOT: dirs[variant],
      AWS_LAMBDA_FUNCTION_NAME: functionNames[variant],
      AWS_REGION: TEST_REGION,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      NODE_PATH: path.join(root, 'node_modules'),
    },
  });
  expect(run.result).toEqual({ batchItemFailures: [] });
}

/** What both must agree on: key, partition, and the value without its enrichment time. */
async function outputs(topic: string, count: number) {
  const messages = await readMessages(kafka, topic, count);
  return messages
    .map((m) => {
      const { enrichedAt, ...value } = JSON.parse(m.value!) as Record<string, unknown>;
      expect(typeof enrichedAt).toBe('string');
      return { key: m.key, partition: m.partition, value };
    })
    .sort((a, b) => String(a.value.eventId).localeCompare(String(b.value.eventId)));
}

async function outputTopics(): Promise<Record<VariantName, string>> {
  const topics = { stratus: uniqueName('enriched-stratus'), bare: uniqueName('enriched-bare') };
  await createTopics(kafka, [
    { topic: topics.stratus, numPartitions: target.partitions },
    { topic: topics.bare, numPartitions: target.partitions },
  ]);
  return topics;
}

describe('the bare enrich-orders baseline of the cold-start benchmark', () => {
  it('produces what the Stratus handler produces for the same event', async () => {
    const topics = await outputTopics();
    const event = orderEvent({ topic: source, count: 60, seed: 13, bootstrapServers: '' });
    const values = Object.values(event.records)
      .flat()
      .map((r) => JSON.parse(Buffer.from(r.value!, 'base64').toString('utf8')) as { type: string });
    const expected = values.filter((v) => v.type !== 'order.cancelled').length;
    // The generator's mix, so the comparison covers drops as well as outputs.
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(values.length);

    await invoke('stratus', topics.stratus, event);
    await invoke('bare', topics.bare, event);
    const fromStratus = await outputs(topics.stratus, expected);
    expect(fromStratus).toHaveLength(expected);
    expect(await outputs(topics.bare, expected)).toEqual(fromStratus);
    expect(await topicSize(kafka, topics.stratus)).toBe(expected);
    expect(await topicSize(kafka, topics.bare)).toBe(expected);
  });

  it('with idempotency, neither produces again for a redelivered event', async () => {
    const topics = await outputTopics();
    const { table } = await createIdempotencyTable();
    const event = orderEvent({ topic: source, count: 30, seed: 21, bootstrapServers: '', createdOnly: true });
    for (const variant of ['stratus', 'bare'] as const) {
      await invoke(variant, topics[variant], event, table);
      await invoke(variant, topics[variant], event, table);
    }
    expect(await outputs(topics.bare, 30)).toEqual(await outputs(topics.stratus, 30));
    expect(await topicSize(kafka, topics.stratus)).toBe(30);
    expect(await topicSize(kafka, topics.bare)).toBe(30);
  });
});
