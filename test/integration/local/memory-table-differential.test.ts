/**
 * The idempotency table the gateway holds in memory (lib/local/aws-stores/memory-table.ts) answers as dynalite
 * does: the same requests, sent with the real AWS SDK once to the memory table through the gateway and once to
 * a table of the same schema in dynalite, straight to dynalite (TransactWriteItems, which dynalite lacks: to
 * the gateway's own implementation on that table). Outputs, error names, returned old items and cancellation
 * reasons must be equal, and so must the tables' contents after every step. Where dynalite falls short of
 * DynamoDB (no old item on a failed condition), the memory table is checked against what the item was.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type AttributeValue,
  BatchGetItemCommand,
  BatchWriteItemCommand,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { LOCAL_IDEMPOTENCY_TABLE } from '../../../lib/core/naming.ts';
import { type AwsEmulator, startAwsEmulator } from '../../../lib/local/aws-emulator.ts';
import { ensureIdempotencyTable } from '../../../lib/local/aws-resources.ts';
import { freePort } from '../../../lib/local/process-utils.ts';

const ORACLE = 'oracle-idempotency';
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-memory-table-'));
let aws: AwsEmulator;
let memory: DynamoDBClient;
let dynalite: DynamoDBClient;
let gateway: DynamoDBClient;
type Item = Record<string, AttributeValue>;

// Errors are compared, never retried away.
const client = (endpoint: string) =>
  new DynamoDBClient({ ...awsClientConfig({ endpoint, region: 'us-east-1' }), maxAttempts: 1 });

beforeAll(async () => {
  aws = await startAwsEmulator({ port: await freePort(), dataDir: path.join(root, 'aws'), logDir: root });
  memory = client(aws.endpoint);
  gateway = memory;
  dynalite = client(aws.stores().dynamodb!.url);
  await ensureIdempotencyTable({ endpoint: aws.endpoint, region: 'us-east-1' });
  // The oracle: a table of the same layout in dynalite itself.
  await ensureIdempotencyTable({ endpoint: aws.stores().dynamodb!.url, region: 'us-east-1' }, ORACLE);
}, 120_000);
afterAll(async () => {
  memory?.destroy();
  dynalite?.destroy();
  await aws?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** A request with `TABLE` where its table name goes. */
type Request = { operation: string; input: Record<string, unknown> };
const COMMANDS: Record<string, new (input: never) => unknown> = {
  PutItem: PutItemCommand,
  GetItem: GetItemCommand,
  UpdateItem: UpdateItemCommand,
  DeleteItem: DeleteItemCommand,
  BatchWriteItem: BatchWriteItemCommand,
  BatchGetItem: BatchGetItemCommand,
  TransactWriteItems: TransactWriteItemsCommand,
  Scan: ScanCommand,
};

function forTable(value: unknown, table: string): unknown {
  if (value === 'TABLE') return table;
  if (Array.isArray(value)) return value.map((v) => forTable(v, table));
  if (value && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k === 'TABLE' ? table : k, forTable(v, table)]),
    );
  return value;
}

const byId = (a: Item, b: Item) => String(a.id?.S).localeCompare(String(b.id?.S));

interface Outcome {
  output?: Record<string, unknown>;
  error?: string;
  Item?: Item;
  reasons?: Array<{ Code?: string; Item?: Item }>;
}

/** What the SDK made of the answer, table names taken out, batch answers in key order. */
async function outcome(target: DynamoDBClient, table: string, request: Request): Promise<Outcome> {
  const Command = COMMANDS[request.operation]!;
  try {
    const { $metadata: _, ...output } = (await target.send(
      new Command(forTable(request.input, table) as never) as never,
    )) as unknown as Record<string, unknown>;
    if (output.Responses)
      output.Responses = (Object.values(output.Responses as object)[0] as Item[]).sort(byId);
    if (output.Items) output.Items = (output.Items as Item[]).sort(byId);
    return { output };
  } catch (error) {
    const e = error as {
      name: string;
      Item?: Item;
      CancellationReasons?: Array<{ Code?: string; Item?: Item }>;
    };
    if (e.name === 'TypeError' || !('$metadata' in (error as object))) throw error;
    return {
      error: e.name,
      ...(e.Item ? { Item: e.Item } : {}),
      ...(e.CancellationReasons
        ? {
            reasons: e.CancellationReasons.map((r) => ({
              Code: r.Code,
              ...(r.Item ? { Item: r.Item } : {}),
            })),
          }
        : {}),
    };
  }
}

async function contents(target: DynamoDBClient, table: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Item | undefined;
  do {
    const page = await target.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start }));
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  return items.sort(byId);
}

