/**
 * The emulator's start in the order `stratus dev` needs it (`slowStoresAfter`): DynamoDB serves at once, S3
 * (s3proxy, a JVM) and moto (Python) start only when told, and requests for them wait in the gateway meanwhile —
 * answered once the stores serve, not failed. Real stores; the processes are found among this test process's
 * descendants, so a stop that left one running would show.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetDatabasesCommand, GlueClient } from '@aws-sdk/client-glue';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { type AwsEmulator, startAwsEmulator } from '../../../lib/local/aws-emulator.ts';
import { freePort } from '../../../lib/local/process-utils.ts';
import { descendantsRunning } from '../../support/descendants.ts';

const REGION = 'eu-west-1';
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-slow-stores-'));
const emulators: AwsEmulator[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((emulator) => emulator.stop()));
  rmSync(root, { recursive: true, force: true });
});

async function emulator(name: string, slowStoresAfter: Promise<unknown>): Promise<AwsEmulator> {
  const started = await startAwsEmulator({
    port: await freePort(),
    dataDir: path.join(root, name, 'aws'),
    logDir: path.join(root, name, 'logs'),
    slowStoresAfter,
  });
  emulators.push(started);
  return started;
}

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** The store processes among this process's descendants: which of dynalite, s3proxy, moto_server run. */
const storesRunning = () => descendantsRunning(['dynalite', 's3proxy', 'moto_server']);

const settled = (promise: Promise<unknown>) =>
  Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    new Promise((resolve) => setTimeout(() => resolve(false), 0)),
  ]);

describe('AWS emulator with slow stores started later', () => {
  it('serves DynamoDB at once, holds S3 and Glue requests until their stores start, then answers them', {
    timeout: 120_000,
  }, async () => {
    const { opened, open } = gate();
    const aws = await emulator('held', opened);
    const config = awsClientConfig({ region: REGION, endpoint: aws.endpoint });
    expect(Object.keys(aws.stores())).toEqual(['dynamodb']);
    const health = await fetch(aws.healthUrl!);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { down: string[] }).down).toEqual([
      'S3 store (s3proxy)',
      'AWS emulator (moto: Glue and the rest)',
    ]);
    expect(await new DynamoDBClient(config).send(new ListTablesCommand({}))).toHaveProperty('TableNames');

    // Asked before the stores exist: held in the gateway, not refused.
    const s3 = new S3Client({ ...config, forcePathStyle: true });
    const written = s3
      .send(new CreateBucketCommand({ Bucket: 'early' }))
      .then(() => s3.send(new PutObjectCommand({ Bucket: 'early', Key: 'k', Body: 'v' })));
    const glue = new GlueClient(config).send(new GetDatabasesCommand({}));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await settled(written)).toBe(false);
    expect(await settled(glue)).toBe(false);
    expect(storesRunning()).toEqual(['dynalite']);

    open();
    await aws.allStoresServing;
    await written;
    expect((await glue).DatabaseList).toEqual([]);
    const object = await s3.send(new GetObjectCommand({ Bucket: 'early', Key: 'k' }));
    expect(await object.Body!.transformToString()).toBe('v');
    expect((await fetch(aws.healthUrl!)).status).toBe(200);
    expect(Object.keys(aws.stores()).sort()).toEqual(['dynamodb', 'moto', 's3']);
    expect(storesRunning()).toEqual(['dynalite', 's3proxy', 'moto_server']);
    await aws.stop();
    expect(storesRunning()).toEqual([]);
  });

  it('stopped before the slow stores start, or while they start, it leaves no store running', {
    timeout: 120_000,
  }, async () => {
    const neverOpened = await emulator('never', new Promise(() => {}));
    expect(storesRunning()).toEqual(['dynalite']);
    const stopped = Date.now();
    await neverOpened.stop();
    expect(Date.now() - stopped).toBeLessThan(5_000);
    await expect(neverOpened.allStoresServing).rejects.toThrow(/abandoned/);

    const { opened, open } = gate();
    const starting = await emulator('starting', opened);
    open();
    // Long enough for s3proxy's JVM and moto to be spawned, not to serve.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await starting.stop();
    await expect(starting.allStoresServing).rejects.toThrow();
    expect(storesRunning()).toEqual([]);
  });
});
