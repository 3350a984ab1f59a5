/**
 * Powertools' DynamoDB persistence layer with its writes grouped per invocation, so idempotency costs a few
 * DynamoDB calls per batch rather than two per record:
 * - claims (the conditional put that makes a record IN_PROGRESS) of the records of an invocation are made at
 *   once, before the first handler runs ({@link BatchingDynamoDBPersistenceLayer.claimAll}): TransactWriteItems
 *   of up to 100 puts, each with Powertools' own item and condition. A key whose condition fails (a duplicate, or
 *   a record in progress elsewhere) cancels the transaction; its cancellation reason carries the stored item,
 *   which Powertools then judges as after its own failed PutItem, and the other keys are claimed again without
 *   it. When Powertools later claims a record, it gets that outcome; claims no record used are deleted
 *   ({@link BatchingDynamoDBPersistenceLayer.releaseUnused}).
 * - marking records COMPLETED and deleting the IN_PROGRESS records of a failed batch happen for every record of
 *   an invocation at the same moment (after the commit), so they go as BatchWriteItem calls of up to 25 items.
 * Transactions need no IAM action of their own: each put is authorised as a PutItem
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html).
 *
 * Semantics are Powertools': the COMPLETED item written is the one its UpdateItem leaves (key, status, expiry,
 * response data); the in-progress expiry it would keep is only read while the status is INPROGRESS. Items
 * DynamoDB leaves unprocessed are sent again with backoff
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html); a record whose
 * write still fails rejects like a failed UpdateItem (the batch processor logs it as not marked complete).
 */

