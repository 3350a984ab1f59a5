/**
 * Evolving a table's Iceberg schema to a topic's newer JSON Schema, within what Iceberg allows without
 * rewriting data (spec, "Schema Evolution": https://iceberg.apache.org/spec/#schema-evolution): a new property
 * becomes a new optional column with a new field id (never a reused one), a column may become optional, and a
 * type may widen along Iceberg's promotions (int → long, float → double). A property the new schema no longer
 * has stays a column and becomes optional (old rows keep their values). Anything else — a type change Iceberg
 * cannot promote, such as long → double for `integer` → `number` — keeps the column as it is and is reported;
 * records that do not fit it then go to the sink's error output, as on Firehose.
 */
import type { IcebergField, IcebergPrimitive, IcebergSchema } from './iceberg-schema.ts';

const PROMOTIONS: Record<string, IcebergPrimitive[]> = { int: ['long'], float: ['double'] };

export interface SchemaEvolution {
  /** The new current schema (schema-id one above the current). */
  schema: IcebergSchema;
  /** The table's new last-column-id. */
  lastColumnId: number;
  /** What changed, one line each. */
  changes: string[];
  /** Changes the table cannot make. */
  refused: string[];
}

/** The evolution of `current` towards `desired` (fresh ids from a JSON Schema), or undefined when nothing changes. */
export function evolveSchema(
  current: IcebergSchema,
  desired: IcebergSchema,
  lastColumnId: number,
): SchemaEvolution | undefined {
  const changes: string[] = [];
  const refused: string[] = [];
  const wanted = new Map(desired.fields.map((f) => [f.name, f]));
  const fields: IcebergField[] = current.fields.map((field) => {
    const target = wanted.get(field.name);
    const next = { ...field };
    if (!target) {
      if (field.required) {
        next.required = false;
        changes.push(`column ${field.name} is no longer in the schema: made optional`);
      }
      return next;
    }
    if (target.type !== field.type) {
      if ((PROMOTIONS[field.type] ?? []).includes(target.type)) {
        next.type = target.type;
        changes.push(`column ${field.name} widened ${field.type} → ${target.type}`);
      } else
        refused.push(`column ${field.name}: ${field.type} → ${target.type} is not an Iceberg type promotion`);
    }
    if (field.required && !target.required) {
      next.required = false;
      changes.push(`column ${field.name} made optional`);
    } else if (!field.required && target.required) {
      // Iceberg cannot make an optional column required (old rows may hold nulls); it stays optional.
    }
    return next;
  });
  let nextId = lastColumnId;
  const known = new Set(current.fields.map((f) => f.name));
  for (const field of desired.fields) {
    if (known.has(field.name)) continue;
    nextId++;
    // Added optional: rows written before it have no value (a required column would need a default, v3).
    fields.push({ id: nextId, name: field.name, required: false, type: field.type });
    changes.push(`column ${field.name} added (${field.type}, field id ${nextId})`);
  }
  if (changes.length === 0)
    return refused.length > 0 ? { schema: current, lastColumnId, changes, refused } : undefined;
  const schema: IcebergSchema = { type: 'struct', 'schema-id': current['schema-id'] + 1, fields };
  if (current['identifier-field-ids']) schema['identifier-field-ids'] = current['identifier-field-ids'];
  return { schema, lastColumnId: nextId, changes, refused };
}
