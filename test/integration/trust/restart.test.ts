/**
 * The restart scenario, shortened: the payments pipeline runs under `stratus dev` with its demo
 * producer, the table fills, `stratus dev` is killed with SIGKILL, and `stratus dev --no-producer` starts again.
 * The table keeps every row it had (read by pyiceberg before and after), ends with every record once, and the
 * idempotency records survive: a record re-delivered after the kill is not processed a second time (the only
 * records run twice are the ones in flight at the kill, whose locks the new run releases, and poison dead-lettered
 * in the last moment before it, which idempotency does not track).
 */
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { LOCAL_IDEMPOTENCY_TABLE } from '../../../lib/core/naming.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { accountChaos } from '../../chaos/accounting.ts';
import { killDev, startDev, untilReady } from '../../chaos/dev-process.ts';
import { devProject, functionLogOf } from '../../chaos/project.ts';

describe('restart of stratus dev after kill -9', () => {
  it('keeps every table row and every idempotency record', { timeout: 900_000 }, async () => {
    const project = await devProject({ prefix: 'stratus-restart-' });
    const endpoint = `http://127.0.0.1:${project.ports.aws}`;
    const aws = awsClientConfig({ region: 'eu-west-1', endpoint });
    const rows = async () =>
      (
        await readTable({
          ...createLakehouse({ kind: 'aws', aws }).readerRequest('stratus_payments', 'orders_enriched'),
          rows: false,
        })
      ).rowCount;
    const completed = async () => {
      let count = 0;
      let start: Record<string, never> | undefined;
      do {
        const page = await new DynamoDBClient(aws).send(
          new ScanCommand({
            TableName: LOCAL_IDEMPOTENCY_TABLE,
            FilterExpression: '#s = :done',
            ExpressionAttributeNames: { '#s': 'status' },
            ExpressionAttributeValues: { ':done': { S: 'COMPLETED' } },
            ExclusiveStartKey: start,
          }),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey as typeof start;
      } while (start);
      return count;
    };
    try {
      const first = startDev(project, ['--rate', '20']);
      await untilReady(project, first);
      // Run until the table holds a few commits' worth of rows (the sink delivers every 5 s here).
      await expect.poll(rows, { timeout: 180_000, interval: 2_000 }).toBeGreaterThan(150);
      const before = { rows: await rows(), completed: await completed() };
      await killDev(first);

      const second = startDev(project, ['--no-producer']);
      try {
        await untilReady(project, second);
        expect(await rows()).toBeGreaterThanOrEqual(before.rows);
        const spec = loadStratusOrThrow({ rootDir: project.rootDir, configFile: project.configFile });
        const account = await accountChaos({
          tenants: spec.tenants,
          brokers: [`127.0.0.1:${project.ports.kafka}`],
          awsEndpoint: endpoint,
          region: spec.platform.region,
          functionLog: functionLogOf(project),
        });
        const released = Number(/released (\d+) in-progress/.exec(second.output())?.[1] ?? 0);
        console.log(
          JSON.stringify({
            test: 'restart',
            before,
            after: account.tables[0],
            released,
            consumers: account.consumers,
          }),
        );
        expect(account.lost).toBe(0);
        expect(account.duplicateRows).toBe(0);
        expect(account.misrouted).toBe(0);
        expect(account.tables[0]!.rows).toBeGreaterThanOrEqual(before.rows);
        // Idempotency records survived the kill, and only records in flight at the kill ran twice: an output
        // repeats only for a record whose lock the new run released. Poison is not tracked by idempotency, so a
        // record dead-lettered just before the kill, and not yet committed past, is dead-lettered once more.
        expect(await completed()).toBeGreaterThanOrEqual(before.completed);
        const consumer = account.consumers[0]!;
        expect(consumer.duplicates - consumer.duplicateDeadLetters).toBeLessThanOrEqual(released);
        expect(consumer.duplicateDeadLetters).toBeLessThanOrEqual(consumer.deadLettered);
      } finally {
        second.child.kill('SIGINT');
        await second.exited;
      }
    } finally {
      project.remove();
    }
  });
});