/** Sends `request` to both tables and expects the same outcome; returns the memory table's. */
async function same(request: Request) {
  const before = await contents(dynalite, ORACLE);
  const oracleClient = request.operation === 'TransactWriteItems' ? gateway : dynalite;
  const expected = await outcome(oracleClient, ORACLE, request);
  const actual = await outcome(memory, LOCAL_IDEMPOTENCY_TABLE, request);
  // dynalite never returns the old item of a failed condition; DynamoDB (and the memory table) does when asked.
  if (request.operation !== 'TransactWriteItems' && actual.error === 'ConditionalCheckFailedException') {
    const key = (request.input.Key ?? { id: (request.input.Item as Item).id }) as Item;
    const old = before.find((item) => item.id?.S === key.id?.S);
    const asked = request.input.ReturnValuesOnConditionCheckFailure === 'ALL_OLD';
    expect({ request, item: actual.Item }).toEqual({ request, item: asked ? old : undefined });
    delete actual.Item;
  }
  expect({ request, ...actual }).toEqual({ request, ...expected });
  expect(await contents(memory, LOCAL_IDEMPOTENCY_TABLE)).toEqual(await contents(dynalite, ORACLE));
  return actual;
}

const claimCondition = (now: number) => ({
  ConditionExpression:
    'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
  ExpressionAttributeNames: {
    '#id': 'id',
    '#expiry': 'expiration',
    '#in_progress_expiry': 'in_progress_expiration',
    '#status': 'status',
  },
  ExpressionAttributeValues: {
    ':now': { N: String(now / 1000) },
    ':now_in_millis': { N: String(now) },
    ':inprogress': { S: 'INPROGRESS' },
  },
});

