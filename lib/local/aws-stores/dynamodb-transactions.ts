/**
 * TransactWriteItems for the local DynamoDB store. dynalite has no transactions; the gateway, the one door to
 * dynalite, runs them itself: under an exclusive lock of the tables involved (other writes to those tables wait,
 * and a transaction waits for the writes in flight), it reads the items (BatchGetItem, consistent), evaluates
 * every condition (dynamodb-condition.ts), and either answers TransactionCanceledException with one
 * cancellation reason per action — in request order, `None` for the actions that were fine — or applies every
 * Put and Delete with BatchWriteItem. All or nothing, as DynamoDB does
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html); Update actions
 * are refused with a ValidationException naming them, ClientRequestToken idempotency is not emulated. The
 * request's parsing and the cancellation answer are shared with the tables the gateway holds in memory
 * (memory-table.ts), which run their transactions without a store.
 *
 * A crash of the gateway between two BatchWriteItem chunks (over 25 items) can leave part of a transaction
 * applied; the writes Stratus makes this way are idempotency claims, which expire on their own.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  type ConditionInput,
  ConditionValidationError,
  evaluateCondition,
  type Item,
} from './dynamodb-condition.ts';

/** One call to the DynamoDB store: its JSON answer, or its error as DynamoDB sent it. */
export type StoreCall = (
  operation: string,
  body: unknown,
) => Promise<{ status: number; payload: Record<string, unknown> }>;

export interface DynamoDbAnswer {
  status: number;
  payload: Record<string, unknown>;
}

interface Action {
  table: string;
  key: Item;
  kind: 'Put' | 'Delete' | 'ConditionCheck';
  item?: Item;
  condition?: ConditionInput;
  returnOld: boolean;
}

const MAX_ACTIONS = 100;
/** Writes per BatchWriteItem, DynamoDB's limit. */
export const WRITE_CHUNK = 25;
/** Calls for one BatchGetItem or BatchWriteItem whose keys the store keeps leaving unprocessed. */
const MAX_STORE_ATTEMPTS = 8;

/**
 * Per table: shared holders (single-item writes) or one exclusive holder (a transaction). A waiting transaction
 * holds back new shared holders, so a steady stream of writes cannot starve it.
 */
export class TableLocks {
  readonly #state = new Map<
    string,
    { shared: number; exclusive: boolean; exclusiveWaiting: number; waiting: Array<() => void> }
  >();

  async #acquire(table: string, exclusive: boolean): Promise<() => void> {
    let state = this.#state.get(table);
    if (!state) {
      state = { shared: 0, exclusive: false, exclusiveWaiting: 0, waiting: [] };
      this.#state.set(table, state);
    }
    const s = state;
    const blocked = () => s.exclusive || (exclusive ? s.shared > 0 : s.exclusiveWaiting > 0);
    if (exclusive) s.exclusiveWaiting++;
    try {
      while (blocked()) await new Promise<void>((wake) => s.waiting.push(wake));
    } finally {
      if (exclusive) s.exclusiveWaiting--;
    }
    if (exclusive) s.exclusive = true;
    else s.shared++;
    return () => {
      if (exclusive) s.exclusive = false;
      else s.shared--;
      for (const wake of s.waiting.splice(0)) wake();
    };
  }

  /** Holds `tables` shared (a single-item write) or exclusively (a transaction) while `work` runs. */
  async with<T>(tables: string[], exclusive: boolean, work: () => Promise<T>): Promise<T> {
    const releases: Array<() => void> = [];
    try {
      // In name order, so two transactions never wait for each other.
      for (const table of [...new Set(tables)].sort()) releases.push(await this.#acquire(table, exclusive));
      return await work();
    } finally {
      for (const release of releases.reverse()) release();
    }
  }
}

/** The single-item and batch writes, which hold their tables shared while a transaction holds them exclusively. */
const ITEM_WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']);

/** Whether a DynamoDB operation writes items outside a transaction. */
export function isItemWrite(operation: string): boolean {
  return ITEM_WRITES.has(operation);
}

/** The tables an item write names. */
export function tablesWritten(operation: string, body: Record<string, unknown>): string[] {
  if (operation === 'BatchWriteItem')
    return body.RequestItems && typeof body.RequestItems === 'object' ? Object.keys(body.RequestItems) : [];
  return typeof body.TableName === 'string' ? [body.TableName] : [];
}

/** Every table a DynamoDB request names (TableName, RequestItems, TransactItems), for routing it. */
export function tablesNamed(body: Record<string, unknown>): string[] {
  const tables = new Set<string>();
  if (typeof body.TableName === 'string') tables.add(body.TableName);
  if (body.RequestItems && typeof body.RequestItems === 'object')
    for (const table of Object.keys(body.RequestItems)) tables.add(table);
  if (Array.isArray(body.TransactItems))
    for (const entry of body.TransactItems as Array<Record<string, { TableName?: unknown }> | null>)
      for (const action of Object.values(entry ?? {}))
        if (typeof action?.TableName === 'string') tables.add(action.TableName);
  return [...tables];
}

