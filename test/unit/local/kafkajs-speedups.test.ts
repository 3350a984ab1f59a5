/**
 * The SDK's record encoder and CRC against kafkajs' own modules as the oracle: the same bytes for every record
 * shape a producer sends (null and binary keys, tombstones, multi-byte UTF-8, repeated headers, varint and
 * varlong boundaries, negative deltas), and kafkajs' own behaviour (its error) for what the fast path leaves to it.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32C, fastRecordEncoder } from '../../../lib/core/kafkajs-fast-encoding.ts';

const require = createRequire(import.meta.url);
type Encoded = { buffer: Buffer };
// kafkajs' internal modules have no types.
const kafkajsRecord = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  record: unknown,
) => Encoded;
const kafkajsCrc = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C.js') as (buffer: Buffer) => number;
const Encoder = require('kafkajs/src/protocol/encoder.js');
const fast = fastRecordEncoder(Encoder, kafkajsRecord as never) as unknown as (record: unknown) => Encoded;

const lineage = {
  'stratus-source-topic': 'payments.orders',
  'stratus-source-partition': '3',
  'stratus-source-offset': '123456',
  'stratus-tenant': 'payments',
  'stratus-consumer': 'enrich-orders',
  'stratus-trace-id': '1-5759e988-bd862e3fe1be46a994272793',
  'correlation-id': 'payments.orders-3@123456',
  'stratus-output-index': '0',
  'stratus-output-count': '1',
};

const records: Array<[string, Record<string, unknown>]> = [
  ['an SDK output with lineage headers', { key: Buffer.from('order-1'), value: '{"a":1}', headers: lineage }],
  ['no key, no headers', { value: 'plain' }],
  ['a null key and a tombstone', { key: null, value: null }],
  [
    'a string key and multi-byte UTF-8',
    { key: 'clé', value: '{"name":"Zoë 😀 東京"}', headers: { 'h-é': 'ü' } },
  ],
  ['binary key and value', { key: randomBytes(33), value: randomBytes(1500) }],
  [
    'repeated headers and Buffer header values',
    { value: 'v', headers: { a: ['1', Buffer.from([0, 255])], b: [] } },
  ],
  ['an empty value and empty header', { key: '', value: '', headers: { '': '' } }],
  ['a value whose length needs three varint bytes', { value: 'x'.repeat(20_000) }],
  ['a varint length boundary (63/64 zigzag)', { value: 'y'.repeat(63), key: 'k'.repeat(64) }],
  ['offset and timestamp deltas', { value: 'v', offsetDelta: 299, timestampDelta: 1_234_567 }],
  ['a negative timestamp delta', { value: 'v', timestampDelta: -5_000 }],
  ['a large timestamp delta', { value: 'v', timestampDelta: 2 ** 45 + 17 }],
  ['a delta beyond the fast path (as a string)', { value: 'v', timestampDelta: '42' }],
];

describe('SDK record encoding (kafkajs 2.2.4 as the oracle)', () => {
  it.each(records)('writes the bytes kafkajs writes: %s', (_name, record) => {
    expect(fast(record).buffer.equals(kafkajsRecord(record).buffer)).toBe(true);
  });

  it('leaves what kafkajs refuses to kafkajs, with its error', () => {
    const record = { value: 'v', headers: { broken: null } };
    expect(() => kafkajsRecord(record)).toThrow();
    expect(() => fast(record)).toThrow(
      (() => {
        try {
          kafkajsRecord(record);
        } catch (error) {
          return (error as Error).message;
        }
        return 'unreachable';
      })(),
    );
  });

  it('computes the CRC-32C kafkajs computes, at every length', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283); // the standard check value
    for (let length = 0; length < 300; length++) {
      const bytes = randomBytes(length);
      expect(crc32C(bytes)).toBe(kafkajsCrc(bytes));
    }
    const batch = randomBytes(150_000);
    expect(crc32C(batch)).toBe(kafkajsCrc(batch));
  });
});