import type { JSONValue } from '@aws-lambda-powertools/commons/types';
import {
  IdempotencyItemAlreadyExistsError,
  IdempotencyRecordStatus,
  PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type {
  IdempotencyRecordOptions,
  IdempotencyRecordStatusValue,
} from '@aws-lambda-powertools/idempotency/types';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type Put,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { writeBatchesAsPlainJson } from './dynamodb-plain-json.ts';

/** BatchWriteItem's limit. */
const MAX_ITEMS_PER_CALL = 25;
/** TransactWriteItems' limit. */
const MAX_CLAIMS_PER_TRANSACTION = 100;
const MAX_ATTEMPTS = 8;
/** Hashed keys remembered (getHashedIdempotencyKey): an invocation's records at most (MSK's largest batch). */
const MAX_REMEMBERED_KEYS = 10_000;
/** The table's partition key: Powertools' default `keyAttr` (the store sets no other, and no sort key). */
const KEY_ATTRIBUTE = 'id';

/**
 * The condition of Powertools' claim (DynamoDBPersistenceLayer `_putRecord`): the key is new, expired, or in
 * progress past its in-progress expiry.
 */
export const CLAIM_CONDITION =
  'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)';
export const CLAIM_CONDITION_NAMES: Readonly<Record<string, string>> = {
  '#id': KEY_ATTRIBUTE,
  '#expiry': PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.expiryAttr,
  '#in_progress_expiry': PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.inProgressExpiryAttr,
  '#status': PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.statusAttr,
};

interface PendingClaim {
  record: IdempotencyRecord;
  settle: (error?: unknown) => void;
}

interface PendingWrite {
  key: string;
  request: WriteRequest;
  done: (error?: unknown) => void;
}

export interface BatchingPersistenceOptions {
  tableName: string;
  clientConfig?: DynamoDBClientConfig;
  /**
   * The DynamoDB client (tests count its calls).
   * @default a client of `clientConfig`
   */
  client?: DynamoDBClient;
}

export class BatchingDynamoDBPersistenceLayer extends DynamoDBPersistenceLayer {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  #pending: PendingWrite[] = [];
  #flushScheduled = false;
  /** Outcomes of the claims made by claimAll, by idempotency key, until Powertools asks for them. */
  readonly #claimed = new Map<string, Promise<void>>();
  #claiming: PendingClaim[] | undefined;
  /** Hashed idempotency keys of string selections, for the key prefix they were hashed with. */
  readonly #hashedKeys = new Map<string, string>();
  #hashedKeysPrefix: string | undefined;

  constructor(options: BatchingPersistenceOptions) {
    const client = options.client ?? ownClient(options.clientConfig ?? {});
    super({ tableName: options.tableName, awsSdkV3Client: client });
    this.#client = client;
    this.#tableName = options.tableName;
  }

  /**
   * Claims the records `claim` asks Powertools to save as IN_PROGRESS (its `saveInProgress` calls, made at once),
   * in as few transactions as possible. Returns the keys claimed, for {@link releaseUnused}. A key another
   * invocation of this container claimed and has not used yet is left to it.
   */
  claimAll(claim: () => void): string[] {
    const claims: PendingClaim[] = [];
    this.#claiming = claims;
    try {
      claim();
    } finally {
      this.#claiming = undefined;
    }
    for (let start = 0; start < claims.length; start += MAX_CLAIMS_PER_TRANSACTION) {
      const chunk = claims.slice(start, start + MAX_CLAIMS_PER_TRANSACTION);
      // Whatever goes wrong, every claim is settled: a record waiting on one must never wait forever.
      this.#claimTogether(chunk).catch((error: unknown) => {
        for (const claim of chunk) claim.settle(error ?? new Error('claim failed'));
      });
    }
    return claims.map((c) => c.record.idempotencyKey);
  }

  /** Deletes the IN_PROGRESS records of `keys` (from claimAll) that no record went on to use. */
  async releaseUnused(keys: string[]): Promise<void> {
    const unused: Array<[string, Promise<void>]> = [];
    for (const key of keys) {
      const outcome = this.#claimed.get(key);
      if (!outcome) continue;
      this.#claimed.delete(key);
      unused.push([key, outcome]);
    }
    await Promise.all(
      unused.map(([key, outcome]) =>
        outcome.then(
          () => this.#enqueue(key, { DeleteRequest: { Key: this.getKey(key) } }),
          () => undefined,
        ),
      ),
    );
  }

  /**
   * Powertools hashes a record's key selection each time it needs the key — for the claim, for its own
   * `saveInProgress`, for `saveSuccess` — each time an md5 `createHash` (with the SigV4 hashes, ~5 % of an
   * execution environment's time with idempotency on, 50k records through `stratus dev`). The key of a string
   * selection (the usual `value.<id>`) is remembered while the key prefix, which Powertools sets again on every
   * invocation, stays the same.
   */
  protected override getHashedIdempotencyKey(data: JSONValue): string {
    if (typeof data !== 'string') return super.getHashedIdempotencyKey(data);
    if (this.#hashedKeysPrefix !== this.idempotencyKeyPrefix) {
      this.#hashedKeys.clear();
      this.#hashedKeysPrefix = this.idempotencyKeyPrefix;
    }
    let hashed = this.#hashedKeys.get(data);
    if (hashed === undefined) {
      hashed = super.getHashedIdempotencyKey(data);
      if (this.#hashedKeys.size >= MAX_REMEMBERED_KEYS) this.#hashedKeys.clear();
      this.#hashedKeys.set(data, hashed);
    }
    return hashed;
  }

  protected override _putRecord(record: IdempotencyRecord): Promise<void> {
    if (this.#claiming) {
      if (this.#claimed.has(record.idempotencyKey)) return Promise.resolve();
      const outcome = new Promise<void>((resolve, reject) =>
        this.#claiming!.push({ record, settle: (error) => (error ? reject(error) : resolve()) }),
      );
      // Nobody may ever ask for it (the record is not run): its failure is not unhandled.
      outcome.catch(() => {});
      this.#claimed.set(record.idempotencyKey, outcome);
      return outcome;
    }
    const claimed = this.#claimed.get(record.idempotencyKey);
    if (claimed) {
      this.#claimed.delete(record.idempotencyKey);
      return claimed;
    }
    return super._putRecord(record);
  }

  /** One transaction of conditional puts; keys whose condition failed are settled with the stored record. */
  async #claimTogether(claims: PendingClaim[]): Promise<void> {
    let left = claims;
    for (let attempt = 1; left.length > 0; attempt++) {
      if (left.length === 1) {
        // One put needs no transaction (and costs half the write capacity).
        const [only] = left as [PendingClaim];
        await super._putRecord(only.record).then(
          () => only.settle(),
          (error: unknown) => only.settle(error ?? new Error('claim failed')),
        );
        return;
      }
      try {
        const now = Date.now();
        // One set of condition values for the whole transaction, which DynamoDB applies at one moment anyway.
        const conditionValues: Record<string, AttributeValue> = {
          ':now': { N: String(now / 1000) },
          ':now_in_millis': { N: String(now) },
          ':inprogress': { S: IdempotencyRecordStatus.INPROGRESS },
        };
        await this.#client.send(
          new TransactWriteItemsCommand({
            TransactItems: left.map((claim) => ({ Put: this.#claimPut(claim.record, conditionValues) })),
          }),
        );
        for (const claim of left) claim.settle();
        return;
      } catch (error) {
        if (!(error instanceof TransactionCanceledException) || !error.CancellationReasons) {
          for (const claim of left) claim.settle(error);
          return;
        }
        const reasons = error.CancellationReasons;
        const retry: PendingClaim[] = [];
        for (const [index, claim] of left.entries()) {
          const reason = reasons[index];
          if (reason?.Code === 'ConditionalCheckFailed')
            claim.settle(
              new IdempotencyItemAlreadyExistsError(
                `Failed to put record for already existing idempotency key: ${claim.record.idempotencyKey}`,
                reason.Item && recordOf(unmarshall(reason.Item)),
              ),
            );
          else if (reason?.Code === 'None' || reason?.Code === 'TransactionConflict') retry.push(claim);
          else
            claim.settle(new Error(`DynamoDB cancelled the claim: ${reason?.Code} ${reason?.Message ?? ''}`));
        }
        if (retry.length > 0 && retry.length === left.length) {
          // Only conflicts with other transactions: wait before trying again.
          if (attempt >= MAX_ATTEMPTS) {
            for (const claim of retry) claim.settle(error);
            return;
          }
          await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
        }
        left = retry;
      }
    }
  }

  /**
   * Powertools' key, `marshall({ id: idempotencyKey })`, written out: it is built for every claim, mark and
   * release, and marshall's generic walk showed in the profiles.
   */
  protected override getKey(idempotencyKey: string): Record<string, AttributeValue> {
    return { [KEY_ATTRIBUTE]: { S: idempotencyKey } };
  }

  /** The put Powertools' `_putRecord` makes: its item and its condition (DynamoDBPersistenceLayer). */
  #claimPut(record: IdempotencyRecord, conditionValues: Record<string, AttributeValue>): Put {
    const { statusAttr, expiryAttr, inProgressExpiryAttr, validationKeyAttr } =
      PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS;
    const item: Record<string, AttributeValue> = {
      ...this.getKey(record.idempotencyKey),
      [expiryAttr]: { N: String(record.expiryTimestamp) },
      [statusAttr]: { S: record.getStatus() },
    };
    if (record.inProgressExpiryTimestamp !== undefined)
      item[inProgressExpiryAttr] = { N: String(record.inProgressExpiryTimestamp) };
    if (this.isPayloadValidationEnabled() && record.payloadHash !== undefined)
      item[validationKeyAttr] = { S: record.payloadHash };
    // The condition's names and values are shared by every put of the transaction (JSON writes each out).
    return {
      TableName: this.#tableName,
      Item: item,
      ConditionExpression: CLAIM_CONDITION,
      ExpressionAttributeNames: CLAIM_CONDITION_NAMES,
      ExpressionAttributeValues: conditionValues,
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    };
  }

  protected override _updateRecord(record: IdempotencyRecord): Promise<void> {
    // Payload validation stores one more attribute and other responses need marshalling; Stratus stores `true`
    // and does not validate payloads, anything else takes Powertools' own path.
    const data = record.responseData as unknown;
    if (this.isPayloadValidationEnabled() || (data !== undefined && typeof data !== 'boolean'))
      return super._updateRecord(record);
    const item: Record<string, AttributeValue> = {
      ...this.getKey(record.idempotencyKey),
      [PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.statusAttr]: { S: record.getStatus() },
      [PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.expiryAttr]: { N: String(record.expiryTimestamp) },
    };
    if (typeof data === 'boolean') item[PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS.dataAttr] = { BOOL: data };
    return this.#enqueue(record.idempotencyKey, { PutRequest: { Item: item } });
  }

  protected override _deleteRecord(record: IdempotencyRecord): Promise<void> {
    return this.#enqueue(record.idempotencyKey, {
      DeleteRequest: { Key: this.getKey(record.idempotencyKey) },
    });
  }

  #enqueue(key: string, request: WriteRequest): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ key, request, done: (error) => (error ? reject(error) : resolve()) });
      if (this.#flushScheduled) return;
      this.#flushScheduled = true;
      // Every record of an invocation is settled in the same turn of the event loop (after its commit).
      setImmediate(() => {
        this.#flushScheduled = false;
        const pending = this.#pending;
        this.#pending = [];
        const groups = chunks(pending);
        // Two writes of one key (rare: a key deleted and written again in one turn) must land in order.
        if (new Set(pending.map((w) => w.key)).size === pending.length)
          for (const chunk of groups) void this.#write(chunk);
        else
          void groups.reduce((previous, chunk) => previous.then(() => this.#write(chunk)), Promise.resolve());
      });
    });
  }

  async #write(chunk: PendingWrite[]): Promise<void> {
    let left = chunk;
    try {
      for (let attempt = 1; left.length > 0; attempt++) {
        const answer = await this.#client.send(
          new BatchWriteItemCommand({ RequestItems: { [this.#tableName]: left.map((w) => w.request) } }),
        );
        const unprocessedRequests = answer.UnprocessedItems?.[this.#tableName] ?? [];
        if (unprocessedRequests.length === 0) {
          // The usual answer: nothing to match up.
          for (const write of left) write.done();
          return;
        }
        const unprocessed = new Set(unprocessedRequests.map((request) => requestKey(request)));
        for (const write of left) if (!unprocessed.has(requestKey(write.request))) write.done();
        left = left.filter((write) => unprocessed.has(requestKey(write.request)));
        if (attempt >= MAX_ATTEMPTS)
          throw new Error(`DynamoDB left ${left.length} idempotency records unprocessed`);
        await new Promise((resolve) => setTimeout(resolve, 25 * 2 ** attempt));
      }
    } catch (error) {
      for (const write of left) write.done(error);
    }
  }
}

/** Chunks of at most 25, never two writes of one key in a chunk (BatchWriteItem refuses that). */
function chunks(writes: PendingWrite[]): PendingWrite[][] {
  const out: Array<{ keys: Set<string>; writes: PendingWrite[] }> = [];
  for (const write of writes) {
    let target = out.find((c) => c.writes.length < MAX_ITEMS_PER_CALL && !c.keys.has(write.key));
    if (!target) {
      target = { keys: new Set(), writes: [] };
      out.push(target);
    }
    target.keys.add(write.key);
    target.writes.push(write);
  }
  return out.map((c) => c.writes);
}

/** The item's key attribute (`id`, Powertools' default, which Stratus tables use). */
function requestKey(request: WriteRequest): string {
  return JSON.stringify(request.PutRequest?.Item?.id ?? request.DeleteRequest?.Key?.id);
}

/** A stored item as Powertools reads it back (DynamoDBPersistenceLayer `_getRecord`). */
function recordOf(item: Record<string, unknown>): IdempotencyRecord {
  const { statusAttr, expiryAttr, inProgressExpiryAttr, dataAttr, validationKeyAttr } =
    PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS;
  return new IdempotencyRecord({
    idempotencyKey: item.id as string,
    status: item[statusAttr] as IdempotencyRecordStatusValue,
    expiryTimestamp: item[expiryAttr] as number | undefined,
    inProgressExpiryTimestamp: item[inProgressExpiryAttr] as number | undefined,
    responseData: item[dataAttr] as IdempotencyRecordOptions['responseData'],
    payloadHash: item[validationKeyAttr] as string | undefined,
  });
}

/**
 * The store's own DynamoDB client, lighter per call than a default one; a client the caller passes in is left as
 * it is.
 * - Without the AWS SDK's logger middleware, which builds a redacted copy of every request and response for the
 *   client's logger — a walk over the whole input, on every call, even for the default no-op logger (smithy's
 *   `schemaLogFilter`: 5–8 % of an execution environment's CPU with idempotency on, a claim transaction carrying
 *   up to 100 items). This client is never given a logger, so there is nothing to lose.
 * - Its batched writes' bodies written by `JSON.stringify` (./dynamodb-plain-json.ts): the store's items are
 *   never binary.
 */
function ownClient(config: DynamoDBClientConfig): DynamoDBClient {
  const client = new DynamoDBClient(config);
  client.middlewareStack.remove('loggerMiddleware');
  writeBatchesAsPlainJson(client);
  return client;
}
