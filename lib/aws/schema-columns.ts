/**
 * Table columns for the Glue tables the CDK creates, mapped from the one reading of a topic's JSON Schema in
 * lib/core/table-columns.ts (the local sink maps from it too). Firehose maps JSON records onto these columns by
 * name, so a record field that is not a column is dropped.
 */
import {
  type ColumnKind,
  glueType,
  type IcebergPrimitive,
  icebergType,
  schemaColumns as readColumns,
} from '../core/table-columns.ts';

export interface TableColumn {
  name: string;
  kind: ColumnKind;
  /** Glue (Hive) type, for Parquet tables: string, bigint, double, boolean, timestamp, date. */
  glueType: string;
  /** Iceberg primitive type, for Iceberg tables: string, long, double, boolean, timestamptz, date. */
  icebergType: IcebergPrimitive;
  /** Listed in `required` and not nullable. */
  required: boolean;
}

/** Top-level columns of an object schema; nested objects and arrays become JSON strings. */
export function schemaColumns(schema: Record<string, unknown> | undefined): TableColumn[] {
  return readColumns(schema).map((column) => {
    const iceberg = icebergType(column.kind);
    return { ...column, icebergType: iceberg, glueType: glueType(iceberg) };
  });
}
