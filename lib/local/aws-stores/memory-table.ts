/**
 * A DynamoDB table with a single-attribute hash key, held in a Map: the item operations of DynamoDB's JSON API
 * for the tables the gateway serves itself (the idempotency table), without dynalite's LevelDB and validation
 * and without a second HTTP hop. Every operation runs synchronously, so each request is atomic (JS is
 * single-threaded); a write returns the change it made, which durable-table.ts logs before anyone hears of it.
 *
 * Served: GetItem, PutItem, UpdateItem (`SET name = :value, …`), DeleteItem, BatchGetItem, BatchWriteItem,
 * TransactWriteItems (parsing and cancellation reasons shared with dynamodb-transactions.ts), Scan (the whole
 * table, paged by Limit/ExclusiveStartKey and DynamoDB's 1 MB, FilterExpression and ProjectionExpression on
 * top-level attributes). Answers are DynamoDB's JSON, as the AWS SDK parses it
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html).
 * Refused with a ValidationException naming it: the legacy parameters (Expected, AttributeUpdates,
 * AttributesToGet, ScanFilter…), parallel scans, Query and TransactGetItems. Not emulated: item size limits,
 * reserved-word checks, number normalisation ("1.50" is kept as written), consumed capacity.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { ConditionValidationError, evaluateCondition, type Item } from './dynamodb-condition.ts';
import {
  checkPlaceholdersUsed,
  parseProjection,
  parseSetExpression,
  project,
} from './dynamodb-expressions.ts';
import {
  cancellation,
  type DynamoDbAnswer,
  duplicateActions,
  parseTransactItems,
  putKey,
  validation,
} from './dynamodb-transactions.ts';

/** What a write did, as the log keeps it: one entry per request, so a transaction replays all or nothing. */
export type TableChange = { put?: Item[]; delete?: Item[] } | { clear: true };

export interface TableOutcome {
  answer: DynamoDbAnswer;
  /** Set when the request changed the table. */
  change?: TableChange;
}

export type KeyType = 'S' | 'N' | 'B';

const MAX_BATCH_GET = 100;
const MAX_BATCH_WRITE = 25;
/** DynamoDB stops a Scan page at 1 MB of items read. */
const MAX_SCAN_BYTES = 1024 * 1024;
const CONDITION_FAILED = 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException';
/** Parameters refused per operation: the legacy ones (expressions replace them) and parallel scans. */
const LEGACY: Record<string, string[]> = {
  GetItem: ['AttributesToGet'],
  PutItem: ['Expected', 'ConditionalOperator'],
  UpdateItem: ['AttributeUpdates', 'Expected', 'ConditionalOperator'],
  DeleteItem: ['Expected', 'ConditionalOperator'],
  Scan: ['AttributesToGet', 'ScanFilter', 'ConditionalOperator', 'Segment', 'TotalSegments', 'IndexName'],
};

export class MemoryTable {
  readonly #items = new Map<string, Item>();
  /** The keys in order, for Scan's paging; rebuilt after the key set changed. */
  #sorted: string[] | undefined;

  constructor(
    readonly name: string,
    readonly keyName: string,
    readonly keyType: KeyType = 'S',
  ) {}

  get size(): number {
    return this.#items.size;
  }

  items(): IterableIterator<Item> {
    return this.#items.values();
  }

  /** Applies a logged change (replay) or one just made. */
  apply(change: TableChange): void {
    if ('clear' in change) {
      this.#items.clear();
      this.#sorted = undefined;
      return;
    }
    for (const item of change.put ?? []) this.#set(this.#identity(item[this.keyName]), item);
    for (const key of change.delete ?? []) this.#delete(this.#identity(key[this.keyName]));
  }

  /** Runs one DynamoDB operation on the table. */
  serve(operation: string, body: Record<string, unknown>): TableOutcome {
    try {
      for (const parameter of LEGACY[operation] ?? [])
        if (body[parameter] !== undefined)
          throw new ConditionValidationError(
            `the local DynamoDB store does not emulate the parameter ${parameter} (${operation} on ${this.name}, which it holds in memory)`,
          );
      switch (operation) {
        case 'GetItem':
          return this.#getItem(body);
        case 'PutItem':
          return this.#putItem(body);
        case 'UpdateItem':
          return this.#updateItem(body);
        case 'DeleteItem':
          return this.#deleteItem(body);
        case 'BatchGetItem':
          return this.#batchGetItem(body);
        case 'BatchWriteItem':
          return this.#batchWriteItem(body);
        case 'TransactWriteItems':
          return this.#transactWriteItems(body);
        case 'Scan':
          return this.#scan(body);
        default:
          throw new ConditionValidationError(
            `the local DynamoDB store does not emulate ${operation} on ${this.name}, which it holds in memory`,
          );
      }
    } catch (error) {
      if (error instanceof ConditionValidationError) return { answer: validation(error.message) };
      throw error;
    }
  }

