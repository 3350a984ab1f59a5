/**
 * Table columns from a topic's JSON Schema: the Glue/Iceberg type of each top-level property. Firehose maps
 * JSON records onto these columns by name, so a record field that is not a column is dropped and a column
 * that is missing from a record is null.
 */

export interface TableColumn {
  name: string;
  /** Glue (Hive) type, for Parquet tables: string, bigint, double, boolean, timestamp, date. */
  glueType: string;
  /** Iceberg primitive type, for Iceberg tables: string, long, double, boolean, timestamptz, date. */
  icebergType: string;
  required: boolean;
}

/** Top-level columns of an object schema; nested objects and arrays become JSON strings. */
export function schemaColumns(schema: Record<string, unknown> | undefined): TableColumn[] {
  const properties = schema?.properties;
  if (!properties || typeof properties !== 'object') return [];
  const required = new Set(Array.isArray(schema?.required) ? (schema.required as string[]) : []);
  return Object.entries(properties as Record<string, Record<string, unknown>>).map(([name, property]) => {
    const [glueType, icebergType] = columnType(property ?? {});
    return { name, glueType, icebergType, required: required.has(name) };
  });
}

function columnType(property: Record<string, unknown>): [glue: string, iceberg: string] {
  const declared = property.type;
  // ["string", "null"] is a nullable string.
  const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
  if (type === undefined && Array.isArray(property.enum)) {
    const values = property.enum as unknown[];
    if (values.every((v) => typeof v === 'string')) return ['string', 'string'];
  }
  switch (type) {
    case 'integer':
      return ['bigint', 'long'];
    case 'number':
      return ['double', 'double'];
    case 'boolean':
      return ['boolean', 'boolean'];
    case 'string':
      if (property.format === 'date-time') return ['timestamp', 'timestamptz'];
      if (property.format === 'date') return ['date', 'date'];
      return ['string', 'string'];
    default:
      return ['string', 'string'];
  }
}
