/**
 * The local AWS emulator keeps its state: an Iceberg table registered in Glue, its S3 objects and Powertools
 * idempotency records are as they were after their last acknowledged write, after kill -9 of each store
 * (restarted by the supervisor) and after kill -9 of everything followed by a new emulator on the same
 * directory (what a restart of `stratus dev` does). Powertools' own DynamoDB persistence layer is the client,
 * so every operation and condition expression it uses is exercised against the store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import {
  DynamoDBClient,
  type DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { type AwsEmulator, startAwsEmulator } from '../../../lib/local/aws-emulator.ts';
import { ensureIdempotencyTable, releaseInProgressRecords } from '../../../lib/local/aws-resources.ts';
import { freePort } from '../../../lib/local/process-utils.ts';
import { icebergSchemaFromJsonSchema } from '../../../lib/local/sink/iceberg-schema.ts';
import { IcebergTableWriter } from '../../../lib/local/sink/iceberg-table-writer.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { toRow } from '../../../lib/local/sink/row-values.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { enrichedOrder, loadSchema } from '../sink/fixtures.ts';

const REGION = 'eu-west-1';
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-aws-stores-'));
const emulators: AwsEmulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function emulator(port: number, dataDir = path.join(root, 'aws')): Promise<AwsEmulator> {
  const started = await startAwsEmulator({
    port,
    dataDir,
    logDir: path.join(root, 'logs'),
  });
  emulators.push(started);
  return started;
}

/** Waits until the store has been restarted `count` times in all. */
async function restarted(aws: AwsEmulator, store: 's3' | 'dynamodb' | 'moto', count: number): Promise<void> {
  for (let i = 0; aws.restarts()[store] < count; i++) {
    if (i > 600) throw new Error(`${store} was not restarted`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('local AWS emulator state', () => {
  it('keeps tables, objects and idempotency records through kill -9 of each store and of everything', {
    timeout: 300_000,
  }, async () => {
    const port = await freePort();
    let aws = await emulator(port);
    const config = () => awsClientConfig({ region: REGION, endpoint: aws.endpoint });
    const table = await ensureIdempotencyTable({ endpoint: aws.endpoint, region: REGION });

    // Powertools against the store: first call runs, a repeat is answered from the record, a concurrent call
    // sees IN_PROGRESS (conditional PutItem failing on an unexpired lock), a failure deletes the record.
    const persistence = () =>
      new DynamoDBPersistenceLayer({ tableName: table, clientConfig: config() as DynamoDBClientConfig });
    let runs = 0;
    let release: () => void = () => {};
    const handler = makeIdempotent(
      async (event: { id: string; slow?: boolean; fail?: boolean }) => {
        runs++;
        if (event.slow) await new Promise<void>((resolve) => (release = resolve));
        if (event.fail) throw new Error('handler failed');
        return `done ${event.id}`;
      },
      { persistenceStore: persistence(), config: new IdempotencyConfig({ eventKeyJmesPath: 'id' }) },
    );
    expect(await handler({ id: 'a' })).toBe('done a');
    expect(await handler({ id: 'a' })).toBe('done a');
    expect(runs).toBe(1);
    const slow = handler({ id: 'b', slow: true });
    while (runs < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(handler({ id: 'b' })).rejects.toBeInstanceOf(IdempotencyAlreadyInProgressError);
    release();
    expect(await slow).toBe('done b');
    await expect(handler({ id: 'c', fail: true })).rejects.toThrow('handler failed');
    await expect(handler({ id: 'c', fail: true })).rejects.toThrow('handler failed');
    expect(runs).toBe(4);

    // An Iceberg table in Glue + S3 with two commits, and a plain object.
    const lakehouse = () => createLakehouse({ kind: 'aws', aws: config() });
    const schema = icebergSchemaFromJsonSchema(loadSchema('schemas/payments/order-enriched.schema.json'), [
      'eventId',
    ]);
    const writer = await IcebergTableWriter.open({
      catalog: lakehouse().catalog,
      table: { tenant: 'payments', database: 'stratus_payments', table: 'stores_test' },
      schema,
      partitionBy: [{ transform: 'day', field: 'createdAt' }],
    });
    const rows = (from: number, to: number) =>
      Array.from({ length: to - from }, (_, i) => toRow(writer.schema, enrichedOrder(from + i)));
    await writer.append(rows(0, 20), { 'payments.x-0': '20' });
    await writer.append(rows(20, 30), { 'payments.x-0': '30' });
    const s3 = () => new S3Client(config());
    await s3().send(
      new PutObjectCommand({ Bucket: 'stratus-lakehouse', Key: 'plain/object.txt', Body: 'kept' }),
    );

    const check = async () => {
      const read = await readTable(lakehouse().readerRequest('stratus_payments', 'stores_test'));
      expect(read.rowCount).toBe(30);
      expect(JSON.parse(read.snapshotSummary!['stratus.kafka-offsets']!)).toEqual({ 'payments.x-0': '30' });
      const object = await s3().send(
        new GetObjectCommand({ Bucket: 'stratus-lakehouse', Key: 'plain/object.txt' }),
      );
      expect(await object.Body!.transformToString()).toBe('kept');
      // The completed record answers again without running the handler.
      const before = runs;
      expect(await handler({ id: 'a' })).toBe('done a');
      expect(runs).toBe(before);
    };

    // Each store killed on its own: the supervisor restarts it and its requests wait meanwhile.
    for (const [store, count] of [
      ['moto', 1],
      ['s3', 1],
      ['dynamodb', 1],
    ] as const) {
      process.kill(aws.stores()[store]!.pid, 'SIGKILL');
      await restarted(aws, store, count);
      await check();
    }

    // Everything killed at once, then a new emulator on the same directory.
    const stores = aws.stores();
    for (const store of Object.values(stores)) process.kill(store!.pid, 'SIGKILL');
    await aws.stop();
    aws = await emulator(port);
    await check();
    // The table keeps taking commits after the restart.
    const reopened = await IcebergTableWriter.open({
      catalog: lakehouse().catalog,
      table: { tenant: 'payments', database: 'stratus_payments', table: 'stores_test' },
      schema,
      partitionBy: [{ transform: 'day', field: 'createdAt' }],
    });
    await reopened.append(rows(30, 35), { 'payments.x-0': '35' });
    expect((await readTable(lakehouse().readerRequest('stratus_payments', 'stores_test'))).rowCount).toBe(35);
  });

  it('releases the IN_PROGRESS records of a run that died, and keeps the COMPLETED ones', async () => {
    const aws = await emulator(await freePort(), path.join(root, 'aws-release'));
    const table = await ensureIdempotencyTable({ endpoint: aws.endpoint, region: REGION }, 'release-test');
    const client = new DynamoDBClient(awsClientConfig({ region: REGION, endpoint: aws.endpoint }));
    for (const [id, status] of [
      ['x', 'INPROGRESS'],
      ['y', 'COMPLETED'],
      ['z', 'INPROGRESS'],
    ])
      await client.send(
        new PutItemCommand({
          TableName: table,
          Item: { id: { S: id! }, status: { S: status! }, expiration: { N: '9999999999' } },
        }),
      );
    expect(await releaseInProgressRecords({ endpoint: aws.endpoint, region: REGION }, table)).toBe(2);
    const left = await Promise.all(
      ['x', 'y', 'z'].map(
        async (id) =>
          (await client.send(new GetItemCommand({ TableName: table, Key: { id: { S: id } } }))).Item?.status
            ?.S,
      ),
    );
    expect(left).toEqual([undefined, 'COMPLETED', undefined]);
  });
});