  #getItem(body: Record<string, unknown>): TableOutcome {
    const identity = this.#keyIdentity(body.Key);
    const { names } = placeholders(body);
    checkPlaceholdersUsed([body.ProjectionExpression], names, undefined);
    const item = this.#items.get(identity);
    return ok(item ? { Item: project(item, projection(body)) } : {});
  }

  #putItem(body: Record<string, unknown>): TableOutcome {
    const item = this.#checkItem(body.Item);
    const returnOld = returnValues(body, ['NONE', 'ALL_OLD']) === 'ALL_OLD';
    const { names, values } = placeholders(body);
    checkPlaceholdersUsed([body.ConditionExpression], names, values);
    const identity = this.#identity(item[this.keyName]);
    const old = this.#items.get(identity);
    const failed = conditionFailure(body, old);
    if (failed) return failed;
    this.#set(identity, item);
    return { answer: okAnswer(returnOld && old ? { Attributes: old } : {}), change: { put: [item] } };
  }

  #updateItem(body: Record<string, unknown>): TableOutcome {
    const identity = this.#keyIdentity(body.Key);
    const returned = returnValues(body, ['NONE', 'ALL_OLD', 'ALL_NEW', 'UPDATED_OLD', 'UPDATED_NEW']);
    const { names, values } = placeholders(body);
    checkPlaceholdersUsed([body.UpdateExpression, body.ConditionExpression], names, values);
    const assigned =
      typeof body.UpdateExpression === 'string'
        ? parseSetExpression(body.UpdateExpression, names, values)
        : [];
    if (assigned.some(([name]) => name === this.keyName))
      throw new ConditionValidationError(
        `One or more parameter values were invalid: Cannot update attribute ${this.keyName}. This attribute is part of the key`,
      );
    const old = this.#items.get(identity);
    const failed = conditionFailure(body, old);
    if (failed) return failed;
    const next: Item = { ...(old ?? (body.Key as Item)) };
    for (const [name, value] of assigned) next[name] = value;
    this.#set(identity, next);
    const updatedNames = assigned.map(([name]) => name);
    const attributes = {
      NONE: undefined,
      ALL_OLD: old,
      ALL_NEW: next,
      UPDATED_OLD: old && project(old, updatedNames),
      UPDATED_NEW: project(next, updatedNames),
    }[returned];
    return {
      answer: okAnswer(attributes && Object.keys(attributes).length > 0 ? { Attributes: attributes } : {}),
      change: { put: [next] },
    };
  }

  #deleteItem(body: Record<string, unknown>): TableOutcome {
    const identity = this.#keyIdentity(body.Key);
    const returnOld = returnValues(body, ['NONE', 'ALL_OLD']) === 'ALL_OLD';
    const { names, values } = placeholders(body);
    checkPlaceholdersUsed([body.ConditionExpression], names, values);
    const old = this.#items.get(identity);
    const failed = conditionFailure(body, old);
    if (failed) return failed;
    const answer = okAnswer(returnOld && old ? { Attributes: old } : {});
    if (!old) return { answer };
    this.#delete(identity);
    return { answer, change: { delete: [keyOf(old, this.keyName)] } };
  }

  #batchGetItem(body: Record<string, unknown>): TableOutcome {
    const request = this.#ownRequest(body, 'BatchGetItem') as Record<string, unknown>;
    const keys = Array.isArray(request.Keys) ? (request.Keys as unknown[]) : [];
    if (keys.length === 0 || keys.length > MAX_BATCH_GET)
      throw new ConditionValidationError(
        keys.length === 0
          ? `1 validation error detected: Value at 'requestItems.${this.name}.member.keys' failed to satisfy constraint: Member must have length greater than or equal to 1`
          : 'Too many items requested for the BatchGetItem call',
      );
    checkPlaceholdersUsed(
      [request.ProjectionExpression],
      request.ExpressionAttributeNames as Record<string, string> | undefined,
      undefined,
    );
    if (request.AttributesToGet !== undefined)
      throw new ConditionValidationError(
        'the local DynamoDB store does not emulate the legacy parameter AttributesToGet (BatchGetItem); use ProjectionExpression',
      );
    const identities = keys.map((key) => this.#keyIdentity(key));
    if (new Set(identities).size !== identities.length)
      throw new ConditionValidationError('Provided list of item keys contains duplicates');
    const attributes = projection(request);
    const found = identities.flatMap((identity) => {
      const item = this.#items.get(identity);
      return item ? [project(item, attributes)] : [];
    });
    return ok({ Responses: { [this.name]: found }, UnprocessedKeys: {} });
  }

  #batchWriteItem(body: Record<string, unknown>): TableOutcome {
    const requests = this.#ownRequest(body, 'BatchWriteItem');
    if (!Array.isArray(requests) || requests.length === 0 || requests.length > MAX_BATCH_WRITE)
      throw new ConditionValidationError(
        `1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Map value must satisfy constraint: [Member must have length less than or equal to ${MAX_BATCH_WRITE}, Member must have length greater than or equal to 1]`,
      );
    const puts: Item[] = [];
    const deletes: Item[] = [];
    const identities: string[] = [];
    for (const request of requests as Array<Record<string, { Item?: unknown; Key?: unknown }>>) {
      const kinds = Object.keys(request ?? {});
      if (kinds.length !== 1 || !['PutRequest', 'DeleteRequest'].includes(kinds[0]!))
        throw new ConditionValidationError(
          'Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes',
        );
      if (request.PutRequest) {
        const item = this.#checkItem(request.PutRequest.Item);
        identities.push(this.#identity(item[this.keyName]));
        puts.push(item);
      } else {
        identities.push(this.#keyIdentity(request.DeleteRequest?.Key));
        deletes.push(request.DeleteRequest!.Key as Item);
      }
    }
    if (new Set(identities).size !== identities.length)
      throw new ConditionValidationError('Provided list of item keys contains duplicates');
    const change = { put: puts, delete: deletes };
    this.apply(change);
    return { answer: okAnswer({ UnprocessedItems: {} }), change };
  }

  #transactWriteItems(body: Record<string, unknown>): TableOutcome {
    const requested = parseTransactItems(body);
    if (!Array.isArray(requested)) return { answer: requested };
    const actions = [];
    for (const [index, action] of requested.entries()) {
      let key = action.key;
      if (action.kind === 'Put') {
        const found = putKey(action.item!, [this.keyName], index);
        if ('status' in found) return { answer: found as DynamoDbAnswer };
        this.#checkItem(action.item);
        key = found as Item;
      }
      this.#keyIdentity(key);
      actions.push({ ...action, key: key! });
    }
    const duplicate = duplicateActions(actions);
    if (duplicate) return { answer: duplicate };
    const identities = actions.map((action) => this.#identity(action.key[this.keyName]));
    const cancelled = cancellation(
      actions,
      identities.map((identity) => this.#items.get(identity)),
    );
    if (cancelled) return { answer: cancelled };
    const change = {
      put: actions.filter((a) => a.kind === 'Put').map((a) => a.item!),
      delete: actions.filter((a) => a.kind === 'Delete').map((a) => a.key),
    };
    this.apply(change);
    return { answer: okAnswer({}), change };
  }

  #scan(body: Record<string, unknown>): TableOutcome {
    const { names, values } = placeholders(body);
    checkPlaceholdersUsed([body.FilterExpression, body.ProjectionExpression], names, values);
    const limit = body.Limit === undefined ? Number.POSITIVE_INFINITY : Number(body.Limit);
    if (!Number.isInteger(limit) && limit !== Number.POSITIVE_INFINITY)
      throw new ConditionValidationError('Limit must be an integer');
    if (limit < 1)
      throw new ConditionValidationError(
        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
      );
    const select = body.Select ?? (body.ProjectionExpression ? 'SPECIFIC_ATTRIBUTES' : 'ALL_ATTRIBUTES');
    if (!['ALL_ATTRIBUTES', 'SPECIFIC_ATTRIBUTES', 'COUNT'].includes(String(select)))
      throw new ConditionValidationError(
        `the local DynamoDB store does not emulate Select ${String(select)}`,
      );
    const filter =
      typeof body.FilterExpression === 'string'
        ? { expression: body.FilterExpression, names, values }
        : undefined;
    const attributes = projection(body);
    const sorted = this.#sortedKeys();
    let at = 0;
    if (body.ExclusiveStartKey !== undefined) {
      const start = this.#keyIdentity(body.ExclusiveStartKey);
      at = firstAfter(sorted, start);
    }
    const items: Item[] = [];
    let scanned = 0;
    let bytes = 0;
    let last: Item | undefined;
    for (; at < sorted.length && scanned < limit && bytes < MAX_SCAN_BYTES; at++) {
      const item = this.#items.get(sorted[at]!)!;
      scanned++;
      bytes += JSON.stringify(item).length;
      last = item;
      if (!filter || evaluateCondition(filter, item)) items.push(project(item, attributes));
    }
    // As DynamoDB: a page that stopped at its Limit or at 1 MB names where it stopped, even at the table's end.
    const stopped = scanned >= limit || bytes >= MAX_SCAN_BYTES;
    return ok({
      ...(select === 'COUNT' ? {} : { Items: items }),
      Count: items.length,
      ScannedCount: scanned,
      ...(stopped && last ? { LastEvaluatedKey: keyOf(last, this.keyName) } : {}),
    });
  }

  /** The request's entry for this table (the gateway sends only requests naming this table alone). */
  #ownRequest(body: Record<string, unknown>, operation: string): unknown {
    const requestItems = (body.RequestItems ?? {}) as Record<string, unknown>;
    const tables = Object.keys(requestItems);
    if (tables.length !== 1 || tables[0] !== this.name)
      throw new ConditionValidationError(
        `the local DynamoDB store serves ${operation} on ${this.name} only for that table alone`,
      );
    return requestItems[this.name];
  }

  /** The identity of a Key, which must be exactly the table's key attribute. */
  #keyIdentity(key: unknown): string {
    const names = key && typeof key === 'object' ? Object.keys(key) : [];
    if (names.length !== 1 || names[0] !== this.keyName)
      throw new ConditionValidationError('The provided key element does not match the schema');
    return this.#identity((key as Item)[this.keyName]);
  }

  #checkItem(item: unknown): Item {
    if (!item || typeof item !== 'object' || Array.isArray(item))
      throw new ConditionValidationError(
        "1 validation error detected: Value null at 'item' failed to satisfy constraint: Member must not be null",
      );
    const value = (item as Item)[this.keyName];
    if (value === undefined)
      throw new ConditionValidationError(
        `One or more parameter values were invalid: Missing the key ${this.keyName} in the item`,
      );
    this.#identity(value);
    return item as Item;
  }

  /** The Map key of a key attribute's value; refuses a value of the wrong type or an empty one. */
  #identity(value: AttributeValue | undefined): string {
    const raw = (value as Record<string, unknown> | undefined)?.[this.keyType];
    if (typeof raw !== 'string' || Object.keys(value!).length !== 1) {
      const actual = value ? Object.keys(value)[0] : 'none';
      throw new ConditionValidationError(
        `One or more parameter values were invalid: Type mismatch for key ${this.keyName} expected: ${this.keyType} actual: ${actual}`,
      );
    }
    if (raw === '')
      throw new ConditionValidationError(
        `One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${this.keyName}`,
      );
    return raw;
  }

  #set(identity: string, item: Item): void {
    if (!this.#items.has(identity)) this.#sorted = undefined;
    this.#items.set(identity, item);
  }

  #delete(identity: string): void {
    if (this.#items.delete(identity)) this.#sorted = undefined;
  }

  #sortedKeys(): string[] {
    this.#sorted ??= [...this.#items.keys()].sort();
    return this.#sorted;
  }
}