/** DynamoDB's ValidationException. */
export function validation(message: string): DynamoDbAnswer {
  return {
    status: 400,
    payload: { __type: 'com.amazon.coral.validate#ValidationException', message },
  };
}

/** A TransactWriteItems action as requested; a Put's key is only known once its table's key schema is. */
export interface RequestedAction {
  table: string;
  kind: Action['kind'];
  /** The key of a Delete or ConditionCheck. */
  key?: Item;
  /** The item of a Put. */
  item?: Item;
  condition?: ConditionInput;
  returnOld: boolean;
}

/**
 * The actions of a TransactWriteItems request, or the ValidationException DynamoDB answers for its shape. Shared
 * by the transactions run against dynalite (below) and the ones the gateway's memory table runs (memory-table.ts).
 */
export function parseTransactItems(body: Record<string, unknown>): RequestedAction[] | DynamoDbAnswer {
  const requested = body.TransactItems;
  if (!Array.isArray(requested) || requested.length === 0 || requested.length > MAX_ACTIONS)
    return validation(
      `1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length between 1 and ${MAX_ACTIONS}`,
    );
  const actions: RequestedAction[] = [];
  for (const [index, entry] of (requested as Array<Record<string, Record<string, unknown>>>).entries()) {
    const kinds = Object.keys(entry ?? {});
    const kind = kinds[0];
    if (kinds.length !== 1 || !kind || !['Put', 'Delete', 'ConditionCheck', 'Update'].includes(kind))
      return validation(
        `TransactItems[${index}] must hold exactly one of Put, Update, Delete, ConditionCheck`,
      );
    if (kind === 'Update')
      return validation(
        `TransactItems[${index}]: Update inside TransactWriteItems is not supported by the local DynamoDB store; use Put, Delete or ConditionCheck`,
      );
    const spec = entry[kind]!;
    actions.push({
      table: String(spec.TableName ?? ''),
      kind: kind as Action['kind'],
      key: kind === 'Put' ? undefined : ((spec.Key ?? {}) as Item),
      item: kind === 'Put' ? ((spec.Item ?? {}) as Item) : undefined,
      condition:
        typeof spec.ConditionExpression === 'string'
          ? {
              expression: spec.ConditionExpression,
              names: spec.ExpressionAttributeNames as Record<string, string> | undefined,
              values: spec.ExpressionAttributeValues as Record<string, AttributeValue> | undefined,
            }
          : undefined,
      returnOld: spec.ReturnValuesOnConditionCheckFailure === 'ALL_OLD',
    });
  }
  return actions;
}

/** The key of a Put (its item's key attributes), or the ValidationException for an item missing one. */
export function putKey(item: Item, keyNames: string[], index: number): Item | DynamoDbAnswer {
  if (keyNames.some((name) => !item[name]))
    return validation(`One of the required keys was not given a value (TransactItems[${index}].Put)`);
  return Object.fromEntries(keyNames.map((name) => [name, item[name]!]));
}

/** The ValidationException for two actions on one item, when there are. */
export function duplicateActions(actions: Array<{ table: string; key: Item }>): DynamoDbAnswer | undefined {
  const identities = actions.map((a) => itemIdentity(a.table, a.key));
  if (new Set(identities).size !== identities.length)
    return validation('Transaction request cannot include multiple operations on one item');
  return undefined;
}

/**
 * DynamoDB's TransactionCanceledException when a condition fails — one cancellation reason per action, in
 * request order, `None` for the fine ones, the stored item where ALL_OLD was asked — or undefined when every
 * condition holds. `current`: each action's stored item (undefined: none). Throws ConditionValidationError.
 */
export function cancellation(
  actions: Array<Pick<RequestedAction, 'condition' | 'returnOld'>>,
  current: Array<Item | undefined>,
): DynamoDbAnswer | undefined {
  let failed = false;
  const reasons = actions.map((action, index) => {
    const old = current[index];
    if (!action.condition || evaluateCondition(action.condition, old)) return { Code: 'None' };
    failed = true;
    return {
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(action.returnOld && old ? { Item: old } : {}),
    };
  });
  if (!failed) return undefined;
  return {
    status: 400,
    payload: {
      __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
      Message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
      CancellationReasons: reasons,
    },
  };
}

