/**
 * A decoded JSON record in the form Firehose's Iceberg destination accepts, computed by one function that
 * runs in both runtimes: on AWS in the sink's Firehose transform (functions/platform/iceberg-transform.ts),
 * locally in front of the local sink's Iceberg writer. Firehose requires "the column names and the data types
 * of the source data [to] match with that of target tables" and "for Timestamp data types, you must always
 * send in microseconds", while records carry RFC 3339 strings (the JSON Schema's `format: date-time`):
 *   timestamptz  RFC 3339 string → microseconds since the epoch (a JSON integer); an integer is kept as µs
 *   date         `YYYY-MM-DD` → days since the epoch, Iceberg's own representation of a date (Firehose
 *                documents none for dates; this follows its rule for timestamps)
 *   string       anything else than a string → its JSON text (objects and arrays in string columns)
 * Other columns and fields that are not columns pass unchanged; null and missing stay so.
 * https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-destination-supp.html
 * https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-considerations.html
 */
import type { IcebergPrimitive } from './table-columns.ts';

/** Environment variable of the Firehose transform: the {@link ConvertedColumns} of its table, as JSON. */
export const ICEBERG_COLUMNS_ENV = 'STRATUS_ICEBERG_COLUMNS';

/** A record field that cannot take its column's form. */
export class RecordConversionError extends Error {}

/** The columns whose values the conversion rewrites, by name: what the Firehose transform is configured with. */
export type ConvertedColumns = Record<string, 'timestamptz' | 'date' | 'string'>;

const DAY_MS = 86_400_000;

/** The columns of a table the conversion touches. */
export function convertedColumns(columns: Array<{ name: string; type: IcebergPrimitive }>): ConvertedColumns {
  const out: ConvertedColumns = {};
  for (const { name, type } of columns)
    if (type === 'timestamptz' || type === 'date' || type === 'string') out[name] = type;
  return out;
}

/** The record as Firehose's Iceberg destination takes it; throws RecordConversionError naming the field. */
export function toIcebergRecord(
  columns: ConvertedColumns,
  record: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...record };
  for (const [name, type] of Object.entries(columns)) {
    const value = record[name];
    if (value === undefined || value === null) continue;
    try {
      out[name] = icebergJsonValue(type, value);
    } catch (error) {
      throw new RecordConversionError(`field "${name}": ${(error as Error).message}`);
    }
  }
  return out;
}

/** One value in its column's JSON form (see above); throws a plain Error when it does not fit. */
export function icebergJsonValue(type: 'timestamptz', value: unknown): number;
export function icebergJsonValue(type: 'date', value: unknown): number;
export function icebergJsonValue(type: 'string', value: unknown): string;
export function icebergJsonValue(type: ConvertedColumns[string], value: unknown): unknown;
export function icebergJsonValue(type: ConvertedColumns[string], value: unknown): unknown {
  switch (type) {
    case 'string':
      return typeof value === 'string' ? value : JSON.stringify(value);
    case 'timestamptz': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      const micros = timestampMicros(value);
      if (micros > BigInt(Number.MAX_SAFE_INTEGER) || micros < BigInt(Number.MIN_SAFE_INTEGER))
        throw new Error(`date-time out of range: ${value}`);
      return Number(micros);
    }
    case 'date': {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      const ms =
        typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)
          ? Date.parse(`${value.slice(0, 10)}T00:00:00Z`)
          : Number.NaN;
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
