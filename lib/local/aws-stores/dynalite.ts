/**
 * DynamoDB for local runs: dynalite (npm, MIT), DynamoDB's API on LevelDB in `<dir>`. A write is in LevelDB's
 * log before it is answered, so items survive a crash of anything but the machine. It serves what Powertools'
 * idempotency uses (conditional PutItem, consistent GetItem, UpdateItem, DeleteItem; see
 * test/integration/local/aws-stores.test.ts); it does not return the old item on a failed condition
 * (ReturnValuesOnConditionCheckFailure), so Powertools reads it with a GetItem instead.
 */
import { fileURLToPath } from 'node:url';
import type { StoreCall } from './dynamodb-transactions.ts';
import { answersHttp, type StoreProcess, startStoreProcess } from './server-process.ts';

export interface DynamoDbStoreOptions {
  dataDir: string;
  logFile: string;
  signal?: AbortSignal;
}

export function startDynamoDbStore(options: DynamoDbStoreOptions): Promise<StoreProcess> {
  // dynalite's CLI, started with its speed-ups (dynalite-speedups.cjs).
  const entry = fileURLToPath(new URL('./dynalite-speedups.cjs', import.meta.url));
  return startStoreProcess({
    name: 'DynamoDB store (dynalite)',
    command: process.execPath,
    args: (port) => [
      entry,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--path',
      options.dataDir,
      // A table is ACTIVE at once: one caught in CREATING by a crash would stay there.
      '--createTableMs',
      '0',
      '--deleteTableMs',
      '0',
      '--updateTableMs',
      '0',
    ],
    logFile: options.logFile,
    ready: answersHttp,
    signal: options.signal,
  });
}

/**
 * One JSON call straight to dynalite at `url`, for the emulator's own work on it (opening the memory tables):
 * no client, no gateway. dynalite wants a SigV4-shaped Authorization header, and checks no signature.
 */
export function dynaliteCall(url: string): StoreCall {
  return async (operation, body) => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
        'x-amz-date': '20260101T000000Z',
        authorization:
          'AWS4-HMAC-SHA256 Credential=stratus/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, payload: JSON.parse(text || '{}') as Record<string, unknown> };
  };
}
