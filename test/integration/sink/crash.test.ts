import { spawn } from 'node:child_process';
import path from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { icebergTablePrefix, lakehouseBucketName, sinkGroupId } from '../../../lib/core/naming.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { startSink } from '../../../lib/local/sink/sink-runner.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { TEST_REGION, testServices } from '../../support/services.ts';
import { createTopic, enrichedOrder, produce, sinkFixture, until } from './fixtures.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** Runs crash-child.ts and resolves with the signal that ended it. */
function runCrashingSink(request: Record<string, unknown>): Promise<NodeJS.Signals | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(import.meta.dirname, 'crash-child.ts'), JSON.stringify(request)],
      { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      signal ? resolve(signal) : reject(new Error(`child exited with ${code}: ${stderr.slice(-2000)}`)),
    );
  });
}

describe('Iceberg sink crash safety', () => {
  for (const crashAt of ['data-written', 'table-committed'] as const) {
    it(`a kill after ${crashAt === 'data-written' ? 'the data files, before the table commit' : 'the table commit, before the Kafka commit'} leaves the table consistent and every record in it exactly once`, async () => {
      const { kafka, aws, brokers, awsEndpoint } = testServices();
      const client = kafka(`sink-crash-${crashAt}`);
      const lakehouse = createLakehouse({ kind: 'aws', aws });
      const { topic, sink } = sinkFixture({
        tenant: 'payments',
        schemaFile: 'schemas/payments/order-enriched.schema.json',
        sink: { format: 'iceberg', partitionBy: [{ transform: 'day', field: 'createdAt' }] },
      });
      await createTopic(client, topic);
      const orders = Array.from({ length: 40 }, (_, i) => enrichedOrder(i));
      await produce(client, topic.name, orders);

      const signal = await runCrashingSink({
        brokers,
        awsEndpoint,
        region: TEST_REGION,
        sink,
        topic,
        records: orders.length,
        crashAt,
      });
      expect(signal).toBe('SIGKILL');

      const request = lakehouse.readerRequest(sink.database, sink.table);
      const afterCrash = await readTable({ ...request, rows: false });
      const admin = client.admin();
      await admin.connect();
      const groupOffsets = async () =>
        (await admin.fetchOffsets({ groupId: sinkGroupId(sink.tenant, sink.key), topics: [topic.name] }))[0]!
          .partitions;
      // The group never committed: the records will be delivered again.
      expect((await groupOffsets()).every((p) => p.offset === '-1')).toBe(true);
      if (crashAt === 'data-written') {
        // Data files exist, but no snapshot references them: readers see an empty table.
        expect(afterCrash.rowCount).toBe(0);
        const listed = await new S3Client(aws).send(
          new ListObjectsV2Command({
            Bucket: lakehouseBucketName(),
            Prefix: `${icebergTablePrefix(sink.tenant, sink.table)}/data/`,
          }),
        );
        expect(listed.KeyCount).toBeGreaterThan(0);
      } else {
        expect(afterCrash.rowCount).toBe(orders.length);
      }

      const restarted = await startSink(sink, topic, { kafka: client, lakehouse });
      if (crashAt === 'data-written') {
        await until(() => restarted.stats().recordsIn === orders.length, 'the records to be re-delivered');
        await restarted.flush();
      } else {
        await until(
          () => restarted.stats().recordsSkipped === orders.length,
          'the re-delivered records to be skipped',
        );
        expect(restarted.stats().recordsIn).toBe(0);
      }
      await until(
        async () => (await groupOffsets()).reduce((sum, p) => sum + Number(p.offset), 0) === orders.length,
        'the group offsets to be committed',
      );
      await restarted.stop();
      await admin.disconnect();

      const table = await readTable(request);
      expect(table.rowCount).toBe(orders.length);
      expect(new Set(table.rows!.map((r) => r.eventId))).toEqual(new Set(orders.map((o) => o.eventId)));
    });
  }
});
