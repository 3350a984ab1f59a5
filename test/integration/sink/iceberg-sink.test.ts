import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { lakehouseBucketName } from '../../../lib/core/naming.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { startSink } from '../../../lib/local/sink/sink-runner.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { testServices } from '../../support/services.ts';
import { createTopic, enrichedOrder, produce, sessionView, sinkFixture, until } from './fixtures.ts';

describe('Iceberg sink, read back by pyiceberg', () => {
  it('delivers a partitioned table with unique keys into Glue + S3 on the emulator', async () => {
    const { kafka, aws } = testServices();
    const client = kafka('sink-iceberg-glue');
    const lakehouse = createLakehouse({ kind: 'aws', aws });
    const { topic, sink } = sinkFixture({
      tenant: 'payments',
      schemaFile: 'schemas/payments/order-enriched.schema.json',
      sink: {
        format: 'iceberg',
        partitionBy: [{ transform: 'day', field: 'createdAt' }],
        uniqueKeys: ['eventId'],
      },
    });
    await createTopic(client, topic);
    const orders = Array.from({ length: 60 }, (_, i) => enrichedOrder(i));
    // Two records the table cannot hold: not JSON, and a required field missing.
    await produce(client, topic.name, [...orders, 'not json', { ...orders[0], eventId: undefined }]);

    const running = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => running.stats().recordsIn === 62, 'the sink to read 62 records');
    await running.flush();
    const request = lakehouse.readerRequest(sink.database, sink.table);
    const first = await readTable(request);

    expect(first.rowCount).toBe(60);
    expect(new Set(first.rows!.map((r) => r.eventId))).toEqual(new Set(orders.map((o) => o.eventId)));
    const types = Object.fromEntries(first.schema!.map((f) => [f.name, [f.type, f.required]]));
    expect(types).toMatchObject({
      eventId: ['string', true],
      amount: ['double', true],
      itemCount: ['long', true],
      country: ['string', false],
      createdAt: ['timestamptz', true],
    });
    expect(first.identifierFieldIds).toEqual([1]);
    expect(first.partitionSpec).toEqual([
      { sourceId: 11, fieldId: 1000, name: 'createdAt_day', transform: 'day' },
    ]);
    expect(first.partitions).toHaveLength(3);
    // Microseconds survive (Date keeps only milliseconds).
    const zero = first.rows!.find((r) => r.eventId === orders[0]!.eventId)!;
    expect(zero.createdAt).toBe('2026-11-20T00:15:00.000250+00:00');
    expect(zero.country).toBe('FR');
    expect(first.rows!.find((r) => r.eventId === orders[1]!.eventId)!.country).toBeNull();
    const offsets = JSON.parse(first.snapshotSummary!['stratus.kafka-offsets']!) as Record<string, string>;
    expect(Object.values(offsets).reduce((sum, o) => sum + Number(o), 0)).toBe(62);
    expect(running.stats()).toMatchObject({
      rowsDelivered: 60,
      failedRecords: 2,
      commits: 1,
      bufferedRecords: 0,
    });

    // The two bad records are in the error prefix, as Firehose's error output.
    const s3 = new S3Client(aws);
    const listed = await s3.send(
      new ListObjectsV2Command({
        Bucket: lakehouseBucketName(),
        Prefix: `payments/errors/${sink.key}/processing-failed/`,
      }),
    );
    expect(listed.Contents).toHaveLength(1);
    const errorObject = await s3.send(
      new GetObjectCommand({ Bucket: lakehouseBucketName(), Key: listed.Contents![0]!.Key! }),
    );
    const errors = (await errorObject.Body!.transformToString())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { errorMessage: string; rawData: string });
    expect(errors.map((e) => e.errorMessage)).toEqual([
      expect.stringMatching(/not JSON/),
      'required field "eventId" is missing',
    ]);
    expect(Buffer.from(errors[0]!.rawData, 'base64').toString()).toBe('not json');

    // Partition values are right: a filter on one day plans only that day's file.
    const oneDay = await readTable({
      ...request,
      rowFilter: "createdAt >= '2026-11-22T00:00:00+00:00'",
      rows: false,
    });
    expect(oneDay).toMatchObject({ rowCount: 20, plannedFiles: 1 });

    // A second buffer is a second snapshot on top of the first.
    const more = Array.from({ length: 9 }, (_, i) => enrichedOrder(100 + i));
    await produce(client, topic.name, more);
    await until(() => running.stats().recordsIn === 71, 'the sink to read 9 more records');
    await running.stop();
    const second = await readTable({ ...request, rows: false });
    expect(second.rowCount).toBe(69);
    expect(second.snapshotSummary!['total-records']).toBe('69');
  });

  it('de-duplicates a buffer on the unique keys, keeping the last record', async () => {
    const { kafka } = testServices();
    const client = kafka('sink-iceberg-keys');
    const lakehouse = createLakehouse({ kind: 'directory', dir: mkdtempSync(path.join(os.tmpdir(), 'wh-')) });
    const { topic, sink } = sinkFixture({
      tenant: 'payments',
      schemaFile: 'schemas/payments/order-enriched.schema.json',
      partitions: 1,
      sink: { format: 'iceberg', uniqueKeys: ['eventId'] },
    });
    await createTopic(client, topic);
    const order = enrichedOrder(1);
    await produce(client, topic.name, [order, { ...order, riskBand: 'high' }, enrichedOrder(2)]);
    const running = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => running.stats().recordsIn === 3, 'the sink to read 3 records');
    await running.stop();
    const table = await readTable(lakehouse.readerRequest(sink.database, sink.table));
    expect(table.rowCount).toBe(2);
    expect(table.rows!.find((r) => r.eventId === order.eventId)!.riskBand).toBe('high');
  });

  it('resumes an unpartitioned local-directory table after a restart without re-adding rows', async () => {
    const { kafka } = testServices();
    const client = kafka('sink-iceberg-dir');
    const lakehouse = createLakehouse({ kind: 'directory', dir: mkdtempSync(path.join(os.tmpdir(), 'wh-')) });
    const { topic, sink } = sinkFixture({
      tenant: 'clickstream',
      schemaFile: 'schemas/clickstream/session-view.schema.json',
      sink: { format: 'iceberg' },
    });
    await createTopic(client, topic);
    await produce(
      client,
      topic.name,
      Array.from({ length: 30 }, (_, i) => sessionView(i)),
    );
    const first = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => first.stats().recordsIn === 30, 'the sink to read 30 records');
    await first.stop();

    await produce(
      client,
      topic.name,
      Array.from({ length: 5 }, (_, i) => sessionView(30 + i)),
    );
    const second = await startSink(sink, topic, { kafka: client, lakehouse });
    await until(() => second.stats().recordsIn === 5, 'the restarted sink to read the 5 new records');
    await second.stop();

    const table = await readTable(lakehouse.readerRequest(sink.database, sink.table));
    expect(table.partitionSpec).toEqual([]);
    expect(table.rows!.map((r) => r.eventId).sort()).toEqual(
      Array.from({ length: 35 }, (_, i) => `pv-${i}`).sort(),
    );
    expect(table.schema!.find((f) => f.name === 'referrerHost')).toMatchObject({
      type: 'string',
      required: false,
    });

    // Column bounds in the manifests are right: durationMs >= 300 only matches the second delivery's file,
    // and pyiceberg skips the first file on its bounds alone (0 … 290).
    const pruned = await readTable({
      ...lakehouse.readerRequest(sink.database, sink.table),
      rowFilter: 'durationMs >= 300',
    });
    expect(pruned.plannedFiles).toBe(1);
    expect(pruned.rows!.map((r) => r.eventId).sort()).toEqual(['pv-30', 'pv-31', 'pv-32', 'pv-33', 'pv-34']);
  });
});