/** Runs one TransactWriteItems request against the store. */
export async function transactWriteItems(
  body: Record<string, unknown>,
  call: StoreCall,
  locks: TableLocks,
  keySchemas: (table: string) => Promise<string[]>,
): Promise<DynamoDbAnswer> {
  const requested = parseTransactItems(body);
  if (!Array.isArray(requested)) return requested;
  const actions: Action[] = [];
  for (const [index, action] of requested.entries()) {
    let key = action.key;
    if (action.kind === 'Put') {
      const names = await keySchemas(action.table).catch(() => undefined);
      if (!names) return notFound(action.table);
      const found = putKey(action.item!, names, index);
      if ('status' in found) return found as DynamoDbAnswer;
      key = found as Item;
    }
    actions.push({ ...action, key: key! });
  }
  const duplicate = duplicateActions(actions);
  if (duplicate) return duplicate;

  return locks
    .with(
      actions.map((a) => a.table),
      true,
      async () => {
        const current = await readItems(actions, call);
        if ('status' in current) return current;
        return cancellation(actions, current.items) ?? applyWrites(actions, call);
      },
    )
    .catch((error: unknown) => {
      if (error instanceof ConditionValidationError) return validation(error.message);
      throw error;
    });
}

/** DynamoDB's InternalServerError, which the AWS SDKs retry. */
export function storeFailure(message: string): DynamoDbAnswer {
  return { status: 500, payload: { __type: 'InternalServerError', message } };
}

export function notFound(table: string): DynamoDbAnswer {
  return {
    status: 400,
    payload: {
      __type: 'com.amazonaws.dynamodb.v20120810#ResourceNotFoundException',
      message: `Requested resource not found: Table: ${table} not found`,
    },
  };
}

/** One string per item: its table and its key, attributes in name order. */
function itemIdentity(table: string, key: Item): string {
  const names = Object.keys(key).sort();
  return `${table}\u0000${JSON.stringify(names.map((name) => [name, key[name]]))}`;
}

/** The current item of every action (undefined: none), read consistently in one BatchGetItem per 100 keys. */
async function readItems(
  actions: Action[],
  call: StoreCall,
): Promise<{ items: Array<Item | undefined> } | DynamoDbAnswer> {
  const requestItems: Record<string, { Keys: Item[]; ConsistentRead: true }> = {};
  const keyNames = new Map<string, string[]>();
  for (const action of actions) {
    requestItems[action.table] ??= { Keys: [], ConsistentRead: true };
    requestItems[action.table]!.Keys.push(action.key);
    keyNames.set(action.table, Object.keys(action.key));
  }
  const found = new Map<string, Item>();
  let pending: Record<string, unknown> = requestItems;
  for (let attempt = 1; Object.keys(pending).length > 0; attempt++) {
    const answer = await call('BatchGetItem', { RequestItems: pending });
    if (answer.status !== 200) return answer;
    const responses = (answer.payload.Responses ?? {}) as Record<string, Item[]>;
    for (const [table, items] of Object.entries(responses)) {
      const names = keyNames.get(table)!;
      for (const item of items)
        found.set(itemIdentity(table, Object.fromEntries(names.map((name) => [name, item[name]!]))), item);
    }
    pending = (answer.payload.UnprocessedKeys ?? {}) as Record<string, unknown>;
    if (Object.keys(pending).length > 0 && attempt >= MAX_STORE_ATTEMPTS)
      return storeFailure('the local DynamoDB store left keys unread');
  }
  return { items: actions.map((a) => found.get(itemIdentity(a.table, a.key))) };
}

async function applyWrites(actions: Action[], call: StoreCall): Promise<DynamoDbAnswer> {
  const writes = actions
    .filter((a) => a.kind !== 'ConditionCheck')
    .map((a) => ({
      table: a.table,
      request: a.kind === 'Put' ? { PutRequest: { Item: a.item } } : { DeleteRequest: { Key: a.key } },
    }));
  const chunks: Array<Record<string, unknown[]>> = [];
  for (let start = 0; start < writes.length; start += WRITE_CHUNK) {
    const chunk: Record<string, unknown[]> = {};
    for (const write of writes.slice(start, start + WRITE_CHUNK)) {
      chunk[write.table] ??= [];
      chunk[write.table]!.push(write.request);
    }
    chunks.push(chunk);
  }
  // Distinct items (checked above), so the chunks may land in any order: sent together.
  const answers = await Promise.all(chunks.map((chunk) => writeChunk(chunk, call)));
  return answers.find((answer) => answer.status !== 200) ?? { status: 200, payload: {} };
}

/** One BatchWriteItem of ≤25 writes, sent again with its unprocessed items until the store took them all. */
export async function writeChunk(chunk: Record<string, unknown[]>, call: StoreCall): Promise<DynamoDbAnswer> {
  let pending = chunk;
  for (let attempt = 1; Object.keys(pending).length > 0; attempt++) {
    const answer = await call('BatchWriteItem', { RequestItems: pending });
    if (answer.status !== 200) return answer;
    pending = (answer.payload.UnprocessedItems ?? {}) as Record<string, unknown[]>;
    if (Object.keys(pending).length > 0 && attempt >= MAX_STORE_ATTEMPTS)
      return storeFailure('the local DynamoDB store left writes unprocessed');
  }
  return { status: 200, payload: {} };
}
