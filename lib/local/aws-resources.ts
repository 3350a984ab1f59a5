/**
 * AWS resources the local pipelines need in the emulator, created at start. Each call is idempotent: the local
 * emulator keeps its state between runs (lib/local/aws-emulator.ts), and so do LocalStack or a real account.
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { awsClientConfig } from '../core/aws-client-config.ts';
import { LOCAL_IDEMPOTENCY_TABLE } from '../core/naming.ts';

export interface LocalAwsOptions {
  endpoint: string;
  region: string;
}

/**
 * The idempotency table every consumer with `idempotency:` shares: partition key `id` (string) and TTL on
 * `expiration`, the layout Powertools' DynamoDBPersistenceLayer expects by default
 * (https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/#required-resources).
 */
export async function ensureIdempotencyTable(
  options: LocalAwsOptions,
  tableName = LOCAL_IDEMPOTENCY_TABLE,
): Promise<string> {
  const client = new DynamoDBClient(awsClientConfig(options));
  try {
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (error) {
      if (!(error instanceof ResourceInUseException)) throw error;
    }
    await waitUntilTableExists({ client, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
    const table = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (table.Table?.TableStatus === 'ACTIVE') {
      await client
        .send(
          new UpdateTimeToLiveCommand({
            TableName: tableName,
            TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
          }),
        )
        .catch((error: Error) => {
          // TTL already on (an emulator that keeps state) is a ValidationException; nothing to do then.
          if (/already enabled|TimeToLive is already/i.test(error.message)) return;
          // dynalite (the local DynamoDB store) has no TTL at all. Powertools does not rely on it: a record
          // past its `expiration` is treated as absent by its own condition (`#expiry < :now`).
          if (error.name === 'UnknownOperationException') return;
          throw error;
        });
    }
    return tableName;
  } finally {
    client.destroy();
  }
}

/**
 * Releases the idempotency records a previous run left IN_PROGRESS. Powertools holds such a record until its
 * invocation's deadline (https://docs.powertools.aws.dev/lambda/typescript/latest/features/idempotency/#handling-lambda-timeouts);
 * on AWS the mapping retries a crashed invocation only after it timed out, so the lock has expired by then.
 * Locally a restart re-delivers at once, while the locks of invocations that died with the previous run still
 * hold: they would fail as "already in progress" until their retries ran out. Before this run invokes
 * anything, no invocation of it can hold a lock, so every IN_PROGRESS record is a dead one. COMPLETED records
 * stay: their records are skipped when delivered again. Returns how many were released.
 */
export async function releaseInProgressRecords(
  options: LocalAwsOptions,
  tableName = LOCAL_IDEMPOTENCY_TABLE,
): Promise<number> {
  const client = new DynamoDBClient(awsClientConfig(options));
  const names = { '#status': 'status' };
  const values = { ':inprogress': { S: 'INPROGRESS' } };
  let released = 0;
  try {
    let start: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new ScanCommand({
          TableName: tableName,
          FilterExpression: '#status = :inprogress',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ProjectionExpression: 'id',
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        await client
          .send(
            new DeleteItemCommand({
              TableName: tableName,
              Key: { id: item.id! },
              ConditionExpression: '#status = :inprogress',
              ExpressionAttributeNames: names,
              ExpressionAttributeValues: values,
            }),
          )
          .then(
            () => released++,
            (error: Error) => {
              if (!(error instanceof ConditionalCheckFailedException)) throw error;
            },
          );
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return released;
  } finally {
    client.destroy();
  }
}
