/**
 * TransactWriteItems on the local DynamoDB store, which the gateway runs itself (dynalite has none): the real
 * AWS SDK is the client, and dynalite's own condition engine (a conditional PutItem) is the oracle for the
 * gateway's condition evaluator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { type AwsEmulator, startAwsEmulator } from '../../../lib/local/aws-emulator.ts';
import { ensureIdempotencyTable } from '../../../lib/local/aws-resources.ts';
import { evaluateCondition } from '../../../lib/local/aws-stores/dynamodb-condition.ts';
import { freePort } from '../../../lib/local/process-utils.ts';

const TABLE = 'stratus-transactions';
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-ddb-tx-'));
let aws: AwsEmulator;
let client: DynamoDBClient;

beforeAll(async () => {
  aws = await startAwsEmulator({
    port: await freePort(),
    dataDir: path.join(root, 'aws'),
    logDir: root,
  });
  const config = { endpoint: aws.endpoint, region: 'us-east-1' };
  client = new DynamoDBClient(awsClientConfig(config));
  await ensureIdempotencyTable(config, TABLE);
}, 120_000);
afterAll(async () => {
  client?.destroy();
  await aws?.stop();
  rmSync(root, { recursive: true, force: true });
});

const NOT_EXISTS = {
  ConditionExpression: 'attribute_not_exists(#id)',
  ExpressionAttributeNames: { '#id': 'id' },
};

function claim(id: string, extra: Record<string, AttributeValue> = {}) {
  return {
    Put: {
      TableName: TABLE,
      Item: { id: { S: id }, status: { S: 'INPROGRESS' }, ...extra },
      ...NOT_EXISTS,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

async function item(id: string) {
  return (
    await client.send(new GetItemCommand({ TableName: TABLE, Key: { id: { S: id } }, ConsistentRead: true }))
  ).Item;
}

async function cancellation(run: Promise<unknown>): Promise<TransactionCanceledException> {
  const error = await run.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TransactionCanceledException);
  return error as TransactionCanceledException;
}

describe('TransactWriteItems through the local gateway', () => {
  it('applies every action when every condition holds', async () => {
    await client.send(
      new TransactWriteItemsCommand({ TransactItems: [claim('a1'), claim('a2'), claim('a3')] }),
    );
    for (const id of ['a1', 'a2', 'a3']) expect((await item(id))?.status).toEqual({ S: 'INPROGRESS' });
  });

  it('cancels the whole transaction with one reason per action, in order, the old item when asked', async () => {
    await client.send(
      new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'b2' }, status: { S: 'COMPLETED' } } }),
    );
    const error = await cancellation(
      client.send(new TransactWriteItemsCommand({ TransactItems: [claim('b1'), claim('b2'), claim('b3')] })),
    );
    expect(error.CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed', 'None']);
    expect(error.CancellationReasons?.[1]?.Item).toEqual({ id: { S: 'b2' }, status: { S: 'COMPLETED' } });
    // Nothing of it was written.
    expect(await item('b1')).toBeUndefined();
    expect(await item('b3')).toBeUndefined();
    expect((await item('b2'))?.status).toEqual({ S: 'COMPLETED' });
  });

  it("takes Powertools' claim condition: an expired in-progress record may be claimed again", async () => {
    const now = Date.now();
    await client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          id: { S: 'c1' },
          status: { S: 'INPROGRESS' },
          expiration: { N: String(Math.round(now / 1000) + 3600) },
          in_progress_expiration: { N: String(now - 1000) },
        },
      }),
    );
    const powertoolsCondition = {
      ConditionExpression:
        'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
      ExpressionAttributeNames: {
        '#id': 'id',
        '#expiry': 'expiration',
        '#status': 'status',
        '#in_progress_expiry': 'in_progress_expiration',
      },
      ExpressionAttributeValues: {
        ':now': { N: String(now / 1000) },
        ':now_in_millis': { N: String(now) },
        ':inprogress': { S: 'INPROGRESS' },
      },
    };
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            Put: {
              TableName: TABLE,
              Item: { id: { S: 'c1' }, status: { S: 'MINE' } },
              ...powertoolsCondition,
            },
          },
        ],
      }),
    );
    expect((await item('c1'))?.status).toEqual({ S: 'MINE' });
  });

  it('runs Delete and ConditionCheck actions', async () => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'd1' }, n: { N: '5' } } }));
    await client.send(new PutItemCommand({ TableName: TABLE, Item: { id: { S: 'd2' }, n: { N: '7' } } }));
    const check = (n: string) => ({
      ConditionCheck: {
        TableName: TABLE,
        Key: { id: { S: 'd2' } },
        ConditionExpression: 'n BETWEEN :low AND :high',
        ExpressionAttributeValues: { ':low': { N: n }, ':high': { N: '10' } },
      },
    });
    await cancellation(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Delete: { TableName: TABLE, Key: { id: { S: 'd1' } } } }, check('8')],
        }),
      ),
    );
    expect(await item('d1')).toBeDefined();
    await client.send(
      new TransactWriteItemsCommand({
        TransactItems: [{ Delete: { TableName: TABLE, Key: { id: { S: 'd1' } } } }, check('6')],
      }),
    );
    expect(await item('d1')).toBeUndefined();
  });

  it('refuses two actions on one item and Update actions, saying why', async () => {
    await expect(
      client.send(new TransactWriteItemsCommand({ TransactItems: [claim('e1'), claim('e1')] })),
    ).rejects.toThrow(/multiple operations on one item/);
    await expect(
      client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: TABLE,
                Key: { id: { S: 'e2' } },
                UpdateExpression: 'SET n = :n',
                ExpressionAttributeValues: { ':n': { N: '1' } },
              },
            },
          ],
        }),
      ),
    ).rejects.toThrow(/Update inside TransactWriteItems is not supported by the local DynamoDB store/);
  });

  it('never lets a conditional PutItem and a transaction both claim one key', async () => {
    for (let round = 0; round < 25; round++) {
      const id = `race-${round}`;
      const results = await Promise.allSettled([
        client.send(
          new PutItemCommand({ TableName: TABLE, Item: { id: { S: id }, by: { S: 'put' } }, ...NOT_EXISTS }),
        ),
        client.send(
          new TransactWriteItemsCommand({
            TransactItems: [claim(id, { by: { S: 'tx' } }), claim(`${id}-x`)],
          }),
        ),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const winner = results[0]!.status === 'fulfilled' ? 'put' : 'tx';
      expect((await item(id))?.by).toEqual({ S: winner });
      await client.send(new DeleteItemCommand({ TableName: TABLE, Key: { id: { S: id } } }));
    }
  });
});

describe('the gateway condition evaluator agrees with dynalite', () => {
  // Random items and expressions; dynalite's conditional PutItem decides what DynamoDB would.
  const attributes = ['a', 'b', 'c'];
  const values: Record<string, AttributeValue> = {
    ':n1': { N: '1' },
    ':n5': { N: '5' },
    ':n10': { N: '10' },
    ':s': { S: 'foo' },
    ':t': { S: 'fo' },
  };
  let seed = 7;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  const pick = <T>(list: T[]) => list[random(list.length)]!;
  const randomValue = (): AttributeValue | undefined =>
    pick([
      undefined,
      { N: '1' },
      { N: '5' },
      { N: '10' },
      { N: '-2.5' },
      { S: 'foo' },
      { S: 'food' },
      { S: 'fo' },
      { BOOL: true },
    ]);
  const atom = (): string => {
    const name = `#${pick(attributes)}`;
    switch (random(7)) {
      case 0:
        return `attribute_exists(${name})`;
      case 1:
        return `attribute_not_exists(${name})`;
      case 2:
        return `begins_with(${name}, ${pick([':s', ':t'])})`;
      case 3:
        return `${name} BETWEEN :n1 AND :n10`;
      case 4:
        return `${name} IN (:n5, :s)`;
      default:
        return `${name} ${pick(['=', '<>', '<', '<=', '>', '>='])} ${pick(Object.keys(values))}`;
    }
  };
  const expression = (depth: number): string => {
    if (depth === 0 || random(3) === 0) return atom();
    const joined = `${expression(depth - 1)} ${pick(['AND', 'OR'])} ${expression(depth - 1)}`;
    return random(3) === 0 ? `NOT (${joined})` : `(${joined})`;
  };

  it('on 150 random conditions', async () => {
    for (let i = 0; i < 150; i++) {
      const id = `oracle-${i}`;
      const stored: Record<string, AttributeValue> = { id: { S: id } };
      for (const name of attributes) {
        const value = randomValue();
        if (value) stored[name] = value;
      }
      await client.send(new PutItemCommand({ TableName: TABLE, Item: stored }));
      const text = expression(2);
      const used = Object.fromEntries(
        Object.entries(values).filter(([k]) => new RegExp(`${k}\\b`).test(text)),
      );
      const names = Object.fromEntries(
        attributes.filter((a) => text.includes(`#${a}`)).map((a) => [`#${a}`, a]),
      );
      const dynalite = await client
        .send(
          new PutItemCommand({
            TableName: TABLE,
            Item: stored,
            ConditionExpression: text,
            ExpressionAttributeNames: names,
            ExpressionAttributeValues: Object.keys(used).length > 0 ? used : undefined,
          }),
        )
        .then(
          () => true,
          (error: Error) => {
            if (error.name !== 'ConditionalCheckFailedException') throw error;
            return false;
          },
        );
      expect({
        text,
        stored,
        holds: evaluateCondition({ expression: text, names, values: used }, stored),
      }).toEqual({
        text,
        stored,
        holds: dynalite,
      });
    }
  });
});