function okAnswer(payload: Record<string, unknown>): DynamoDbAnswer {
  return { status: 200, payload };
}

function ok(payload: Record<string, unknown>): TableOutcome {
  return { answer: okAnswer(payload) };
}

function placeholders(body: Record<string, unknown>) {
  return {
    names: body.ExpressionAttributeNames as Record<string, string> | undefined,
    values: body.ExpressionAttributeValues as Record<string, AttributeValue> | undefined,
  };
}

function projection(body: Record<string, unknown>): string[] | undefined {
  return typeof body.ProjectionExpression === 'string'
    ? parseProjection(body.ProjectionExpression, body.ExpressionAttributeNames as Record<string, string>)
    : undefined;
}

function returnValues<T extends string>(body: Record<string, unknown>, allowed: T[]): T {
  const value = (body.ReturnValues ?? 'NONE') as T;
  if (!allowed.includes(value)) throw new ConditionValidationError('Return values set to invalid value');
  return value;
}

/** The ConditionalCheckFailedException when the request's condition fails on `old`, with it when ALL_OLD was asked. */
function conditionFailure(body: Record<string, unknown>, old: Item | undefined): TableOutcome | undefined {
  if (typeof body.ConditionExpression !== 'string') return undefined;
  const { names, values } = placeholders(body);
  if (evaluateCondition({ expression: body.ConditionExpression, names, values }, old)) return undefined;
  const withOld = body.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && old;
  return {
    answer: {
      status: 400,
      payload: {
        __type: CONDITION_FAILED,
        message: 'The conditional request failed',
        ...(withOld ? { Item: old } : {}),
      },
    },
  };
}

function keyOf(item: Item, keyName: string): Item {
  return { [keyName]: item[keyName]! };
}

/** Index of the first key after `key` in sorted `keys` (binary search). */
function firstAfter(keys: string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle]! <= key) low = middle + 1;
    else high = middle;
  }
  return low;
}
