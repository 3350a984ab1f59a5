/**
 * A topic's JSON Schema read as table columns: the one reading that the Glue/Iceberg tables on AWS
 * (lib/aws/lakehouse-sink.ts), the local sink's Iceberg and Parquet tables (lib/local/sink/iceberg-schema.ts)
 * and the manifest checks all map from, so a query written against the local table runs unchanged against
 * the one Firehose fills. Columns are the schema's top-level properties in declaration order.
 *   integer → long, number → double, boolean → boolean,
 *   string with format date-time → timestamptz, with format date → date, other strings → string,
 *   objects, arrays and untyped properties → string (their JSON text),
 *   `required` and not nullable (`type: [..., "null"]`) → a required column.
 * Iceberg spec, "Schemas and Data Types": https://iceberg.apache.org/spec/#schemas-and-data-types
 */

/** What a property holds. */
export type ColumnKind = 'string' | 'integer' | 'number' | 'boolean' | 'date-time' | 'date' | 'json';

/** The Iceberg primitive types Stratus tables use. */
export type IcebergPrimitive = 'string' | 'long' | 'double' | 'boolean' | 'timestamptz' | 'date';

export interface SchemaColumn {
  name: string;
  kind: ColumnKind;
  /** Listed in `required` and not nullable: a row without it is refused. */
  required: boolean;
}

/** The columns of an object schema; none without `properties`. */
export function schemaColumns(schema: Record<string, unknown> | undefined): SchemaColumn[] {
  const properties = schema?.properties;
  if (!properties || typeof properties !== 'object') return [];
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(properties as Record<string, Record<string, unknown> | undefined>).map(
    ([name, property = {}]) => ({
      name,
      kind: columnKind(property),
      required: required.has(name) && !(Array.isArray(property.type) && property.type.includes('null')),
    }),
  );
}

function columnKind(property: Record<string, unknown>): ColumnKind {
  const declared = property.type;
  // ["string", "null"] is a nullable string.
  const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
  if (type === undefined && Array.isArray(property.enum) && property.enum.every((v) => typeof v === 'string'))
    return 'string';
  switch (type) {
    case 'integer':
    case 'number':
    case 'boolean':
      return type;
    case 'string':
      return property.format === 'date-time' ? 'date-time' : property.format === 'date' ? 'date' : 'string';
    default:
      return 'json';
  }
}

const ICEBERG_TYPES: Record<ColumnKind, IcebergPrimitive> = {
  string: 'string',
  integer: 'long',
  number: 'double',
  boolean: 'boolean',
  'date-time': 'timestamptz',
  date: 'date',
  json: 'string',
};

/** The Iceberg type of a column. */
export function icebergType(kind: ColumnKind): IcebergPrimitive {
  return ICEBERG_TYPES[kind];
}

/** The Glue (Hive) type of an Iceberg type: Parquet table columns on AWS, informational columns locally. */
export function glueType(type: IcebergPrimitive): string {
  return type === 'long' ? 'bigint' : type === 'timestamptz' ? 'timestamp' : type;
}
