import { describe, expect, it } from 'vitest';
import { type FilterableRecord, matchesFilters } from '../../../lib/core/event-filter.ts';

function record(value: unknown, raw?: string): FilterableRecord {
  const text = raw ?? JSON.stringify(value);
  return {
    topic: 't',
    partition: 0,
    offset: 1,
    timestamp: 0,
    timestampType: 'CREATE_TIME',
    value: Buffer.from(text).toString('base64'),
  };
}

const order = {
  type: 'order.created',
  amount: 42,
  region: 'eu-west-1',
  tags: ['a', 'b'],
  customer: { tier: 'gold' },
};

describe('matchesFilters (Lambda event-filtering syntax on the JSON value)', () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ['exact', { value: { type: ['order.created'] } }, true],
    ['exact miss', { value: { type: ['order.paid'] } }, false],
    ['exact is type-strict', { value: { amount: ['42'] } }, false],
    ['OR within a list', { value: { type: ['order.paid', 'order.created'] } }, true],
    ['AND across fields', { value: { type: ['order.created'], amount: [41] } }, false],
    ['nested', { value: { customer: { tier: ['gold'] } } }, true],
    ['array value matches any element', { value: { tags: ['b'] } }, true],
    ['prefix', { value: { region: [{ prefix: 'eu-' }] } }, true],
    ['prefix miss', { value: { region: [{ prefix: 'us-' }] } }, false],
    ['prefix ignoring case', { value: { region: [{ prefix: { 'equals-ignore-case': 'EU-' } }] } }, true],
    ['suffix', { value: { type: [{ suffix: '.created' }] } }, true],
    ['suffix miss', { value: { type: [{ suffix: '.paid' }] } }, false],
    ['equals-ignore-case', { value: { type: [{ 'equals-ignore-case': 'ORDER.CREATED' }] } }, true],
    ['numeric range in', { value: { amount: [{ numeric: ['>', 10, '<=', 42] }] } }, true],
    ['numeric range out', { value: { amount: [{ numeric: ['>', 42] }] } }, false],
    ['numeric equals', { value: { amount: [{ numeric: ['=', 42] }] } }, true],
    ['numeric on a string never matches', { value: { type: [{ numeric: ['>', 0] }] } }, false],
    ['exists true', { value: { amount: [{ exists: true }] } }, true],
    ['exists true on a missing field', { value: { missing: [{ exists: true }] } }, false],
    ['exists false', { value: { missing: [{ exists: false }] } }, true],
    ['exists false on a present field', { value: { amount: [{ exists: false }] } }, false],
    ['anything-but value', { value: { type: [{ 'anything-but': 'order.paid' }] } }, true],
    [
      'anything-but list hit',
      { value: { type: [{ 'anything-but': ['order.paid', 'order.created'] }] } },
      false,
    ],
    ['anything-but prefix', { value: { region: [{ 'anything-but': { prefix: 'us-' } }] } }, true],
    ['anything-but prefix hit', { value: { region: [{ 'anything-but': { prefix: 'eu-' } }] } }, false],
    ['anything-but suffix hit', { value: { type: [{ 'anything-but': { suffix: '.created' } }] } }, false],
    ['wildcard', { value: { region: [{ wildcard: 'eu-*-1' }] } }, true],
    ['wildcard miss', { value: { region: [{ wildcard: 'us-*' }] } }, false],
    ['metadata field', { partition: [0], value: { type: ['order.created'] } }, true],
    ['missing field never matches a value', { value: { nope: ['x'] } }, false],
  ];
  for (const [name, pattern, expected] of cases) {
    it(`${name}: ${JSON.stringify(pattern)} → ${expected}`, () => {
      expect(matchesFilters(record(order), [pattern])).toBe(expected);
    });
  }

  it('ORs several filters and passes everything when there are none', () => {
    const miss = { value: { type: ['x'] } };
    const hit = { value: { type: ['order.created'] } };
    expect(matchesFilters(record(order), [miss, hit])).toBe(true);
    expect(matchesFilters(record(order), [miss])).toBe(false);
    expect(matchesFilters(record(order), [])).toBe(true);
  });

  it('filters plain-string values with plain patterns, and JSON values only with JSON patterns (kafka-filtering.html)', () => {
    const plain = record(undefined, 'OrderNumber:12345');
    const json = record(order);
    const plainPattern = { value: [{ prefix: 'OrderNumber' }] };
    const jsonPattern = { value: { type: [{ exists: true }] } };
    expect(matchesFilters(plain, [plainPattern])).toBe(true);
    expect(matchesFilters(json, [plainPattern])).toBe(false);
    expect(matchesFilters(plain, [jsonPattern])).toBe(false);
    // "Lambda processes metadata filters only": the value is not there at all, so only exists:false holds.
    expect(matchesFilters(plain, [{ value: { type: [{ exists: false }] } }])).toBe(true);
    expect(matchesFilters(record(undefined, '{"type": '), [{ value: { type: ['order.created'] } }])).toBe(
      false,
    );
    expect(matchesFilters(record(undefined, 'plain text'), [{ partition: [0] }])).toBe(true);
  });

  it('reads no value from bytes that are not UTF-8 (metadata filters only)', () => {
    const bytes = { ...record(undefined, ''), value: Buffer.from([0xc3, 0x28]).toString('base64') };
    expect(matchesFilters(bytes, [{ value: [{ exists: true }] }])).toBe(false);
    expect(matchesFilters(bytes, [{ value: [{ exists: false }] }])).toBe(true);
  });

  it("compiles a consumer's patterns once and keeps matching the same way", () => {
    const patterns = [{ value: { customer: { tier: [{ 'anything-but': ['bronze'] }] } } }];
    expect(matchesFilters(record(order), patterns)).toBe(true);
    expect(matchesFilters(record({ ...order, customer: { tier: 'bronze' } }), patterns)).toBe(false);
    expect(matchesFilters(record(order), patterns)).toBe(true);
  });
});
