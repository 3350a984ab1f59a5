import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeRecord } from '../../../functions/sdk/decode.ts';
import { RecordDecodeError, SchemaViolationError } from '../../../functions/sdk/errors.ts';
import { compileValueValidator } from '../../../functions/sdk/schema.ts';
import { mskRecord } from './msk-fixtures.ts';

const orderSchema = JSON.parse(readFileSync('schemas/payments/order.schema.json', 'utf8'));
const order = {
  eventId: '0b6f8c3e-8a49-4d6b-9d2e-51a2f4f0c001',
  type: 'order.created',
  orderId: 'ord-1',
  customerId: 'c-1',
  amount: 12.5,
  currency: 'EUR',
  items: [{ sku: 'a', quantity: 1, unitPrice: 12.5 }],
  createdAt: '2026-11-24T08:00:00Z',
};

describe('decodeRecord', () => {
  it('decodes the base64 key and value and the header byte arrays', () => {
    const source = mskRecord({
      topic: 'payments.orders',
      partition: 3,
      offset: 42,
      key: 'ord-1',
      value: order,
      headers: { 'correlation-id': 'abc', 'content-type': 'application/json' },
      timestamp: 1_700_000_000_000,
    });
    expect(source.headers).toEqual([
      { 'correlation-id': [...Buffer.from('abc')] },
      { 'content-type': [...Buffer.from('application/json')] },
    ]);
    expect(decodeRecord(source, compileValueValidator(orderSchema))).toEqual({
      topic: 'payments.orders',
      partition: 3,
      offset: 42,
      timestamp: 1_700_000_000_000,
      timestampType: 'CREATE_TIME',
      key: 'ord-1',
      value: order,
      headers: { 'correlation-id': 'abc', 'content-type': 'application/json' },
    });
  });

  it('gives null for a record without a key', () => {
    const decoded = decodeRecord(mskRecord({ topic: 't', partition: 0, offset: 0, value: { a: 1 } }));
    expect(decoded.key).toBeNull();
    expect(decoded.value).toEqual({ a: 1 });
  });

  it('gives a null value for a tombstone and does not validate it', () => {
    const decoded = decodeRecord(
      mskRecord({ topic: 't', partition: 0, offset: 0, key: 'k', value: null }),
      compileValueValidator(orderSchema),
    );
    expect(decoded.value).toBeNull();
    expect(decoded.key).toBe('k');
  });

  it('rejects a value that is not UTF-8', () => {
    const source = mskRecord({
      topic: 't',
      partition: 0,
      offset: 0,
      value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    });
    expect(() => decodeRecord(source)).toThrow(RecordDecodeError);
  });

  it('rejects a value that is not JSON, with reason DECODE_ERROR', () => {
    const source = mskRecord({ topic: 't', partition: 0, offset: 0, value: 'not json {' });
    expect(() => decodeRecord(source)).toThrow(expect.objectContaining({ reason: 'DECODE_ERROR' }));
  });

  it('rejects a schema violation and names every violated field', () => {
    const source = mskRecord({
      topic: 't',
      partition: 0,
      offset: 0,
      value: { ...order, orderId: 'ORDER 1', amount: -1 },
    });
    let caught: unknown;
    try {
      decodeRecord(source, compileValueValidator(orderSchema));
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SchemaViolationError);
    const violation = caught as SchemaViolationError;
    expect(violation.reason).toBe('SCHEMA_VIOLATION');
    expect(violation.violations.join('\n')).toMatch(/\/orderId/);
    expect(violation.violations.join('\n')).toMatch(/\/amount/);
  });

  it('checks formats as the manifest validator does (date-time, uuid)', () => {
    const source = mskRecord({
      topic: 't',
      partition: 0,
      offset: 0,
      value: { ...order, createdAt: 'yesterday' },
    });
    expect(() => decodeRecord(source, compileValueValidator(orderSchema))).toThrow(/createdAt/);
  });
});
