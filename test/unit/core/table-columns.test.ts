import { describe, expect, it } from 'vitest';
import { schemaColumns as awsColumns } from '../../../lib/aws/schema-columns.ts';
import {
  convertedColumns,
  RecordConversionError,
  toIcebergRecord,
} from '../../../lib/core/iceberg-record.ts';
import { schemaColumns } from '../../../lib/core/table-columns.ts';
import { icebergSchemaFromJsonSchema } from '../../../lib/local/sink/iceberg-schema.ts';

const SCHEMA = {
  type: 'object',
  required: ['id', 'at', 'maybe'],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    on: { type: 'string', format: 'date' },
    n: { type: 'integer' },
    x: { type: 'number' },
    ok: { type: 'boolean' },
    kind: { enum: ['a', 'b'] },
    tags: { type: 'array' },
    maybe: { type: ['string', 'null'] },
  },
};

describe('one reading of a topic schema as columns (lib/core/table-columns.ts)', () => {
  it('reads kinds and required-ness once', () => {
    expect(schemaColumns(SCHEMA).map((c) => [c.name, c.kind, c.required])).toEqual([
      ['id', 'string', true],
      ['at', 'date-time', true],
      ['on', 'date', false],
      ['n', 'integer', false],
      ['x', 'number', false],
      ['ok', 'boolean', false],
      ['kind', 'string', false],
      ['tags', 'json', false],
      // Listed as required but nullable: not a required column.
      ['maybe', 'string', false],
    ]);
  });

  it('gives the AWS Glue/Iceberg tables and the local Iceberg table the same columns', () => {
    const local = icebergSchemaFromJsonSchema(SCHEMA).fields.map((f) => [f.name, f.type, f.required]);
    const aws = awsColumns(SCHEMA).map((c) => [c.name, c.icebergType, c.required]);
    expect(aws).toEqual(local);
    expect(awsColumns(SCHEMA).map((c) => c.glueType)).toEqual([
      'string',
      'timestamp',
      'date',
      'bigint',
      'double',
      'boolean',
      'string',
      'string',
      'string',
    ]);
  });
});

describe('records as Firehose Iceberg takes them (lib/core/iceberg-record.ts)', () => {
  const columns = convertedColumns(icebergSchemaFromJsonSchema(SCHEMA).fields);

  it('sends timestamps in microseconds, dates in days and JSON text in string columns', () => {
    expect(
      toIcebergRecord(columns, {
        id: 'a',
        at: '2026-11-20T00:15:00.000250Z',
        on: '1970-01-03',
        n: 7,
        tags: ['x', 1],
        kind: 'a',
        extra: { kept: true },
      }),
    ).toEqual({
      id: 'a',
      at: 1_795_133_700_000_250,
      on: 2,
      n: 7,
      tags: '["x",1]',
      kind: 'a',
      extra: { kept: true },
    });
  });

  it('keeps values already in that form, and nulls', () => {
    const once = toIcebergRecord(columns, { id: 'a', at: '2026-11-20T00:15:00+02:00', on: null });
    expect(toIcebergRecord(columns, once)).toEqual(once);
    expect(once).toEqual({ id: 'a', at: 1_795_126_500_000_000, on: null });
  });

  it.each([
    [{ at: 'yesterday' }, /field "at": not a date-time: yesterday/],
    [{ at: 12.5 }, /field "at": not a date-time/],
    [{ on: '20261120' }, /field "on": not a date/],
  ])('refuses %o, naming the field', (record, message) => {
    expect(() => toIcebergRecord(columns, { id: 'a', ...record })).toThrow(RecordConversionError);
    expect(() => toIcebergRecord(columns, { id: 'a', ...record })).toThrow(message);
  });
});
