/**
 * Powertools' DynamoDB persistence layer with the end-of-batch writes grouped: marking records COMPLETED and
 * deleting the IN_PROGRESS records of a failed batch happen for every record of an invocation at the same moment
 * (after the commit), so they go to DynamoDB as BatchWriteItem calls of up to 25 items instead of one UpdateItem
 * or DeleteItem each. The claim (the conditional PutItem that makes a record IN_PROGRESS) and the reads stay
 * Powertools' own, one per record: DynamoDB has no batched conditional write outside transactions.
 *
 * Semantics are Powertools': the COMPLETED item written is the one its UpdateItem leaves (key, status, expiry,
 * response data); the in-progress expiry it would keep is only read while the status is INPROGRESS. Items
 * DynamoDB leaves unprocessed are sent again with backoff
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html); a record whose
 * write still fails rejects like a failed UpdateItem (the batch processor logs it as not marked complete).
 */
import { PERSISTENCE_ATTRIBUTE_KEY_MAPPINGS } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import {
  type AttributeValue,
  BatchWriteItemCommand,
  DynamoDBClient,
  type DynamoDBClientConfig,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';

/** BatchWriteItem's limit. */
const MAX_ITEMS_PER_CALL = 25;
const MAX_ATTEMPTS = 8;

interface PendingWrite {
  key: string;
  request: WriteRequest;
  done: (error?: unknown) => void;
}

export interface BatchingPersistenceOptions {
  tableName: string;
  clientConfig?: DynamoDBClientConfig;
}

export class BatchingDynamoDBPersistenceLayer extends DynamoDBPersistenceLayer {
  readonly #client: DynamoDBClient;
  readonly #tableName: string;
  #pending: PendingWrite[] = [];
  #flushScheduled = false;

  constructor(options: BatchingPersistenceOptions) {
    const client = new DynamoDBClient(options.clientConfig ?? {});
    super({ tableName: options.tableName, awsSdkV3Client: client });
    this.#client = client;
    this.#tableName = options.tableName;
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
        const unprocessed = new Set(
          (answer.UnprocessedItems?.[this.#tableName] ?? []).map((request) => requestKey(request)),
        );
        for (const write of left) if (!unprocessed.has(requestKey(write.request))) write.done();
        left = left.filter((write) => unprocessed.has(requestKey(write.request)));
        if (left.length === 0) return;
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
