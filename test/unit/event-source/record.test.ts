import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MskRecord } from '../../../lib/core/msk-event.ts';
import { recordPayloadBytes, toMskHeaders, toMskRecord } from '../../../lib/local/event-source/record.ts';

const base64 = fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes).toString('base64'));
const record: fc.Arbitrary<MskRecord> = fc
  .record({
    topic: fc.stringMatching(/^[a-zA-Z0-9._-]{1,40}$/),
    partition: fc.nat(1000),
    offset: fc.maxSafeNat(),
    timestamp: fc.maxSafeNat(),
    timestampType: fc.constantFrom('CREATE_TIME' as const, 'LOG_APPEND_TIME' as const),
    value: fc.option(base64, { nil: null }),
    key: fc.option(base64, { nil: undefined }),
    // Header names are any text (escapes, non-ASCII); values any bytes.
    headers: fc
      .dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.uint8Array({ maxLength: 20 }), {
        maxKeys: 4,
      })
      .map((headers) =>
        toMskHeaders(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]))),
      ),
  })
  .map((r) => {
    if (r.key === undefined) delete (r as { key?: string }).key;
    return r;
  });

describe('recordPayloadBytes', () => {
  it('is the UTF-8 length of the record as JSON, plus its comma in the records array', () => {
    fc.assert(
      fc.property(record, (r) => {
        expect(recordPayloadBytes({ ...r })).toBe(Buffer.byteLength(JSON.stringify(r)) + 1);
      }),
      { numRuns: 500 },
    );
  });

  it('is measured right for the records toMskRecord makes of kafkajs messages (measured as they are made)', () => {
    const bytes = fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null });
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }),
        fc.nat(1000),
        fc.maxSafeNat(),
        bytes,
        bytes,
        fc.dictionary(fc.string({ unit: 'binary', maxLength: 12 }), fc.uint8Array({ maxLength: 20 }), {
          maxKeys: 4,
        }),
        (topic, partition, offset, key, value, headers) => {
          const made = toMskRecord(topic, partition, {
            key: key && Buffer.from(key),
            value: value && Buffer.from(value),
            offset: String(offset),
            timestamp: '1700000000000',
            headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)])),
            attributes: 0,
          } as unknown as Parameters<typeof toMskRecord>[2]);
          expect(recordPayloadBytes(made)).toBe(Buffer.byteLength(JSON.stringify(made)) + 1);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('measures records of another shape by serializing them', () => {
    const odd = {
      topic: 't',
      partition: 0,
      offset: 1,
      timestamp: 2,
      timestampType: 'CREATE_TIME',
      headers: [],
      extra: 'é"',
    };
    expect(recordPayloadBytes(odd as unknown as MskRecord)).toBe(Buffer.byteLength(JSON.stringify(odd)) + 1);
  });
});
