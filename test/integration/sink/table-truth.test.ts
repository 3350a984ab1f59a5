/**
 * The table's committed offsets (its snapshot summary) are the truth, not the sink group's: a table rebuilt
 * from an empty catalog, while Kafka kept the group's offsets, refills from Kafka instead of staying empty.
 * The table is really dropped from Glue (and its files from S3) between two runs of the same sink.
 */

import { DeleteTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { DeleteObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { icebergTablePrefix, lakehouseBucketName, sinkGroupId } from '../../../lib/core/naming.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { startSink } from '../../../lib/local/sink/sink-runner.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { testServices } from '../../support/services.ts';
import { createTopic, enrichedOrder, produce, sinkFixture, until } from './fixtures.ts';

describe('sink: the table is the truth', () => {
  it('re-reads from the table’s offsets when the group is ahead of a table rebuilt empty', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-table-truth');
    const { topic, sink } = sinkFixture({
      tenant: 'payments',
      schemaFile: 'schemas/payments/order-enriched.schema.json',
      sink: { format: 'iceberg', uniqueKeys: ['eventId'] },
    });
    await createTopic(client, topic);
    const orders = Array.from({ length: 45 }, (_, i) => enrichedOrder(i));
    await produce(client, topic.name, orders);

    const first = await startSink(sink, topic, {
      kafka: client,
      lakehouse: createLakehouse({ kind: 'aws', aws }),
    });
    await until(() => first.stats().recordsIn === 45, 'the first run to read 45 records');
    await first.stop();
    const admin = client.admin();
    await admin.connect();
    const [committed] = await admin.fetchOffsets({
      groupId: sinkGroupId(sink.tenant, sink.key),
      topics: [topic.name],
    });
    expect(committed!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(45);

    // The catalog loses the table (and S3 its files), Kafka keeps the group: what a state reset or a new
    // catalog looks like to the sink.
    await new GlueClient(aws).send(new DeleteTableCommand({ DatabaseName: sink.database, Name: sink.table }));
    const s3 = new S3Client(aws);
    const listed = await s3.send(
      new ListObjectsV2Command({
        Bucket: lakehouseBucketName(),
        Prefix: `${icebergTablePrefix(sink.tenant, sink.table)}/`,
      }),
    );
    expect(listed.Contents?.length ?? 0).toBeGreaterThan(0);
    await s3.send(
      new DeleteObjectsCommand({
        Bucket: lakehouseBucketName(),
        Delete: { Objects: listed.Contents!.map((object) => ({ Key: object.Key! })) },
      }),
    );

    // A second run of the same sink with one more record: it must hold all 46, not just the new one.
    await produce(client, topic.name, [enrichedOrder(45)]);
    const lines: string[] = [];
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const second = await startSink(sink, topic, {
      kafka: client,
      lakehouse,
      log: (line) => lines.push(line),
    });
    expect(lines.join('\n')).toMatch(/holds less than group .* reading again from the table's offsets/);
    await until(() => second.stats().recordsIn === 46, 'the second run to read all 46 records again');
    await second.stop();
    const table = await readTable(lakehouse.readerRequest(sink.database, sink.table));
    expect(table.rowCount).toBe(46);
    expect(new Set(table.rows!.map((row) => row.eventId)).size).toBe(46);
    const [after] = await admin.fetchOffsets({
      groupId: sinkGroupId(sink.tenant, sink.key),
      topics: [topic.name],
    });
    expect(after!.partitions.reduce((sum, p) => sum + Number(p.offset), 0)).toBe(46);
    await admin.disconnect();
  });

  it('leaves a group that is behind the table alone (the table skips what it holds)', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-table-truth-2');
    const { topic, sink } = sinkFixture({
      tenant: 'payments',
      schemaFile: 'schemas/payments/order-enriched.schema.json',
      sink: { format: 'iceberg' },
    });
    await createTopic(client, topic);
    await produce(
      client,
      topic.name,
      Array.from({ length: 12 }, (_, i) => enrichedOrder(i)),
    );
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const first = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => first.stats().recordsIn === 12, 'the first run to read 12 records');
    await first.stop();
    const lines: string[] = [];
    const second = await startSink(sink, topic, {
      kafka: client,
      lakehouse,
      log: (line) => lines.push(line),
    });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    await second.stop();
    expect(lines.join('\n')).not.toMatch(/reading again/);
    expect(second.stats().recordsIn).toBe(0);
    expect((await readTable(lakehouse.readerRequest(sink.database, sink.table))).rowCount).toBe(12);
  });

  it('never writes a second row for a unique key the table holds, in later deliveries or after a restart', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-table-keys');
    const { topic, sink } = sinkFixture({
      tenant: 'payments',
      schemaFile: 'schemas/payments/order-enriched.schema.json',
      sink: {
        format: 'iceberg',
        uniqueKeys: ['eventId'],
        partitionBy: [{ transform: 'day', field: 'createdAt' }],
      },
    });
    await createTopic(client, topic);
    const orders = Array.from({ length: 12 }, (_, i) => enrichedOrder(i));
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const rows = async () => readTable(lakehouse.readerRequest(sink.database, sink.table));

    await produce(client, topic.name, orders.slice(0, 10));
    const first = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => first.stats().recordsIn === 10, 'the first 10 records');
    await first.flush();
    // A processor that ran three records again after a crash writes their outputs again, plus two new ones.
    await produce(client, topic.name, [...orders.slice(0, 3), ...orders.slice(10, 12)]);
    await until(() => first.stats().recordsIn === 15, 'the next 5 records');
    await first.stop();
    expect((await rows()).rowCount).toBe(12);

    // A new sink process learns the keys from the table's data files.
    await produce(client, topic.name, [orders[4]!, orders[11]!]);
    const second = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => second.stats().recordsIn === 2, 'the repeated 2 records');
    await second.stop();
    const table = await rows();
    expect(table.rowCount).toBe(12);
    expect(new Set(table.rows!.map((row) => row.eventId))).toEqual(new Set(orders.map((o) => o.eventId)));
  });
});
