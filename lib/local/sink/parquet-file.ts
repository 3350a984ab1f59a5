/**
 * Rows → one Parquet file, with hyparquet-writer (pure JavaScript, maintained, writes Parquet field ids).
 * Iceberg readers resolve columns by the Parquet field id, so every column carries its Iceberg field id
 * (spec, "Parquet" under "Appendix A: Format-specific Requirements"), and types follow the spec's
 * Iceberg → Parquet mapping: timestamptz is INT64 TIMESTAMP(isAdjustedToUTC=true, MICROS), date is INT32 DATE.
 */
import { ByteWriter, parquetWrite, type SchemaElement } from 'hyparquet-writer';
import type { IcebergField, IcebergSchema } from './iceberg-schema.ts';
import type { IcebergValue, Row } from './row-values.ts';

export interface ParquetFileOptions {
  /**
   * Rows per row group; one group per file keeps small files cheap to read.
   * @default 1_000_000
   */
  rowGroupSize?: number;
  /**
   * Page compression.
   * @default 'SNAPPY'
   */
  codec?: 'SNAPPY' | 'UNCOMPRESSED';
}

/** Column-wise statistics of the written file, for the manifest entry (spec, "Manifests" → data_file). */
export interface ColumnMetrics {
  valueCounts: Map<number, number>;
  nullValueCounts: Map<number, number>;
  /**
   * Smallest and largest value per column, for numeric, date and timestamp columns only: strings are left
   * out because JavaScript orders them by UTF-16 code unit and Iceberg by UTF-8 byte, which differ for
   * characters beyond the Basic Multilingual Plane, and a wrong bound makes readers skip files they need.
   */
  lowerBounds: Map<number, bigint | number>;
  upperBounds: Map<number, bigint | number>;
}

const BOUNDED_TYPES = new Set(['long', 'double', 'date', 'timestamptz']);

export interface ParquetFile {
  bytes: Uint8Array;
  recordCount: number;
  metrics: ColumnMetrics;
}

export function parquetSchema(schema: IcebergSchema): SchemaElement[] {
  return [{ name: 'table', num_children: schema.fields.length }, ...schema.fields.map(columnElement)];
}

function columnElement(field: IcebergField): SchemaElement {
  const base = {
    name: field.name,
    field_id: field.id,
    repetition_type: field.required ? ('REQUIRED' as const) : ('OPTIONAL' as const),
  };
  switch (field.type) {
    case 'string':
      return { ...base, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } };
    case 'long':
      return { ...base, type: 'INT64' };
    case 'double':
      return { ...base, type: 'DOUBLE' };
    case 'boolean':
      return { ...base, type: 'BOOLEAN' };
    case 'date':
      return { ...base, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } };
    case 'timestamptz':
      return {
        ...base,
        type: 'INT64',
        converted_type: 'TIMESTAMP_MICROS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MICROS' },
      };
  }
}

/** Write rows (values in schema field order) as one Parquet file in memory. */
export function writeParquet(
  schema: IcebergSchema,
  rows: Row[],
  options: ParquetFileOptions = {},
): ParquetFile {
  const columns: IcebergValue[][] = schema.fields.map(() => new Array(rows.length));
  const nulls = schema.fields.map(() => 0);
  const bounded = schema.fields.map((f) => BOUNDED_TYPES.has(f.type));
  const lower: (bigint | number | undefined)[] = schema.fields.map(() => undefined);
  const upper: (bigint | number | undefined)[] = schema.fields.map(() => undefined);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    for (let c = 0; c < columns.length; c++) {
      const value = row[c]!;
      columns[c]![r] = value;
      if (value === null) nulls[c]!++;
      else if (bounded[c]) {
        const v = value as bigint | number;
        if (lower[c] === undefined || v < lower[c]!) lower[c] = v;
        if (upper[c] === undefined || v > upper[c]!) upper[c] = v;
      }
    }
  }
  const writer = new ByteWriter();
  parquetWrite({
    writer,
    schema: parquetSchema(schema),
    columnData: schema.fields.map((field, c) => ({
      name: field.name,
      data: columns[c]! as never,
      nullable: !field.required,
    })),
    codec: options.codec ?? 'SNAPPY',
    rowGroupSize: options.rowGroupSize ?? 1_000_000,
    createdBy: 'stratus local sink (hyparquet-writer 0.17.0)',
  });
  const metrics: ColumnMetrics = {
    valueCounts: new Map(),
    nullValueCounts: new Map(),
    lowerBounds: new Map(),
    upperBounds: new Map(),
  };
  schema.fields.forEach((field, c) => {
    metrics.valueCounts.set(field.id, rows.length);
    metrics.nullValueCounts.set(field.id, nulls[c]!);
    if (lower[c] !== undefined) metrics.lowerBounds.set(field.id, lower[c]!);
    if (upper[c] !== undefined) metrics.upperBounds.set(field.id, upper[c]!);
  });
  return { bytes: new Uint8Array(writer.getBuffer()), recordCount: rows.length, metrics };
}
