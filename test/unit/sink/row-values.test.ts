import { describe, expect, it } from 'vitest';
import { timestampMicros } from '../../../lib/core/iceberg-record.ts';
import { icebergSchemaFromJsonSchema } from '../../../lib/local/sink/iceberg-schema.ts';
import { RowConversionError, toRow } from '../../../lib/local/sink/row-values.ts';

describe('JSON Schema → Iceberg schema', () => {
  const jsonSchema = {
    type: 'object',
    required: ['id', 'at', 'n', 'maybe'],
    properties: {
      id: { type: 'string', format: 'uuid' },
      at: { type: 'string', format: 'date-time' },
      on: { type: 'string', format: 'date' },
      n: { type: 'integer' },
      x: { type: 'number' },
      ok: { type: 'boolean' },
      kind: { enum: ['a', 'b'] },
      items: { type: 'array', items: { type: 'object' } },
      maybe: { type: ['string', 'null'] },
    },
  };

  it('maps types, assigns ids in declaration order and makes required fields required', () => {
    const schema = icebergSchemaFromJsonSchema(jsonSchema, ['id']);
    expect(schema.fields.map((f) => [f.id, f.name, f.type, f.required])).toEqual([
      [1, 'id', 'string', true],
      [2, 'at', 'timestamptz', true],
      [3, 'on', 'date', false],
      [4, 'n', 'long', true],
      [5, 'x', 'double', false],
      [6, 'ok', 'boolean', false],
      [7, 'kind', 'string', false],
      [8, 'items', 'string', false],
      // Listed as required but allows null: optional.
      [9, 'maybe', 'string', false],
    ]);
    expect(schema['identifier-field-ids']).toEqual([1]);
  });

  it('refuses unique keys that are optional or floating', () => {
    expect(() => icebergSchemaFromJsonSchema(jsonSchema, ['x'])).toThrow(/unique key "x"/);
    expect(() => icebergSchemaFromJsonSchema(jsonSchema, ['nope'])).toThrow(/unique key "nope"/);
  });

  it('converts records to physical values and names the field that does not fit', () => {
    const schema = icebergSchemaFromJsonSchema(jsonSchema);
    const row = toRow(schema, {
      id: 'a',
      at: '1970-01-01T00:00:01.000002Z',
      on: '1970-01-03',
      n: 7,
      items: [{ sku: 1 }],
      maybe: null,
      extra: 'dropped',
    });
    expect(row).toEqual(['a', 1_000_002n, 2, 7n, null, null, null, '[{"sku":1}]', null]);
    expect(() => toRow(schema, { at: '1970-01-01T00:00:00Z', n: 1 })).toThrow(RowConversionError);
    expect(() => toRow(schema, { id: 'a', at: 'yesterday', n: 1 })).toThrow(/field "at": not a date-time/);
    expect(() => toRow(schema, { id: 'a', at: '1970-01-01T00:00:00Z', n: 1.5 })).toThrow(
      /field "n": not an integer/,
    );
  });
});

describe('timestampMicros', () => {
  it.each([
    ['2026-11-20T00:15:00.000250Z', 1795133700000250n],
    ['2026-11-20T00:15:00.1234Z', 1795133700123400n],
    ['2026-11-20T00:15:00Z', 1795133700000000n],
    ['2026-11-20T00:15:00.123456789Z', 1795133700123456n],
    ['2026-11-20T00:15:00.12+02:00', 1795126500120000n],
    ['2026-11-20T00:15:00.1+02:00', 1795126500100000n],
  ])('%s → %s µs', (text, micros) => {
    expect(timestampMicros(text)).toBe(micros);
  });
});
