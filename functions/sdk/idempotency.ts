/**
 * Per-record idempotency with Powertools Idempotency. The key is the manifest's JMESPath applied to the decoded
 * record (`value.eventId`, or `[topic, partition, offset]` by default), the TTL the manifest's.
 *
 * A record is marked COMPLETED only once the batch it belongs to is committed (its outputs and dead letters
 * acknowledged by Kafka). Until then it stays IN_PROGRESS; if the handler throws or the batch cannot be
 * committed, Powertools deletes the record, so the event-source mapping's retry really processes it again.
 * Marking a record complete as soon as the handler returned would lose its outputs when their production
 * failed: the retry would skip it as a duplicate.
 */
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';
import { BatchingDynamoDBPersistenceLayer } from './idempotency-store.ts';
import { compileKeySelector } from './key-path.ts';

export interface IdempotencyOptions {
  /**
   * Where idempotency records live. Tests and benchmarks may pass another Powertools persistence layer.
   * @default Powertools' DynamoDB layer on STRATUS_IDEMPOTENCY_TABLE with batched end-of-invocation writes
   * (idempotency-store.ts); honours AWS_ENDPOINT_URL
   */
  persistenceStore?: BasePersistenceLayer;
  /**
   * Completed keys kept in memory per container, so a duplicate within a warm container costs no DynamoDB call.
   * @default 1000
   */
  maxLocalCacheSize?: number;
}

export interface IdempotencySettings {
  /** JMESPath into the decoded record. */
  key: string;
  ttlSeconds: number;
  table: string;
  /** Prefix of every key in the table: the function name, so functions never see each other's keys. */
  keyPrefix: string;
}

export interface IdempotencyKey {
  /** What the manifest's JMESPath selects from the record. */
  selection: unknown;
  /** The selection as JSON: equal keys have equal ids. */
  id: string;
}

export type IdempotentRun<R> =
  | { duplicate: true }
  | {
      duplicate: false;
      result: R;
      /** Settles once the record is marked COMPLETED (or deleted, when the batch was not committed). */
      completion: Promise<unknown>;
    };

/** Runs record handlers at most once per idempotency key. One per container. */
export interface RecordIdempotency {
  /** Gives Powertools the invocation's remaining time: IN_PROGRESS records expire with the invocation. */
  registerLambdaContext(context: Context): void;
  /** The record's key (`undefined` when the key selects nothing: the record is processed without idempotency). */
  keyOf(record: object): IdempotencyKey | undefined;
  /**
   * Runs `work` unless the key was already completed. The key becomes COMPLETED when `committed` resolves; it
   * is deleted when `work` throws or `committed` rejects.
   */
  run<R>(key: IdempotencyKey, work: () => Promise<R>, committed: Promise<void>): Promise<IdempotentRun<R>>;
  /**
   * Claims the keys of an invocation's records at once, before any runs (where the store can: one transaction
   * per 100 keys on DynamoDB); `run` then finds its key's claim made. Keys must be distinct. Before the
   * invocation returns, `releaseUnused` of the result deletes the claims no `run` used (records not run).
   */
  claimAll(keys: IdempotencyKey[]): ClaimedKeys;
}

/** The keys one `claimAll` claimed. */
export interface ClaimedKeys {
  /** Deletes the claims no `run` used; call it before the invocation returns. */
  releaseUnused(): Promise<void>;
}

/**
 * The AWS SDK v3 reads AWS_ENDPOINT_URL by itself (verified against moto); against an emulator the function may
 * have no credentials or region at all, and the emulator accepts any, so supply placeholders there only.
 */
export function emulatorClientConfig(env: NodeJS.ProcessEnv): DynamoDBClientConfig | undefined {
  if (!env.AWS_ENDPOINT_URL) return undefined;
  const config: DynamoDBClientConfig = {};
  if (!env.AWS_REGION && !env.AWS_DEFAULT_REGION) config.region = 'us-east-1';
  if (!env.AWS_ACCESS_KEY_ID)
    config.credentials = { accessKeyId: 'stratus-local', secretAccessKey: 'stratus-local' };
  return config;
}

interface Call {
  work: () => Promise<unknown>;
  committed: Promise<void>;
  onResult: (result: unknown) => void;
  onError: (error: unknown) => void;
}

export function createRecordIdempotency(
  settings: IdempotencySettings,
  options: IdempotencyOptions = {},
): RecordIdempotency {
  // Powertools gets the key's selection as the payload with no JMESPath of its own: the selection is computed
  // once per record (see key-path.ts) instead of three times, and the stored key is the same hash Powertools
  // computes from `eventKeyJmesPath` (md5 of the selection's JSON), so tables stay compatible.
  const selectKey = compileKeySelector(settings.key);
  const config = new IdempotencyConfig({
    expiresAfterSeconds: settings.ttlSeconds,
    useLocalCache: true,
    maxLocalCacheSize: options.maxLocalCacheSize ?? 1000,
  });
  const persistenceStore =
    options.persistenceStore ??
    new BatchingDynamoDBPersistenceLayer({
      tableName: settings.table,
      clientConfig: emulatorClientConfig(process.env),
    });

  // Configured now rather than on the first record, as Powertools would: claimAll may come first.
  persistenceStore.configure({ config, keyPrefix: settings.keyPrefix });
  const batching =
    persistenceStore instanceof BatchingDynamoDBPersistenceLayer ? persistenceStore : undefined;

  const idempotent = makeIdempotent(
    async (_selection: unknown, call: Call) => {
      try {
        call.onResult(await call.work());
      } catch (error) {
        call.onError(error);
        throw error;
      }
      await call.committed;
      // Stored as the record's response; duplicates are skipped, never answered with it, so keep it tiny.
      return true;
    },
    { persistenceStore, config, keyPrefix: settings.keyPrefix, dataIndexArgument: 0 },
  );

  return {
    registerLambdaContext: (context) => config.registerLambdaContext(context),
    keyOf(record) {
      const selection = selectKey(record);
      return selection === null || selection === undefined
        ? undefined
        : { selection, id: JSON.stringify(selection) };
    },
    claimAll(keys) {
      if (!batching || keys.length < 2) return { releaseUnused: () => Promise.resolve() };
      const remaining = config.lambdaContext?.getRemainingTimeInMillis();
      const claimed = batching.claimAll(() => {
        // Failures (a duplicate, a store error) are Powertools' to judge when the record runs.
        for (const key of keys)
          batching
            .saveInProgress(key.selection as Parameters<typeof batching.saveInProgress>[0], remaining)
            .catch(() => {});
      });
      return { releaseUnused: () => batching.releaseUnused(claimed) };
    },
    run<R>(key: IdempotencyKey, work: () => Promise<R>, committed: Promise<void>) {
      return new Promise<IdempotentRun<R>>((resolve, reject) => {
        let ran = false;
        const completion = idempotent(key.selection, {
          work,
          committed,
          onResult: (result) => {
            ran = true;
            resolve({ duplicate: false, result: result as R, completion: completion.catch((e) => e) });
          },
          // Wait for Powertools to delete the IN_PROGRESS record before reporting the failure, so the retry
          // does not find it still in progress.
          onError: () => {
            ran = true;
          },
        });
        completion.then(
          // Resolved without running `work`: the key was already COMPLETED (a duplicate).
          () => {
            if (!ran) resolve({ duplicate: true });
          },
          (error) => {
            // Before `work` ran: the store failed or another invocation holds the key. After: `work` threw
            // (its error, the IN_PROGRESS record now deleted) or the batch was not committed.
            reject(error);
          },
        );
      });
    },
  };
}
