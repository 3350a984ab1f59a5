import { IdempotencyConfig } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { BasePersistenceLayer, type IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import { search } from '@aws-lambda-powertools/jmespath';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { BatchingDynamoDBPersistenceLayer } from '../../../functions/sdk/idempotency-store.ts';
import { compileKeySelector } from '../../../functions/sdk/key-path.ts';

const records: unknown[] = [
  {
    topic: 't',
    partition: 2,
    offset: 7,
    key: 'k',
    value: { eventId: 'e-1', nested: { id: 3 } },
    headers: {},
  },
  { topic: 't', partition: 0, offset: 0, key: null, value: { eventId: null }, headers: { h: 'v' } },
  { topic: 't', partition: 0, offset: 1, value: 'a string value' },
  { topic: 't', partition: 0, offset: 2, value: [1, 2] },
  { topic: 't', partition: 0, offset: 3, value: { nested: 'not an object' } },
  null,
];
const expressions = [
  '[topic, partition, offset]',
  '[ topic,partition , offset ]',
  'value.eventId',
  'value.nested.id',
  'key',
  'headers.h',
  '[value.eventId, key]',
  // Not a fast-path shape: goes through Powertools' search.
  'value.nested.id || value.eventId',
  'join(`-`, [topic, key])',
];

describe('compileKeySelector', () => {
  it('selects exactly what JMESPath search selects', () => {
    for (const expression of expressions) {
      const select = compileKeySelector(expression);
      for (const record of records) {
        let expected: unknown;
        try {
          expected = search(expression, record as Record<string, unknown>);
        } catch {
          continue; // a type error in JMESPath (e.g. join over null) is not a key either way
        }
        expect(select(record), `${expression} on ${JSON.stringify(record)}`).toEqual(expected ?? null);
      }
    }
  });
});

class KeyOnly extends BasePersistenceLayer {
  protected async _getRecord(): Promise<IdempotencyRecord> {
    throw new Error('unused');
  }
  protected async _putRecord(): Promise<void> {}
  protected async _updateRecord(): Promise<void> {}
  protected async _deleteRecord(): Promise<void> {}
  key(data: unknown): string {
    return this.getHashedIdempotencyKey(data as never);
  }
}

describe('idempotency keys stay what Powertools computes', () => {
  it('hashing the selection with no JMESPath equals hashing the record with the JMESPath', () => {
    const withPath = new KeyOnly();
    withPath.configure({
      config: new IdempotencyConfig({ eventKeyJmesPath: 'value.eventId' }),
      keyPrefix: 'fn',
    });
    const withSelection = new KeyOnly();
    withSelection.configure({ config: new IdempotencyConfig({}), keyPrefix: 'fn' });
    const record = records[0] as Record<string, unknown>;
    expect(withSelection.key(compileKeySelector('value.eventId')(record))).toBe(withPath.key(record));
  });
});

class BatchingKeyOnly extends BatchingDynamoDBPersistenceLayer {
  key(data: unknown): string {
    return this.getHashedIdempotencyKey(data as never);
  }
  itemKey(idempotencyKey: string): Record<string, AttributeValue> {
    return this.getKey(idempotencyKey);
  }
}

class PowertoolsItemKey extends DynamoDBPersistenceLayer {
  itemKey(idempotencyKey: string): Record<string, AttributeValue> {
    return this.getKey(idempotencyKey);
  }
}

describe("the batching store's item keys", () => {
  it("are Powertools' DynamoDB keys", () => {
    const options = { tableName: 't', clientConfig: { region: 'eu-west-1' } };
    const powertools = new PowertoolsItemKey(options);
    const batching = new BatchingKeyOnly(options);
    for (const key of ['fn#abc==', '', 'é😀 "quoted" \\ back', `fn#${'x'.repeat(300)}`])
      expect(batching.itemKey(key)).toEqual(powertools.itemKey(key));
  });
});

describe("the batching store's remembered keys", () => {
  it("are Powertools' hashes, for the key prefix of the moment; selections other than strings are hashed each time", () => {
    const powertools = new KeyOnly();
    const batching = new BatchingKeyOnly({ tableName: 't', clientConfig: { region: 'eu-west-1' } });
    for (const store of [powertools, batching])
      store.configure({ config: new IdempotencyConfig({}), keyPrefix: 'fn-a' });
    const selections = ['evt-1', 'evt-2', 'evt-1', '', 'é😀', 42, { id: 'evt-1' }, ['evt-1'], null];
    for (const selection of selections) expect(batching.key(selection)).toBe(powertools.key(selection));
    expect(batching.key('evt-1')).toMatch(/^fn-a#[A-Za-z0-9+/]{22}==$/);
    // Powertools sets the prefix again on every invocation: a new one is never answered with an old hash.
    for (const store of [powertools, batching])
      store.configure({ config: new IdempotencyConfig({}), keyPrefix: 'fn-b' });
    for (const selection of selections) expect(batching.key(selection)).toBe(powertools.key(selection));
    expect(batching.key('evt-1')).toMatch(/^fn-b#/);
  });
});
