/**
 * A topic's JSON Schema as an Iceberg schema with field ids, mapped from the one reading of the schema in
 * lib/core/table-columns.ts (the CDK tables map from it too), so a query written against the local table runs
 * unchanged against the one Firehose fills on AWS. Field ids are assigned in declaration order.
 * Iceberg spec, "Schemas and Data Types": https://iceberg.apache.org/spec/#schemas-and-data-types
 */
import { type IcebergPrimitive, icebergType, schemaColumns } from '../../core/table-columns.ts';

export type { IcebergPrimitive };

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
  const fields = schemaColumns(jsonSchema).map(
    (column, index): IcebergField => ({
      id: index + 1,
      name: column.name,
      required: column.required,
      type: icebergType(column.kind),
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
