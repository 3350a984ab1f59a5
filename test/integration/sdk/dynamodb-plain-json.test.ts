/**
 * The idempotency store's batched writes with bodies written by `JSON.stringify` (functions/sdk/dynamodb-plain-json.ts)
 * send what the AWS SDK's own serializer sends. Both clients are the real AWS SDK; a local HTTP server records
 * their requests (the bodies are what is compared, so no DynamoDB answers them). That DynamoDB accepts and
 * applies them is shown by test/integration/sdk/idempotency-claims.test.ts, whose store uses it on dynalite and
 * on the gateway's table.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  BatchWriteItemCommand,
  type BatchWriteItemCommandInput,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  type TransactWriteItemsCommandInput,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeBatchesAsPlainJson } from '../../../functions/sdk/dynamodb-plain-json.ts';
import { CLAIM_CONDITION, CLAIM_CONDITION_NAMES } from '../../../functions/sdk/idempotency-store.ts';

interface Recorded {
  url: string;
  headers: IncomingHttpHeaders;
  text: string;
  body: Record<string, unknown>;
}

let server: Server;
const recorded: Recorded[] = [];
let sdkClient: DynamoDBClient;
let plainJsonClient: DynamoDBClient;

beforeAll(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString();
    });
    request.on('end', () => {
      recorded.push({ url: request.url!, headers: request.headers, text: body, body: JSON.parse(body) });
      const target = String(request.headers['x-amz-target']);
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(target.endsWith('.BatchWriteItem') ? '{"UnprocessedItems":{}}' : '{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = () =>
    new DynamoDBClient({
      endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      region: 'eu-west-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
  sdkClient = client();
  plainJsonClient = client();
  writeBatchesAsPlainJson(plainJsonClient);
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The request each client sends for the same command input. */
async function sendBoth(command: (input: never) => object, input: object): Promise<[Recorded, Recorded]> {
  const sent: Recorded[] = [];
  for (const c of [sdkClient, plainJsonClient]) {
    recorded.length = 0;
    await c.send(command(input as never) as never);
    sent.push(recorded[0]!);
  }
  return sent as [Recorded, Recorded];
}

/** Powertools' claim as the store writes it, plus every other kind of attribute value but binary. */
const claim = (key: string) => ({
  Put: {
    TableName: 'stratus-idempotency',
    Item: {
      id: { S: key },
      expiration: { N: '1764662400' },
      status: { S: 'INPROGRESS' },
      in_progress_expiration: { N: '1764658800123' },
      note: { S: 'quotes " backslashes \\ newlines \n unicode é 😀 \u0001' },
      data: { M: { ok: { BOOL: true }, none: { NULL: true }, list: { L: [{ N: '-1.5e3' }, { S: '' }] } } },
      sets: { M: { strings: { SS: ['a', 'b'] }, numbers: { NS: ['1', '2.5'] } } },
    },
    ConditionExpression: CLAIM_CONDITION,
    ExpressionAttributeNames: CLAIM_CONDITION_NAMES,
    ExpressionAttributeValues: {
      ':now': { N: '1764658800.123' },
      ':now_in_millis': { N: '1764658800123' },
      ':inprogress': { S: 'INPROGRESS' },
    },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  },
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('batched writes with bodies written by JSON.stringify', () => {
  it('sends TransactWriteItems as the SDK does: same target, headers and body, and a client request token of its own', async () => {
    const input: TransactWriteItemsCommandInput = {
      TransactItems: [
        claim('a'),
        claim('b'),
        { Delete: { TableName: 'stratus-idempotency', Key: { id: { S: 'c' } } } },
        {
          ConditionCheck: {
            TableName: 'stratus-idempotency',
            Key: { id: { S: 'd' } },
            ConditionExpression: 'attribute_exists(id)',
          },
        },
      ],
    };
    const [sdk, plain] = await sendBoth((i) => new TransactWriteItemsCommand(i), input);
    expect(plain.url).toBe(sdk.url);
    for (const header of ['x-amz-target', 'content-type', 'host'])
      expect(plain.headers[header]).toBe(sdk.headers[header]);
    expect(plain.headers['x-amz-target']).toBe('DynamoDB_20120810.TransactWriteItems');
    expect(plain.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\//);
    // The SDK fills in the idempotency token when the input has none; so does the plain path, with another value.
    expect(sdk.body.ClientRequestToken).toMatch(UUID);
    expect(plain.body.ClientRequestToken).toMatch(UUID);
    expect({ ...plain.body, ClientRequestToken: 'token' }).toEqual({
      ...sdk.body,
      ClientRequestToken: 'token',
    });
    // Written by JSON.stringify (the SDK writes members in its schema's order, Item before TableName).
    expect(plain.text).toBe(JSON.stringify({ ...input, ClientRequestToken: plain.body.ClientRequestToken }));
    expect(sdk.text).not.toBe(JSON.stringify({ ...input, ClientRequestToken: sdk.body.ClientRequestToken }));

    const [sdkWithToken, plainWithToken] = await sendBoth((i) => new TransactWriteItemsCommand(i), {
      ...input,
      ClientRequestToken: 'caller-token',
    });
    expect(plainWithToken.body).toEqual(sdkWithToken.body);
  });

  it('sends BatchWriteItem as the SDK does', async () => {
    const input: BatchWriteItemCommandInput = {
      // Before RequestItems, unlike the SDK's schema: which path wrote the body shows in its text.
      ReturnConsumedCapacity: 'NONE',
      RequestItems: {
        'stratus-idempotency': [
          { PutRequest: { Item: { id: { S: 'a' }, status: { S: 'COMPLETED' }, data: { BOOL: true } } } },
          { PutRequest: { Item: { id: { S: 'é 😀 "quoted"' }, expiration: { N: '1764662400' } } } },
          { DeleteRequest: { Key: { id: { S: 'b' } } } },
        ],
      },
    };
    const [sdk, plain] = await sendBoth((i) => new BatchWriteItemCommand(i), input);
    expect(plain.headers['x-amz-target']).toBe('DynamoDB_20120810.BatchWriteItem');
    expect(plain.headers['content-type']).toBe(sdk.headers['content-type']);
    expect(plain.body).toEqual(sdk.body);
    expect(plain.text).toBe(JSON.stringify(input));
  });

  it("leaves every other operation to the SDK's serializer", async () => {
    const [sdk, plain] = await sendBoth((i) => new PutItemCommand(i), {
      TableName: 't',
      Item: { id: { S: 'a' }, blob: { B: new Uint8Array([1, 2, 255]) } },
    });
    // Binary is base64 in DynamoDB JSON; JSON.stringify would have written an object of indexes.
    expect(plain.body).toEqual({ TableName: 't', Item: { id: { S: 'a' }, blob: { B: 'AQL/' } } });
    expect(plain.body).toEqual(sdk.body);
  });

  it('leaves a client alone whose SDK has no protocol object to build requests (older AWS SDK versions)', () => {
    // A stand-in for such a client: the installed SDK always has one.
    const older = { config: {} } as unknown as DynamoDBClient;
    expect(() => writeBatchesAsPlainJson(older)).not.toThrow();
    expect(older.config).toEqual({});
  });
});
