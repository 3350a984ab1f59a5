/**
 * `stratus replay` against a running pipeline, wired as `stratus dev` wires it: the event-source emulator feeds
 * an SDK processor (idempotency on, DynamoDB on moto), its outputs go to a topic an Iceberg sink delivers to a
 * table, and the replay pauses the consumer through the runtime's HTTP control routes.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defineProcessor, type KafkaRecord } from '../../../functions/sdk/index.ts';
import { consumerEnvironment } from '../../../lib/core/function-env.ts';
import { writeControlToken } from '../../../lib/local/control-token.ts';
import type { EventSourceMapping } from '../../../lib/local/event-source/index.ts';
import { ObservabilityServer } from '../../../lib/local/observability/server.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { type RunningSink, startSink } from '../../../lib/local/sink/sink-runner.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { statePaths } from '../../../lib/local/state-dir.ts';
import { consumerControlRoutes } from '../../../lib/ops/consumer-control.ts';
import { TEST_REGION, testServices } from '../../support/services.ts';
import { createIdempotencyTable } from '../sdk/helpers.ts';
import { until } from '../sink/fixtures.ts';
import { runCli } from './cli.ts';
import { startEmulatedConsumer } from './emulated-consumer.ts';
import { createOpsProject, type OpsProject, recordsIn } from './project.ts';

const RECORDS = 1000;
const ID_BASE = 1000;
const base = Date.now() - 2 * 60 * 60 * 1000;
const timeOf = (i: number) => new Date(base + i * 1000);
const OUT_SCHEMA = {
  type: 'object',
  required: ['id', 'amount'],
  properties: { id: { type: 'integer' }, amount: { type: 'number' } },
};

const { kafka, brokers, awsEndpoint } = testServices();
const client: Kafka = kafka('replay-pipeline');

describe('stratus replay against a running pipeline', () => {
  let project: OpsProject;
  let mapping: EventSourceMapping;
  let server: ObservabilityServer;
  let sink: RunningSink;
  let readRequest: Record<string, unknown>;
  const delivered: number[] = [];
  const handled: number[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    // The function finds DynamoDB the way the platform points it there: through the environment.
    vi.stubEnv('AWS_ENDPOINT_URL', awsEndpoint);
    vi.stubEnv('AWS_REGION', TEST_REGION);
    if (!process.env.AWS_ACCESS_KEY_ID) {
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'stratus-local');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'stratus-local');
    }
    const { table } = await createIdempotencyTable();
    project = await createOpsProject(client, brokers, {
      extraTopics: ['out: { partitions: 2, retention: 1d, schema: schemas/out.schema.json }'],
      consumerExtra: ['output: out', 'idempotency: { key: value.id, ttl: 1h }'],
      extraYaml:
        'sinks:\n  lake:\n    topic: out\n    format: iceberg\n    buffer: { size: 1MiB, interval: 15m }\n',
      files: { 'schemas/out.schema.json': JSON.stringify(OUT_SCHEMA) },
    });
    const consumer = project.tenant.consumers[0]!;
    const producer = client.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: consumer.topic,
      messages: Array.from({ length: RECORDS }, (_, i) => ({
        key: `order-${i}`,
        // Ids from 1000: Powertools treats a falsy idempotency key (id 0) as missing.
        value: JSON.stringify({ id: ID_BASE + i }),
        timestamp: String(timeOf(i).getTime()),
      })),
    });
    await producer.disconnect();

    const handler = defineProcessor<{ id: number }, { id: number; amount: number }>({
      env: consumerEnvironment({
        tenant: project.tenant.name,
        consumer: consumer.key,
        sourceTopic: consumer.topic,
        outputTopic: consumer.output,
        dlqTopic: consumer.onFailureTopic,
        kafkaBrokers: brokers.join(','),
        kafkaAuth: 'plaintext',
        idempotency: { key: 'value.id', ttlMs: 3_600_000, table },
        logLevel: 'ERROR',
      }),
      handler: (record: KafkaRecord<{ id: number }>) => {
        handled.push(record.value.id);
        return { id: record.value.id, amount: record.value.id * 1.5 };
      },
    });
    closers.push(() => handler.stratus.close());
    mapping = await startEmulatedConsumer(client, brokers, consumer, handler, (event) => {
      for (const records of Object.values(event.records))
        for (const record of records)
          delivered.push(
            (JSON.parse(Buffer.from(record.value ?? '', 'base64').toString()) as { id: number }).id,
          );
    });
    closers.push(() => mapping.stop());
    // The runtime's metrics server with the control routes, as `stratus dev` mounts them.
    server = await ObservabilityServer.start({ port: 0 });
    server.use(consumerControlRoutes((groupId) => (groupId === consumer.groupId ? mapping : undefined)));
    // …and its token where `stratus dev` writes it, for `stratus replay` to read.
    writeControlToken(statePaths(project.spec.platform).controlToken, server.controlToken);
    closers.push(() => server.close());

    const lakehouse = createLakehouse({
      kind: 'directory',
      dir: mkdtempSync(path.join(os.tmpdir(), 'stratus-lake-')),
    });
    const sinkSpec = project.tenant.sinks[0]!;
    const sinkTopic = project.tenant.topics.find((topic) => topic.name === sinkSpec.topic)!;
    sink = await startSink(sinkSpec, sinkTopic, { kafka: client, lakehouse });
    closers.push(() => sink.stop());
    readRequest = lakehouse.readerRequest(sinkSpec.database, sinkSpec.table);

    await mapping.drained({ timeoutMs: 120_000 });
    await until(() => sink.stats().recordsIn === RECORDS, 'the sink to read every output');
    await sink.flush();
  });

  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  });

  it('re-delivers exactly the records after --from, twice over; idempotency keeps the sink free of duplicates', async () => {
    expect(handled).toHaveLength(RECORDS);
    const consumer = project.tenant.consumers[0]!;
    for (const round of [1, 2]) {
      delivered.length = 0;
      handled.length = 0;
      const result = await runCli(
        project,
        [
          'replay',
          '--tenant',
          project.tenant.name,
          '--consumer',
          'enrich',
          '--from',
          timeOf(500).toISOString(),
          '--yes',
        ],
        ['--brokers', brokers.join(','), '--runtime-url', server.url],
      );
      expect(result.err, `round ${round}`).toBe('');
      expect(result.code).toBe(0);
      expect(result.out).toContain(`paused ${consumer.groupId} in \`stratus dev\` (pid ${process.pid})`);
      expect(result.out).toContain(`${RECORDS / 2} records will be processed again.`);
      expect(result.out).toContain(`Resumed ${consumer.groupId}.`);

      await mapping.drained({ timeoutMs: 120_000 });
      expect(delivered.sort((a, b) => a - b)).toEqual(
        Array.from({ length: RECORDS / 2 }, (_, i) => ID_BASE + 500 + i),
      );
      // Every re-delivered record was already COMPLETED in the idempotency table: the handler did not run again
      // and nothing new reached the output topic.
      expect(handled).toEqual([]);
      expect(await recordsIn(client, consumer.output!)).toBe(RECORDS);
    }

    await sink.flush();
    const table = await readTable(readRequest);
    expect(table.rowCount).toBe(RECORDS);
    expect(new Set(table.rows!.map((row) => row.id)).size).toBe(RECORDS);
  });
});
