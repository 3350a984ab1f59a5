import { describe, expect, it } from 'vitest';
import type { TenantSpec } from '../../../lib/manifest/spec.ts';
import { lagTargets } from '../../../lib/ops/lag.ts';

describe('lagTargets', () => {
  const tenant = {
    name: 'shop',
    consumers: [
      { key: 'enrich', groupId: 'shop.enrich', topic: 'shop.orders', startingPosition: 'LATEST' },
      {
        key: 'audit',
        groupId: 'shop.audit',
        topic: 'shop.orders',
        startingPosition: 'AT_TIMESTAMP',
        startingPositionTimestamp: 1_700_000_000_000,
      },
    ],
    sinks: [
      { key: 'lake', topic: 'shop.enriched', startFrom: 'earliest' },
      { key: 'late', topic: 'shop.enriched', startFrom: 'timestamp', startFromTimestamp: 1_750_000_000_000 },
    ],
  } as unknown as TenantSpec;

  it('has one group per consumer with its starting position, and one per sink with its startFrom', () => {
    expect(lagTargets([tenant])).toEqual([
      {
        tenant: 'shop',
        consumer: 'enrich',
        groupId: 'shop.enrich',
        topic: 'shop.orders',
        startingPosition: 'LATEST',
        startingPositionTimestamp: undefined,
      },
      {
        tenant: 'shop',
        consumer: 'audit',
        groupId: 'shop.audit',
        topic: 'shop.orders',
        startingPosition: 'AT_TIMESTAMP',
        startingPositionTimestamp: 1_700_000_000_000,
      },
      {
        tenant: 'shop',
        consumer: 'sink:lake',
        groupId: 'shop.sink.lake',
        topic: 'shop.enriched',
        startingPosition: 'TRIM_HORIZON',
      },
      {
        tenant: 'shop',
        consumer: 'sink:late',
        groupId: 'shop.sink.late',
        topic: 'shop.enriched',
        startingPosition: 'AT_TIMESTAMP',
        startingPositionTimestamp: 1_750_000_000_000,
      },
    ]);
    expect(lagTargets([tenant], { sinks: false }).map((target) => target.groupId)).toEqual([
      'shop.enrich',
      'shop.audit',
    ]);
  });
});
