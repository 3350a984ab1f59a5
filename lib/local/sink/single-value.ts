/**
 * Iceberg's binary single-value serialization, used for bounds in manifests and manifest lists.
 * Spec, "Appendix D: Single-value serialization" → "Binary single-value serialization".
 */
import type { IcebergPrimitive } from './iceberg-schema.ts';
import type { IcebergValue } from './row-values.ts';

export function singleValueBytes(type: IcebergPrimitive | 'int', value: NonNullable<IcebergValue>): Buffer {
  switch (type) {
    case 'int':
    case 'date': {
      const b = Buffer.alloc(4);
      b.writeInt32LE(Number(value));
      return b;
    }
    case 'long':
    case 'timestamptz': {
      const b = Buffer.alloc(8);
      b.writeBigInt64LE(BigInt(value as bigint | number));
      return b;
    }
    case 'double': {
      const b = Buffer.alloc(8);
      b.writeDoubleLE(Number(value));
      return b;
    }
    case 'boolean':
      return Buffer.from([value ? 1 : 0]);
    case 'string':
      return Buffer.from(String(value), 'utf8');
  }
}

/** Order of two non-null values of one Iceberg type (strings by UTF-8 bytes, as the spec orders them). */
export function compareValues(a: NonNullable<IcebergValue>, b: NonNullable<IcebergValue>): number {
  if (typeof a === 'string' && typeof b === 'string') return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}
