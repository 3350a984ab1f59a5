/**
 * A topic's JSON Schema as an Iceberg schema with field ids. The columns are the schema's top-level
 * properties in declaration order, typed like the CDK Glue/Iceberg table (lib/aws/schema-columns.ts), so a
 * query written against the local table runs unchanged against the one Firehose fills on AWS. Nested
 * objects and arrays are stored as JSON strings, as on AWS.
 * Iceberg spec, "Schemas and Data Types": https://iceberg.apache.org/spec/#schemas-and-data-types
 */

/** The Iceberg primitive types the sink writes. */
export type IcebergPrimitive = 'string' | 'long' | 'double' | 'boolean' | 'timestamptz' | 'date';

export interface IcebergField {
  /** Unique, positive, assigned in declaration order starting at 1. */
  id: number;
  name: string;
  required: boolean;
  type: IcebergPrimitive;
}

export interface IcebergSchema {
  type: 'struct';
  'schema-id': number;
  fields: IcebergField[];
  /** Fields that identify a row (the manifest's uniqueKeys). */
  'identifier-field-ids'?: number[];
}

/**
 * The Iceberg schema of a topic's JSON Schema.
 * @param uniqueKeys become `identifier-field-ids`; they must be required, non-floating columns.
 */
export function icebergSchemaFromJsonSchema(
  jsonSchema: Record<string, unknown> | undefined,
  uniqueKeys: string[] = [],
): IcebergSchema {
  const properties = (jsonSchema?.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set(Array.isArray(jsonSchema?.required) ? (jsonSchema.required as string[]) : []);
  const fields = Object.entries(properties).map(
    ([name, property], index): IcebergField => ({
      id: index + 1,
      name,
      required: required.has(name) && !allowsNull(property ?? {}),
      type: icebergType(property ?? {}),
    }),
  );
  if (fields.length === 0)
    throw new Error('the topic schema has no properties: an Iceberg table needs columns');
  const schema: IcebergSchema = { type: 'struct', 'schema-id': 0, fields };
  if (uniqueKeys.length > 0) {
    schema['identifier-field-ids'] = uniqueKeys.map((key) => {
      const field = fields.find((f) => f.name === key);
      // Spec: identifier fields must be required and may not be float/double.
      if (!field?.required || field.type === 'double')
        throw new Error(`unique key "${key}" must be a required, non-floating column of the topic schema`);
      return field.id;
    });
  }
  return schema;
}

function allowsNull(property: Record<string, unknown>): boolean {
  return Array.isArray(property.type) && property.type.includes('null');
}

function icebergType(property: Record<string, unknown>): IcebergPrimitive {
  const declared = property.type;
  const type = Array.isArray(declared) ? declared.find((t) => t !== 'null') : declared;
  switch (type) {
    case 'integer':
      return 'long';
    case 'number':
      return 'double';
    case 'boolean':
      return 'boolean';
    case 'string':
      if (property.format === 'date-time') return 'timestamptz';
      if (property.format === 'date') return 'date';
      return 'string';
    default:
      // Enums of strings, objects, arrays and untyped properties: strings (JSON text for non-strings).
      return 'string';
  }
}
