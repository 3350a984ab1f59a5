/**
 * The manifest's partitionBy as an Iceberg partition spec, and the transforms that compute a row's
 * partition tuple. Iceberg spec, "Partition Transforms" and "Partition Specs":
 * https://iceberg.apache.org/spec/#partition-transforms
 */
import type { PartitionFieldSpec } from '../../manifest/spec.ts';
import type { IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';
import { murmur3x86_32 } from './murmur3.ts';
import type { IcebergValue, Row } from './row-values.ts';

/** Partition field ids start at 1000 (spec: "partition field ids … typically start at 1000"), as the CDK table does. */
export const FIRST_PARTITION_FIELD_ID = 1000;

export interface PartitionField {
  'source-id': number;
  'field-id': number;
  /** `<column>_<transform>`, the name the CDK table uses too. */
  name: string;
  /** `day`, `bucket[16]`, `truncate[4]`. */
  transform: string;
}

export interface PartitionSpec {
  'spec-id': number;
  fields: PartitionField[];
}

/** A bound partition field: its spec entry, the index of its source column, and the transform to run. */
export interface BoundPartitionField {
  field: PartitionField;
  sourceIndex: number;
  sourceType: IcebergPrimitive;
  /** Iceberg type of the partition value (spec: "Result type" column). */
  resultType: IcebergPrimitive | 'int';
  apply(value: IcebergValue): IcebergValue;
  /** The value as in a partition path (`2026-11-24` for a day). */
  human(value: IcebergValue): string;
}

export function partitionSpec(schema: IcebergSchema, partitionBy: PartitionFieldSpec[]): PartitionSpec {
  return {
    'spec-id': 0,
    fields: partitionBy.map((p, index) => {
      const source = schema.fields.find((f) => f.name === p.field);
      if (!source) throw new Error(`partition field "${p.field}" is not a column of the table`);
      return {
        'source-id': source.id,
        'field-id': FIRST_PARTITION_FIELD_ID + index,
        name: `${p.field}_${p.transform}`,
        transform: p.param === undefined ? p.transform : `${p.transform}[${p.param}]`,
      };
    }),
  };
}

const MICROS_PER_HOUR = 3_600_000_000;
const MICROS_PER_DAY = 86_400_000_000;

export function bindPartitionSpec(schema: IcebergSchema, spec: PartitionSpec): BoundPartitionField[] {
  return spec.fields.map((field) => {
    const sourceIndex = schema.fields.findIndex((f) => f.id === field['source-id']);
    const source = schema.fields[sourceIndex]!;
    const sourceType = source.type;
    const [name, param] = parseTransform(field.transform);
    const bound = (
      resultType: BoundPartitionField['resultType'],
      fn: (v: NonNullable<IcebergValue>) => IcebergValue,
      human: (v: NonNullable<IcebergValue>) => string = String,
    ): BoundPartitionField => ({
      field,
      sourceIndex,
      sourceType,
      resultType,
      apply: (v) => (v === null ? null : fn(v)),
      human: (v) => (v === null ? 'null' : human(v)),
    });
    // Microsecond timestamps stay below 2^53 until the year 2255, so float division is exact enough to floor.
    const days = (v: NonNullable<IcebergValue>) =>
      sourceType === 'date' ? Number(v) : Math.floor(Number(v) / MICROS_PER_DAY);
    const timeOnly = () => {
      if (sourceType !== 'timestamptz' && sourceType !== 'date')
        throw new Error(`${name}(${source.name}) needs a date or date-time column, not ${sourceType}`);
    };
    switch (name) {
      case 'identity':
        return bound(sourceType, (v) => v, identityHuman(sourceType));
      case 'year':
        timeOnly();
        return bound(
          'int',
          (v) => utc(days(v)).getUTCFullYear() - 1970,
          (v) => String(1970 + Number(v)),
        );
      case 'month':
        timeOnly();
        return bound(
          'int',
          (v) => {
            const d = utc(days(v));
            return (d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth();
          },
          (v) => {
            const m = Number(v);
            return `${1970 + Math.floor(m / 12)}-${pad((((m % 12) + 12) % 12) + 1)}`;
          },
        );
      case 'day':
        timeOnly();
        return bound('date', days, (v) => utc(Number(v)).toISOString().slice(0, 10));
      case 'hour':
        if (sourceType !== 'timestamptz')
          throw new Error(`hour(${source.name}) needs a date-time column, not ${sourceType}`);
        return bound(
          'int',
          (v) => Math.floor(Number(v) / MICROS_PER_HOUR),
          (v) => new Date(Number(v) * 3_600_000).toISOString().slice(0, 13).replace('T', '-'),
        );
      case 'bucket':
        return bound('int', (v) => (murmur3x86_32(hashBytes(sourceType, v)) & 0x7fffffff) % param!);
      case 'truncate':
        return bound(sourceType, (v) => truncate(sourceType, v, param!), identityHuman(sourceType));
      default:
        throw new Error(`unsupported partition transform ${field.transform}`);
    }
  });
}

/** The partition tuple of a row, in spec field order. */
export function partitionTuple(bound: BoundPartitionField[], row: Row): IcebergValue[] {
  return bound.map((b) => b.apply(row[b.sourceIndex]!));
}

/** `createdAt_day=2026-11-24/…`: the Hive-style directory of a partition, as Iceberg writers lay it out. */
export function partitionPath(bound: BoundPartitionField[], tuple: IcebergValue[]): string {
  return bound
    .map((b, i) => `${encodeURIComponent(b.field.name)}=${encodeURIComponent(b.human(tuple[i]!))}`)
    .join('/');
}

function parseTransform(transform: string): [string, number | undefined] {
  const match = /^(\w+)(?:\[(\d+)\])?$/.exec(transform);
  if (!match) throw new Error(`bad transform ${transform}`);
  return [match[1]!, match[2] === undefined ? undefined : Number(match[2])];
}

function utc(days: number): Date {
  return new Date(days * 86_400_000);
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function identityHuman(type: IcebergPrimitive): (v: NonNullable<IcebergValue>) => string {
  if (type === 'timestamptz') return (v) => new Date(Number((v as bigint) / 1000n)).toISOString();
  if (type === 'date') return (v) => utc(Number(v)).toISOString().slice(0, 10);
  return String;
}

/** Spec, Appendix B: ints and longs hash as 8-byte little-endian longs, strings as UTF-8, dates as ints. */
function hashBytes(type: IcebergPrimitive, value: NonNullable<IcebergValue>): Uint8Array {
  switch (type) {
    case 'long':
    case 'timestamptz':
    case 'date': {
      const bytes = new Uint8Array(8);
      new DataView(bytes.buffer).setBigInt64(0, BigInt(value as bigint | number), true);
      return bytes;
    }
    case 'string':
      return new TextEncoder().encode(value as string);
    default:
      throw new Error(`bucket does not apply to ${type} columns`);
  }
}

function truncate(type: IcebergPrimitive, value: NonNullable<IcebergValue>, width: number): IcebergValue {
  if (type === 'long') {
    const v = value as bigint;
    const w = BigInt(width);
    return v - (((v % w) + w) % w);
  }
  if (type === 'string')
    return Array.from(value as string)
      .slice(0, width)
      .join('');
  throw new Error(`truncate does not apply to ${type} columns`);
}