describe('the memory table against dynalite', () => {
  it("answers Powertools' own sequence of calls alike", async () => {
    const now = 1_800_000_000_000;
    const claim = (id: string, status = 'INPROGRESS', expiry = now / 1000 + 600) => ({
      operation: 'PutItem',
      input: {
        TableName: 'TABLE',
        Item: {
          id: { S: id },
          expiration: { N: String(expiry) },
          in_progress_expiration: { N: String(now + 30_000) },
          status: { S: status },
        },
        ...claimCondition(now),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      },
    });
    await same(claim('fn#a'));
    await same(claim('fn#a')); // in progress: refused, with the stored item
    await same({
      operation: 'UpdateItem',
      input: {
        TableName: 'TABLE',
        Key: { id: { S: 'fn#a' } },
        UpdateExpression: 'SET #response_data = :response_data, #expiry = :expiry, #status = :status',
        ExpressionAttributeNames: { '#response_data': 'data', '#expiry': 'expiration', '#status': 'status' },
        ExpressionAttributeValues: {
          ':response_data': { BOOL: true },
          ':expiry': { N: String(now / 1000 + 3600) },
          ':status': { S: 'COMPLETED' },
        },
      },
    });
    await same({
      operation: 'GetItem',
      input: { TableName: 'TABLE', Key: { id: { S: 'fn#a' } }, ConsistentRead: true },
    });
    await same(claim('fn#a')); // completed: a duplicate
    await same(claim('fn#b', 'INPROGRESS', now / 1000 - 10)); // new key
    await same(claim('fn#b')); // its record expired: claimed again
    await same({ operation: 'DeleteItem', input: { TableName: 'TABLE', Key: { id: { S: 'fn#b' } } } });
    await same({ operation: 'GetItem', input: { TableName: 'TABLE', Key: { id: { S: 'fn#b' } } } });
    await same({
      operation: 'BatchWriteItem',
      input: {
        RequestItems: {
          TABLE: [
            { PutRequest: { Item: { id: { S: 'fn#c' }, status: { S: 'COMPLETED' }, data: { BOOL: true } } } },
            { DeleteRequest: { Key: { id: { S: 'fn#a' } } } },
            { DeleteRequest: { Key: { id: { S: 'fn#never' } } } },
          ],
        },
      },
    });
    await same({
      operation: 'BatchGetItem',
      input: {
        RequestItems: {
          TABLE: { Keys: [{ id: { S: 'fn#a' } }, { id: { S: 'fn#c' } }], ConsistentRead: true },
        },
      },
    });
    const tx = await same({
      operation: 'TransactWriteItems',
      input: {
        TransactItems: [claim('fn#d'), claim('fn#c'), claim('fn#e')].map((c) => ({ Put: c.input })),
      },
    });
    expect(tx.reasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed', 'None']);
    await same({
      operation: 'TransactWriteItems',
      input: { TransactItems: [claim('fn#d'), claim('fn#e')].map((c) => ({ Put: c.input })) },
    });
    // The shapes DynamoDB refuses, refused alike.
    await same({
      operation: 'UpdateItem',
      input: {
        TableName: 'TABLE',
        Key: { id: { S: 'fn#d' } },
        UpdateExpression: 'SET #id = :v',
        ExpressionAttributeNames: { '#id': 'id' },
        ExpressionAttributeValues: { ':v': { S: 'x' } },
      },
    });
    await same({
      operation: 'PutItem',
      input: {
        TableName: 'TABLE',
        Item: { id: { S: 'fn#f' } },
        ConditionExpression: 'attribute_not_exists(id)',
        ExpressionAttributeValues: { ':unused': { S: 'x' } },
      },
    });
    await same({
      operation: 'BatchWriteItem',
      input: {
        RequestItems: {
          TABLE: [
            { PutRequest: { Item: { id: { S: 'fn#g' } } } },
            { DeleteRequest: { Key: { id: { S: 'fn#g' } } } },
          ],
        },
      },
    });
    await same({
      operation: 'GetItem',
      input: { TableName: 'TABLE', Key: { id: { S: 'fn#c' }, other: { S: 'x' } } },
    });
    await same({ operation: 'PutItem', input: { TableName: 'TABLE', Item: { other: { S: 'no key' } } } });
  });

  it('answers a seeded random sequence of 200 operations alike', { timeout: 120_000 }, async () => {
    // mulberry32: exact in doubles, unlike an LCG whose products pass 2^53.
    let seed = 20_261_201;
    const random = (n: number) => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) % n;
    };
    const pick = <T>(list: T[]): T => list[random(list.length)]!;
    const keys = Array.from({ length: 8 }, (_, i) => `r#${i}`);
    const distinctKeys = (count: number) => {
      const chosen = new Set<string>();
      while (chosen.size < count) chosen.add(pick(keys));
      return [...chosen];
    };
    const now = 1_800_000_000_000;
    const item = (id: string): Item => {
      const stored: Item = { id: { S: id }, status: { S: pick(['INPROGRESS', 'COMPLETED']) } };
      if (random(3) > 0) stored.expiration = { N: String(now / 1000 + pick([-100, 600])) };
      if (random(2) === 0) stored.in_progress_expiration = { N: String(now + pick([-1000, 30_000])) };
      if (random(3) === 0) stored.data = { BOOL: true };
      return stored;
    };
    const condition = (): Record<string, unknown> =>
      pick([
        {},
        claimCondition(now),
        { ConditionExpression: 'attribute_not_exists(#id)', ExpressionAttributeNames: { '#id': 'id' } },
        { ConditionExpression: 'attribute_exists(id)' },
        {
          ConditionExpression: '#status = :inprogress',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':inprogress': { S: 'INPROGRESS' } },
        },
      ]);
    const onFailure = () => (random(2) === 0 ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } : {});
    const requests: Array<() => Request> = [
      () => ({
        operation: 'PutItem',
        input: {
          TableName: 'TABLE',
          Item: item(pick(keys)),
          ...condition(),
          ...onFailure(),
          ReturnValues: pick(['NONE', 'ALL_OLD']),
        },
      }),
      () => ({
        operation: 'GetItem',
        input: {
          TableName: 'TABLE',
          Key: { id: { S: pick(keys) } },
          ConsistentRead: true,
          ...(random(3) === 0
            ? { ProjectionExpression: '#s, id', ExpressionAttributeNames: { '#s': 'status' } }
            : {}),
        },
      }),
      () => {
        const extra = condition() as {
          ExpressionAttributeNames?: Record<string, string>;
          ExpressionAttributeValues?: Item;
        };
        const attributes = pick([['status'], ['status', 'expiration'], ['data', 'status', 'expiration']]);
        const values: Item = {};
        const names: Record<string, string> = {};
        for (const [index, name] of attributes.entries()) {
          names[`#u${index}`] = name;
          values[`:u${index}`] =
            name === 'status'
              ? { S: pick(['INPROGRESS', 'COMPLETED']) }
              : name === 'data'
                ? { BOOL: true }
                : { N: String(now / 1000 + 3600) };
        }
        return {
          operation: 'UpdateItem',
          input: {
            TableName: 'TABLE',
            Key: { id: { S: pick(keys) } },
            UpdateExpression: `SET ${attributes.map((_, i) => `#u${i} = :u${i}`).join(', ')}`,
            ...extra,
            ExpressionAttributeNames: { ...names, ...extra.ExpressionAttributeNames },
            ExpressionAttributeValues: { ...values, ...extra.ExpressionAttributeValues },
            ...onFailure(),
            ReturnValues: pick(['NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']),
          },
        };
      },
      () => ({
        operation: 'DeleteItem',
        input: {
          TableName: 'TABLE',
          Key: { id: { S: pick(keys) } },
          ...condition(),
          ...onFailure(),
          ReturnValues: pick(['NONE', 'ALL_OLD']),
        },
      }),
      () => ({
        operation: 'BatchWriteItem',
        input: {
          RequestItems: {
            TABLE: distinctKeys(1 + random(5)).map((id) =>
              random(3) === 0
                ? { DeleteRequest: { Key: { id: { S: id } } } }
                : { PutRequest: { Item: item(id) } },
            ),
          },
        },
      }),
      () => ({
        operation: 'BatchGetItem',
        input: {
          RequestItems: {
            TABLE: {
              Keys: distinctKeys(1 + random(5)).map((id) => ({ id: { S: id } })),
              ConsistentRead: true,
            },
          },
        },
      }),
      () => ({
        operation: 'TransactWriteItems',
        input: {
          TransactItems: distinctKeys(1 + random(4)).map((id) => {
            const kind = pick(['Put', 'Put', 'Delete', 'ConditionCheck']);
            const extra = condition();
            if (kind === 'ConditionCheck' && !extra.ConditionExpression)
              extra.ConditionExpression = 'attribute_exists(id)';
            return {
              [kind]: {
                TableName: 'TABLE',
                ...(kind === 'Put' ? { Item: item(id) } : { Key: { id: { S: id } } }),
                ...extra,
                ...onFailure(),
              },
            };
          }),
        },
      }),
      () => ({ operation: 'Scan', input: { TableName: 'TABLE', Limit: 1 + random(10) } }),
    ];
    const counts: Record<string, number> = {};
    for (let step = 0; step < 200; step++) {
      const request = pick(requests)();
      counts[request.operation] = (counts[request.operation] ?? 0) + 1;
      if (request.operation === 'Scan') {
        // Scan orders differ (DynamoDB promises none): the page sizes and the items read must agree.
        const [a, b] = await Promise.all([
          outcome(dynalite, ORACLE, request),
          outcome(memory, LOCAL_IDEMPOTENCY_TABLE, request),
        ]);
        const { Items: _a, LastEvaluatedKey: _la, ...restA } = a.output as Record<string, unknown>;
        const { Items: _b, LastEvaluatedKey: _lb, ...restB } = b.output as Record<string, unknown>;
        expect(restB).toEqual(restA);
        expect(Boolean(_lb)).toBe(Boolean(_la));
        continue;
      }
      await same(request);
    }
    // Every kind of request was drawn, and conditions failed as well as held.
    expect(Object.keys(counts).sort()).toEqual(Object.keys(COMMANDS).sort());
  });

  it('pages a Scan through the whole table, filtered and projected as releaseInProgressRecords asks', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `scan#${String(i).padStart(2, '0')}`);
    for (let at = 0; at < ids.length; at += 10)
      await same({
        operation: 'BatchWriteItem',
        input: {
          RequestItems: {
            TABLE: ids.slice(at, at + 10).map((id, i) => ({
              PutRequest: { Item: { id: { S: id }, status: { S: i % 2 ? 'INPROGRESS' : 'COMPLETED' } } },
            })),
          },
        },
      });
    const scanAll = async (target: DynamoDBClient, table: string, extra: Record<string, unknown>) => {
      const seen: Item[] = [];
      let start: Item | undefined;
      let pages = 0;
      do {
        const page = await target.send(
          new ScanCommand({ TableName: table, Limit: 7, ExclusiveStartKey: start, ...extra }),
        );
        seen.push(...(page.Items ?? []));
        start = page.LastEvaluatedKey;
        pages++;
      } while (start);
      return { items: seen.sort(byId), pages };
    };
    const filter = {
      FilterExpression: '#status = :inprogress',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':inprogress': { S: 'INPROGRESS' } },
      ProjectionExpression: 'id',
    };
    for (const extra of [{}, filter]) {
      const [expected, actual] = [
        await scanAll(dynalite, ORACLE, extra),
        await scanAll(memory, LOCAL_IDEMPOTENCY_TABLE, extra),
      ];
      expect(actual).toEqual(expected);
    }
  });

  it('refuses what it does not emulate, naming it, and requests mixing it with another table', async () => {
    await expect(
      memory.send(
        new UpdateItemCommand({
          TableName: LOCAL_IDEMPOTENCY_TABLE,
          Key: { id: { S: 'x' } },
          UpdateExpression: 'ADD n :one',
          ExpressionAttributeValues: { ':one': { N: '1' } },
        }),
      ),
    ).rejects.toThrow(/emulates UpdateExpression "SET name = :value, …" only/);
    await expect(
      memory.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [LOCAL_IDEMPOTENCY_TABLE]: [{ PutRequest: { Item: { id: { S: 'x' } } } }],
            [ORACLE]: [{ PutRequest: { Item: { id: { S: 'x' } } } }],
          },
        }),
      ),
    ).rejects.toThrow(/cannot name it together with oracle-idempotency/);
    await expect(
      memory.send(new ScanCommand({ TableName: LOCAL_IDEMPOTENCY_TABLE, Segment: 0, TotalSegments: 2 })),
    ).rejects.toThrow(/does not emulate the parameter Segment/);
  });
});
