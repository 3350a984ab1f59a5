/**
 * JSON record values → the Iceberg physical values the Parquet and Avro writers take: long and
 * timestamptz as bigint (timestamps in microseconds from the epoch, UTC), date as days from the epoch.
 * Iceberg spec, "Primitive Types" and Appendix D.
 */
import type { IcebergField, IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';

export type IcebergValue = string | bigint | number | boolean | null;

/** One table row: values in schema field order. */
export type Row = IcebergValue[];

/** A record that cannot become a row (a required field is missing, a value has the wrong type). */
export class RowConversionError extends Error {}

const DAY_MS = 86_400_000;

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
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'long':
      if (typeof value !== 'number' || !Number.isInteger(value)) throw new Error(`not an integer: ${value}`);
      return BigInt(value);
    case 'double':
      if (typeof value !== 'number') throw new Error(`not a number: ${value}`);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw new Error(`not a boolean: ${value}`);
      return value;
    case 'timestamptz':
      return timestampMicros(value);
    case 'date': {
      const ms = typeof value === 'string' ? Date.parse(`${value.slice(0, 10)}T00:00:00Z`) : Number.NaN;
      if (Number.isNaN(ms)) throw new Error(`not a date: ${value}`);
      return Math.floor(ms / DAY_MS);
    }
  }
}

/**
 * Microseconds since the epoch of an RFC 3339 date-time. Date.parse keeps milliseconds only, so the 4th–6th
 * fraction digits are added back; Iceberg timestamps have microsecond precision.
 */
export function timestampMicros(value: unknown): bigint {
  if (typeof value !== 'string') throw new Error(`not a date-time: ${value}`);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`not a date-time: ${value}`);
  // `YYYY-MM-DDTHH:MM:SS.ffffff…`: fraction digits start at index 20; the 4th–6th are the microseconds.
  let extraMicros = 0;
  let ended = value.charCodeAt(19) !== 46; /* . */
  for (let i = 20; i < 26; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (ended || !(digit >= 0 && digit <= 9)) ended = true;
    if (i >= 23) extraMicros = extraMicros * 10 + (ended ? 0 : digit);
  }
  return BigInt(ms) * 1000n + BigInt(extraMicros);
}
