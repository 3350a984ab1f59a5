/**
 * The claims of an invocation's records go to DynamoDB together (a TransactWriteItems per 100 keys), against the
 * local emulator with the real AWS SDK: the calls are counted on the client, the outcomes read back from the
 * table. Powertools' semantics hold: a completed key is a duplicate, a claim no record used is deleted. Run twice:
 * on a table in dynalite, and on the idempotency table `stratus dev` uses, which the gateway holds in memory
 * (lib/local/aws-stores/memory-table.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  createRecordIdempotency,
  emulatorClientConfig,
  type RecordIdempotency,
} from '../../../functions/sdk/idempotency.ts';
import { BatchingDynamoDBPersistenceLayer } from '../../../functions/sdk/idempotency-store.ts';
import { LOCAL_IDEMPOTENCY_TABLE } from '../../../lib/core/naming.ts';
import { ensureIdempotencyTable } from '../../../lib/local/aws-resources.ts';
import { TEST_REGION, testServices, uniqueName } from '../../support/services.ts';
import { lambdaContext } from '../../unit/sdk/msk-fixtures.ts';
import { createIdempotencyTable, scanTable, useEmulatorEnvironment } from './helpers.ts';

describe.each([
  ['in dynalite', () => createIdempotencyTable()],
  [
    'held in memory by the gateway',
    async () => {
      const { aws, awsEndpoint } = testServices();
      await ensureIdempotencyTable({ endpoint: awsEndpoint, region: TEST_REGION });
      return { table: LOCAL_IDEMPOTENCY_TABLE, client: new DynamoDBClient(aws) };
    },
  ],
])('on a table %s', (_where, createTable) => {
  let table: string;
  let reader: DynamoDBClient;
  /** Key prefixes of this run: the memory table is shared with every test of the run. */
  const run = uniqueName('run');
  beforeAll(async () => {
    useEmulatorEnvironment();
    ({ table, client: reader } = await createTable());
  });

  /** A container's idempotency with a client whose calls are counted by command name. */
  function container(keyPrefix: string) {
    const calls: Record<string, number> = {};
    const client = new DynamoDBClient(emulatorClientConfig(process.env) ?? {});
    client.middlewareStack.add(
      (next, context) => (args) => {
        const name = context.commandName!.replace(/Command$/, '');
        calls[name] = (calls[name] ?? 0) + 1;
        return next(args);
      },
      { step: 'initialize' },
    );
    const idempotency = createRecordIdempotency(
      { key: 'value.id', ttlSeconds: 600, table, keyPrefix: `${run}-${keyPrefix}` },
      { persistenceStore: new BatchingDynamoDBPersistenceLayer({ tableName: table, client }) },
    );
    idempotency.registerLambdaContext(lambdaContext() as Context);
    return { idempotency, calls };
  }

  const keysOf = (idempotency: RecordIdempotency, ids: string[]) =>
    ids.map((id) => idempotency.keyOf({ value: { id } })!);

  /** Runs every key's work in order, as the record loop does; the ids whose work ran. */
  async function runAll(idempotency: RecordIdempotency, ids: string[]): Promise<string[]> {
    const ran: string[] = [];
    const completions: Promise<unknown>[] = [];
    for (const [index, key] of keysOf(idempotency, ids).entries()) {
      const run = await idempotency.run(key, async () => ran.push(ids[index]!), Promise.resolve());
      if (!run.duplicate) completions.push(run.completion);
    }
    await Promise.all(completions);
    return ran;
  }

  const ids = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);
  const statuses = async (prefix: string) =>
    (await scanTable(reader, table))
      .filter((item) => item.id?.S?.startsWith(`${run}-${prefix}#`))
      .map((item) => item.status?.S);

  describe('claims of an invocation, made together', () => {
    it('claims 150 new keys in two transactions, no PutItem, and marks them complete in batches', async () => {
      const { idempotency, calls } = container('claims-new');
      const batch = ids('n', 150);
      idempotency.claimAll(keysOf(idempotency, batch));
      expect(await runAll(idempotency, batch)).toEqual(batch);
      expect(calls).toEqual({ TransactWriteItems: 2, BatchWriteItem: 6 });
      expect(await statuses('claims-new')).toEqual(Array(150).fill('COMPLETED'));
    });

    it("works on its own client, which skips the AWS SDK's per-call log copy and writes its batches' bodies with JSON.stringify; a client given to it is left whole", async () => {
      const clientOf = (layer: BatchingDynamoDBPersistenceLayer) =>
        (layer as unknown as { client: DynamoDBClient }).client;
      const own = new BatchingDynamoDBPersistenceLayer({
        tableName: table,
        clientConfig: emulatorClientConfig(process.env) ?? {},
      });
      const middlewares = (client: DynamoDBClient) =>
        client.middlewareStack.identify().map((entry) => entry.split(' ')[0]);
      expect(middlewares(clientOf(own))).not.toContain('loggerMiddleware');
      const given = new DynamoDBClient(emulatorClientConfig(process.env) ?? {});
      expect(
        middlewares(clientOf(new BatchingDynamoDBPersistenceLayer({ tableName: table, client: given }))),
      ).toContain('loggerMiddleware');
      const idempotency = createRecordIdempotency(
        { key: 'value.id', ttlSeconds: 600, table, keyPrefix: `${run}-own-client` },
        { persistenceStore: own },
      );
      idempotency.registerLambdaContext(lambdaContext() as Context);
      expect(await runAll(idempotency, ids('own', 30))).toHaveLength(30);
      expect(await runAll(idempotency, ids('own', 30))).toEqual([]); // all completed: duplicates now
    });

    it('finds completed keys in the cancellation reasons: they are duplicates, the others run', async () => {
      const first = container('claims-dup');
      const done = ids('d', 30).filter((_, i) => i % 3 === 0);
      first.idempotency.claimAll(keysOf(first.idempotency, done));
      await runAll(first.idempotency, done);

      // A new container (empty local cache): only DynamoDB knows which keys are complete.
      const { idempotency, calls } = container('claims-dup');
      const batch = ids('d', 30);
      idempotency.claimAll(keysOf(idempotency, batch));
      expect(await runAll(idempotency, batch)).toEqual(batch.filter((id) => !done.includes(id)));
      // One cancelled transaction, one without the completed keys; no GetItem, no PutItem.
      expect(calls.TransactWriteItems).toBe(2);
      expect(calls.GetItem ?? 0).toBe(0);
      expect(calls.PutItem ?? 0).toBe(0);
    });

    it('deletes the claims no record used, so a retry finds them free', async () => {
      const { idempotency } = container('claims-unused');
      const batch = ids('u', 10);
      const claims = idempotency.claimAll(keysOf(idempotency, batch));
      // The third record failed: the ones behind it were not run (the mapping re-delivers them).
      await runAll(idempotency, batch.slice(0, 2));
      await claims.releaseUnused();
      expect(await statuses('claims-unused')).toEqual(['COMPLETED', 'COMPLETED']);

      const retry = container('claims-unused');
      retry.idempotency.claimAll(keysOf(retry.idempotency, batch));
      expect(await runAll(retry.idempotency, batch)).toEqual(batch.slice(2));
    });

    it("keeps two concurrent invocations of one container apart: one releasing its claims leaves the other's", async () => {
      // Lambda runs one invocation per container at a time, but a handler called in-process (tests, the harness)
      // may be invoked for two partitions at once.
      const { idempotency } = container('claims-two');
      const [first, second] = [ids('p0', 20), ids('p1', 20)];
      const firstClaims = idempotency.claimAll(keysOf(idempotency, first));
      idempotency.claimAll(keysOf(idempotency, second));
      expect(await runAll(idempotency, first.slice(0, 5))).toEqual(first.slice(0, 5));
      await firstClaims.releaseUnused();
      expect(await runAll(idempotency, second)).toEqual(second);
      expect((await statuses('claims-two')).filter((s) => s === 'COMPLETED')).toHaveLength(25);
    });

    it('leaves a key claimed by another container in progress to Powertools: that record fails, the rest run', async () => {
      const holder = container('claims-busy');
      const [busy] = keysOf(holder.idempotency, ['b-1']);
      holder.idempotency.claimAll(keysOf(holder.idempotency, ['b-1', 'b-x']));
      // b-1 is running elsewhere (claimed, its work not finished).
      let finish!: () => void;
      const running = holder.idempotency.run(
        busy!,
        () => new Promise<void>((resolve) => (finish = resolve)),
        Promise.resolve(),
      );

      const { idempotency } = container('claims-busy');
      const batch = ['b-0', 'b-1', 'b-2'];
      const keys = keysOf(idempotency, batch);
      idempotency.claimAll(keys);
      const outcomes = await Promise.allSettled(
        keys.map((key) => idempotency.run(key, async () => true, Promise.resolve())),
      );
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(
        /IdempotencyAlreadyInProgressError/,
      );
      finish();
      await running;
    });
  });
});
