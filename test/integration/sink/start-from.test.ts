/**
 * A sink's `startFrom`, as Firehose's MSKSourceConfiguration.ReadFromTimestamp: unset (`latest`) starts at
 * the moment the stream is active, a time starts at the first record at or after it, and either applies only
 * while the group has no committed offsets (a restarted sink resumes).
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_MSKSourceConfiguration.html
 */
import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { startSink } from '../../../lib/local/sink/sink-runner.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { testServices } from '../../support/services.ts';
import { createTopic, produce, sessionView, sinkFixture, until } from './fixtures.ts';

async function produceAt(kafka: Kafka, topic: string, values: unknown[], timestampMs: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  await producer.send({
    topic,
    messages: values.map((value, i) => ({
      key: String(i),
      value: JSON.stringify(value),
      timestamp: String(timestampMs),
    })),
  });
  await producer.disconnect();
}

const ids = (rows: Array<Record<string, unknown>> | undefined) => (rows ?? []).map((r) => r.eventId).sort();

describe('sink startFrom (Firehose ReadFromTimestamp)', () => {
  it('latest: records produced before the sink existed never land; a restart resumes, not re-starts', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-start-latest');
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const { topic, sink } = sinkFixture({
      tenant: 'clickstream',
      schemaFile: 'schemas/clickstream/session-view.schema.json',
      sink: { format: 'json', startFrom: 'latest' },
    });
    await createTopic(client, topic);
    await produce(client, topic.name, [0, 1, 2, 3, 4].map(sessionView));
    const first = await startSink(sink, topic, { kafka: client, lakehouse });
    await produce(client, topic.name, [5, 6, 7].map(sessionView));
    await until(() => first.stats().recordsIn === 3, 'the sink to read the 3 later records');
    await first.stop();

    // Produced while the sink is down: a sink that re-applied "latest" would skip them.
    await produce(client, topic.name, [8, 9].map(sessionView));
    const second = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => second.stats().recordsIn === 2, 'the restarted sink to read the 2 records it missed');
    await second.stop();

    const read = await readTable(lakehouse.objectsReaderRequest(sink.prefix));
    expect(ids(read.rows)).toEqual(['pv-5', 'pv-6', 'pv-7', 'pv-8', 'pv-9']);
  });

  it('a time: starts at the first record at or after it, by record timestamp', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-start-time');
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const startFromTimestamp = Date.UTC(2026, 0, 1);
    const { topic, sink } = sinkFixture({
      tenant: 'clickstream',
      schemaFile: 'schemas/clickstream/session-view.schema.json',
      partitions: 2,
      sink: { format: 'json', startFrom: 'timestamp', startFromTimestamp },
    });
    await createTopic(client, topic);
    await produceAt(client, topic.name, [0, 1, 2, 3].map(sessionView), startFromTimestamp - 3_600_000);
    await produceAt(client, topic.name, [4, 5, 6].map(sessionView), startFromTimestamp);
    await produceAt(client, topic.name, [7].map(sessionView), startFromTimestamp + 60_000);
    const running = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => running.stats().recordsIn === 4, 'the sink to read the 4 records from the start time');
    await running.stop();

    const read = await readTable(lakehouse.objectsReaderRequest(sink.prefix));
    expect(ids(read.rows)).toEqual(['pv-4', 'pv-5', 'pv-6', 'pv-7']);
    expect(running.stats().recordsIn).toBe(4);
  });
});
