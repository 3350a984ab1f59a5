/**
 * JSON record values → the Iceberg physical values the Parquet and Avro writers take: long and
 * timestamptz as bigint (timestamps in microseconds from the epoch, UTC), date as days from the epoch.
 * Iceberg spec, "Primitive Types" and Appendix D.
 */
import { icebergJsonValue } from '../../core/iceberg-record.ts';
import type { IcebergField, IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';

export type IcebergValue = string | bigint | number | boolean | null;

/** One table row: values in schema field order. */
export type Row = IcebergValue[];

/** A record that cannot become a row (a required field is missing, a value has the wrong type). */
export class RowConversionError extends Error {}

/** The row of one decoded record; fields not in the schema are dropped, as Firehose does. */
export function toRow(schema: IcebergSchema, record: Record<string, unknown>): Row {
  return schema.fields.map((field) => toValue(field, record[field.name]));
}

function toValue(field: IcebergField, value: unknown): IcebergValue {
  if (value === undefined || value === null) {
    if (field.required) throw new RowConversionError(`required field "${field.name}" is missing`);
    return null;
  }
  try {
    return convert(field.type, value);
  } catch (error) {
    throw new RowConversionError(`field "${field.name}": ${(error as Error).message}`);
  }
}

function convert(type: IcebergPrimitive, value: unknown): IcebergValue {
  switch (type) {
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`not an integer: ${value}`);
      return BigInt(value);
    case 'double':
      if (typeof value !== 'number') throw new Error(`not a number: ${value}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`not a boolean: ${value}`);
      return value;
    // The rest as the Firehose transform sends them (lib/core/iceberg-record.ts), which also reads the
    // RFC 3339 strings that reach Parquet sinks, where Firehose converts on its own.
    case 'timestamptz':
      return BigInt(icebergJsonValue('timestamptz', value));
    case 'date':
      return icebergJsonValue('date', value);
    case 'string':
      return icebergJsonValue('string', value);
  }
}
