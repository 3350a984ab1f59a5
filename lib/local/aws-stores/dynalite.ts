/**
 * DynamoDB for local runs: dynalite (npm, MIT), DynamoDB's API on LevelDB in `<dir>`. A write is in LevelDB's
 * log before it is answered, so items survive a crash of anything but the machine. It serves what Powertools'
 * idempotency uses (conditional PutItem, consistent GetItem, UpdateItem, DeleteItem; see
 * test/integration/local/aws-stores.test.ts); it does not return the old item on a failed condition
 * (ReturnValuesOnConditionCheckFailure), so Powertools reads it with a GetItem instead.
 */
import { fileURLToPath } from 'node:url';
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
