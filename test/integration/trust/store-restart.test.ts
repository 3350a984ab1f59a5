/**
 * A kill -9 of the DynamoDB store under `stratus dev` must not turn an idempotency lock into dead letters. An
 * invocation whose claim the store wrote but whose answer died with it (or whose release failed while it was
 * down) leaves its keys IN_PROGRESS until the invocation's timeout; its records, re-delivered once the store is
 * back, would fail as "already in progress" on every attempt and be dead-lettered. `stratus dev` releases such
 * locks when the store serves again, at a moment no invocation runs.
 *
 * The store and `stratus dev` are real; the lock is written by hand (as the lost answer would have left it),
 * because the moment between the store's write and its answer is too short to kill it in on purpose.
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { LOCAL_IDEMPOTENCY_TABLE } from '../../../lib/core/naming.ts';
import { generatorFor } from '../../../lib/local/demo/generators.ts';
import { readTopics } from '../../../lib/local/demo/read-topics.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { killDev, startDev, supervisedPids, untilReady } from '../../chaos/dev-process.ts';
import { devProject } from '../../chaos/project.ts';

describe('a restart of the DynamoDB store under stratus dev', () => {
  it('releases the idempotency locks of invocations that ended while it was down', {
    timeout: 300_000,
  }, async () => {
    const project = await devProject({ prefix: 'stratus-store-restart-' });
    const spec = loadStratusOrThrow({ rootDir: project.rootDir, configFile: project.configFile });
    const orders = spec.tenants[0]!.topics.find((t) => t.key === 'orders')!;
    const brokers = [`127.0.0.1:${project.ports.kafka}`];
    const dynamodb = new DynamoDBClient(
      awsClientConfig({ region: 'eu-west-1', endpoint: `http://127.0.0.1:${project.ports.aws}` }),
    );
    const kafka = new Kafka({ clientId: 'store-restart', brokers, logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    const generator = generatorFor(orders, 11);
    const valid = (seq: number) => JSON.parse(String(generator.next(seq, 'valid').value));
    const dev = startDev(project);
    try {
      await untilReady(project, dev);
      await producer.connect();
      // One order through the pipeline: its key is the only item of the idempotency table.
      const order = { ...valid(0), type: 'order.created' };
      await producer.send({
        topic: orders.name,
        messages: [{ key: order.orderId, value: JSON.stringify(order) }],
      });
      const scan = async () =>
        (await dynamodb.send(new ScanCommand({ TableName: LOCAL_IDEMPOTENCY_TABLE }))).Items ?? [];
      await expect
        .poll(async () => (await scan()).map((item) => item.status?.S), { timeout: 60_000 })
        .toEqual(['COMPLETED']);
      // Powertools' key: `<function name>#` and the base64 MD5 of the selection's JSON; checked on the stored one.
      const stored = (await scan())[0]!.id!.S!;
      const keyOf = (eventId: string) =>
        `${stored.split('#')[0]}#${createHash('md5').update(JSON.stringify(eventId)).digest('base64')}`;
      expect(keyOf(order.eventId)).toBe(stored);

      // The lock an invocation of a new order would have left: IN_PROGRESS until its deadline, a minute away.
      // (A new order: the first one's COMPLETED record is also in its execution environment's local cache.)
      const next = { ...valid(1), type: 'order.created' };
      const id = { S: keyOf(next.eventId) };
      const now = Date.now();
      await dynamodb.send(
        new PutItemCommand({
          TableName: LOCAL_IDEMPOTENCY_TABLE,
          Item: {
            id,
            status: { S: 'INPROGRESS' },
            in_progress_expiration: { N: String(now + 60_000) },
            expiration: { N: String(Math.floor(now / 1000) + 3600) },
          },
        }),
      );
      const { dynamodb: pids } = supervisedPids(project);
      expect(pids.length).toBeGreaterThan(0);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      await expect
        .poll(() => dev.output(), { timeout: 60_000, interval: 200 })
        .toMatch(
          /idempotency: released 1 in-progress record\(s\) of invocations that ended while the DynamoDB store was down/,
        );
      await untilReady(project, dev);
      expect(
        (await dynamodb.send(new GetItemCommand({ TableName: LOCAL_IDEMPOTENCY_TABLE, Key: { id } }))).Item,
      ).toBeUndefined();

      // The order comes (the re-delivery of the invocation that held the lock): processed, not dead-lettered.
      const [sent] = await producer.send({
        topic: orders.name,
        messages: [{ key: next.orderId, value: JSON.stringify(next) }],
      });
      const outputsOf = async () => {
        const records = await readTopics(kafka, [
          spec.tenants[0]!.topics.find((t) => t.key === 'orders-enriched')!.name,
          spec.tenants[0]!.dlq.name,
        ]);
        const fromSent = [...records.values()].flat().filter((record) => {
          const envelope = parseDlqEnvelope(record.value);
          const source = envelope.ok
            ? envelope.envelope.source
            : {
                partition: Number(record.headers[LINEAGE_HEADERS.sourcePartition]),
                offset: Number(record.headers[LINEAGE_HEADERS.sourceOffset]),
              };
          return source.partition === sent!.partition && String(source.offset) === sent!.baseOffset;
        });
        return fromSent.map((record) => record.topic);
      };
      await expect
        .poll(outputsOf, { timeout: 60_000, interval: 500 })
        .toEqual([spec.tenants[0]!.topics.find((t) => t.key === 'orders-enriched')!.name]);
    } finally {
      await producer.disconnect().catch(() => {});
      await killDev(dev);
      project.remove();
    }
  });
});
