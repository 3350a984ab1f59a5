/**
 * An execution environment's DynamoDB requests for the table the gateway holds (the idempotency table) reach
 * the gateway over the worker's message port, not a socket (lib/local/function-host/held-table-transport.ts) —
 * and answer exactly as over HTTP. The same calls are made by a handler in an execution environment of this
 * process (whose gateway runs here) and by the real AWS SDK in the test itself (HTTP), with the emulator's real
 * gateway and held table; each call's HTTP requests are counted on node:http's diagnostics channel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientConfig } from '../../../lib/core/aws-client-config.ts';
import { LOCAL_IDEMPOTENCY_TABLE } from '../../../lib/core/naming.ts';
import { type AwsEmulator, startAwsEmulator } from '../../../lib/local/aws-emulator.ts';
import { ensureIdempotencyTable } from '../../../lib/local/aws-resources.ts';
import { FunctionHost } from '../../../lib/local/function-host/index.ts';
import { freePort } from '../../../lib/local/process-utils.ts';
import { runSteps, type Step } from './fixtures/dynamodb-calls-handler.ts';

const REGION = 'us-east-1';
const OTHER_TABLE = 'held-transport-other';
const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-held-transport-'));
let aws: AwsEmulator;
let host: FunctionHost;

beforeAll(async () => {
  aws = await startAwsEmulator({ port: await freePort(), dataDir: path.join(root, 'aws'), logDir: root });
  await ensureIdempotencyTable({ endpoint: aws.endpoint, region: REGION });
  // A table of the same layout that dynalite keeps (created and active before the calls).
  await ensureIdempotencyTable({ endpoint: aws.endpoint, region: REGION }, OTHER_TABLE);
  host = new FunctionHost({
    handlerFile: path.join(import.meta.dirname, 'fixtures/dynamodb-calls-handler.ts'),
    functionName: 'stratus-acme-transport',
    env: {
      AWS_ENDPOINT_URL: aws.endpoint,
      AWS_REGION: REGION,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    timeoutMs: 30_000,
  });
}, 120_000);
afterAll(async () => {
  await host?.close();
  await aws?.stop();
  rmSync(root, { recursive: true, force: true });
});

/** Calls on the held table (answered over the port), one it declines (DescribeTable), and another table. */
function steps(prefix: string): Step[] {
  const item = (id: string, status: string) => ({
    id: { S: `${prefix}#${id}` },
    status: { S: status },
    expiration: { N: '4102444800' },
  });
  return [
    { op: 'PutItem', input: { TableName: LOCAL_IDEMPOTENCY_TABLE, Item: item('a', 'COMPLETED') } },
    {
      op: 'GetItem',
      input: { TableName: LOCAL_IDEMPOTENCY_TABLE, Key: { id: { S: `${prefix}#a` } }, ConsistentRead: true },
    },
    {
      // A claim of a completed key: TransactionCanceledException with the stored item, through the port too.
      op: 'TransactWriteItems',
      input: {
        TransactItems: [
          {
            Put: {
              TableName: LOCAL_IDEMPOTENCY_TABLE,
              Item: item('a', 'INPROGRESS'),
              ConditionExpression: 'attribute_not_exists(#id)',
              ExpressionAttributeNames: { '#id': 'id' },
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            },
          },
          { Put: { TableName: LOCAL_IDEMPOTENCY_TABLE, Item: item('b', 'INPROGRESS') } },
        ],
      },
    },
    {
      op: 'BatchWriteItem',
      input: {
        RequestItems: {
          [LOCAL_IDEMPOTENCY_TABLE]: [
            { PutRequest: { Item: item('b', 'COMPLETED') } },
            { DeleteRequest: { Key: { id: { S: `${prefix}#a` } } } },
          ],
        },
      },
    },
    {
      op: 'GetItem',
      input: { TableName: LOCAL_IDEMPOTENCY_TABLE, Key: { id: { S: `${prefix}#b` } }, ConsistentRead: true },
    },
    // Control plane: the gateway leaves it to dynalite, so the port hands it back and it goes over HTTP.
    { op: 'DescribeTable', input: { TableName: LOCAL_IDEMPOTENCY_TABLE } },
    { op: 'PutItem', input: { TableName: OTHER_TABLE, Item: item('c', 'x') } },
    {
      op: 'GetItem',
      input: { TableName: OTHER_TABLE, Key: { id: { S: `${prefix}#c` } }, ConsistentRead: true },
    },
  ];
}

/** What may differ between two runs: the key prefix, and the table's item count and size. */
function comparable(results: unknown[], prefix: string): unknown {
  return JSON.parse(
    JSON.stringify(results, (key, value) =>
      key === 'Table' ? { TableName: value.TableName } : value,
    ).replaceAll(prefix, '<prefix>'),
  );
}

describe('the held table over the message port', () => {
  it('answers every call as HTTP does, and only the held table skips the socket', async () => {
    const viaPort = await host.invoke({ steps: steps('port') });
    expect(viaPort.ok, JSON.stringify(viaPort)).toBe(true);
    const port = (viaPort as { response: Array<{ op: string; http: number }> }).response;

    const client = new DynamoDBClient({
      ...awsClientConfig({ endpoint: aws.endpoint, region: REGION }),
      maxAttempts: 1,
    });
    const viaHttp = (await runSteps(client, steps('http'))) as Array<{ op: string; http: number }>;
    client.destroy();

    // Same outputs, errors and cancellation reasons.
    expect(
      comparable(
        port.map(({ http: _, ...rest }) => rest),
        'port',
      ),
    ).toEqual(
      comparable(
        viaHttp.map(({ http: _, ...rest }) => rest),
        'http',
      ),
    );
    expect(port[2]).toMatchObject({
      error: 'TransactionCanceledException',
      reasons: [
        { Code: 'ConditionalCheckFailed', Item: { id: { S: 'port#a' }, status: { S: 'COMPLETED' } } },
        { Code: 'None' },
      ],
    });
    expect(port[4]).toMatchObject({ output: { Item: { status: { S: 'COMPLETED' } } } });
    // Over HTTP every call is a request (two for the last three: the gateway, in this process too, forwards
    // them to dynalite); in the environment only the control plane and the other table are.
    expect(viaHttp.map((r) => r.http)).toEqual([1, 1, 1, 1, 1, 2, 2, 2]);
    expect(port.map((r) => `${r.op} ${r.http}`)).toEqual([
      'PutItem 0',
      'GetItem 0',
      'TransactWriteItems 0',
      'BatchWriteItem 0',
      'GetItem 0',
      'DescribeTable 1',
      'PutItem 1',
      'GetItem 1',
    ]);
  });
});
