/**
 * A topic's JSON Schema as CEL types, and record values as CEL values.
 *
 * CEL distinguishes `int` from `double` where JSON does not: properties the schema declares `integer` are
 * `int` (the value is handed to CEL as a BigInt), `number` is `double`. Objects with `properties` become typed
 * messages, so `value.amout` is a type error naming the unknown field; anything the schema leaves open
 * (unions, nullable types, objects without properties, array elements that are objects) is `dyn`/`map`.
 */
import { child, isObject, type Located, resolveRefs, type SchemaDocument } from './schema-document.ts';

/** A cel-js variable schema: a type name per field, or a nested schema for a typed object. */
export type CelSchema = { [field: string]: string | CelSchema };

/** The record value's fields as a cel-js schema; undefined when the schema is not an object with properties. */
export function celSchemaOf(doc: SchemaDocument): CelSchema | undefined {
  const type = celTypeOf({ node: doc.schema, doc, path: [] }, new Set());
  return typeof type === 'object' ? type : undefined;
}

function celTypeOf(at: Located, seen: Set<unknown>): string | CelSchema {
  const resolved = resolveRefs(at);
  if (!resolved || !isObject(resolved.node) || seen.has(resolved.node)) return 'dyn';
  const node = resolved.node;
  const type = Array.isArray(node.type) ? (node.type.length === 1 ? node.type[0] : undefined) : node.type;
  if (type === undefined && Array.isArray(node.enum)) {
    return node.enum.every((v) => typeof v === 'string') ? 'string' : 'dyn';
  }
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
      return 'int';
    case 'number':
      return 'double';
    case 'boolean':
      return 'bool';
    case 'array': {
      if (!('items' in node) || Array.isArray(node.items)) return 'list<dyn>';
      const items = celTypeOf(child(resolved, 'items'), seen);
      return typeof items === 'string' ? `list<${items}>` : 'list<map<string, dyn>>';
    }
    case 'object': {
      if (!isObject(node.properties) || Object.keys(node.properties).length === 0) return 'map<string, dyn>';
      seen.add(node);
      const fields: CelSchema = {};
      for (const name of Object.keys(node.properties))
        fields[name] = celTypeOf(child(resolved, 'properties', name), seen);
      seen.delete(node);
      return fields;
    }
    default:
      return 'dyn';
  }
}

/** Turns a decoded JSON value into the value CEL expects; identity when the schema has no integers. */
export type CelValueConverter = (value: unknown) => unknown;

/**
 * Compiled once per schema: walks only the paths that lead to `integer` properties (BigInt for CEL's `int`), so a
 * record without integers is passed through untouched.
 */
export function celValueConverter(doc: SchemaDocument): CelValueConverter {
  return converterFor({ node: doc.schema, doc, path: [] }, new Set()) ?? identity;
}

const identity: CelValueConverter = (value) => value;

function converterFor(at: Located, seen: Set<unknown>): CelValueConverter | undefined {
  const resolved = resolveRefs(at);
  if (!resolved || !isObject(resolved.node) || seen.has(resolved.node)) return undefined;
  const node = resolved.node;
  const type = Array.isArray(node.type) ? (node.type.length === 1 ? node.type[0] : undefined) : node.type;
  if (type === 'integer') {
    return (value) => (typeof value === 'number' && Number.isInteger(value) ? BigInt(value) : value);
  }
  if (type === 'array' && isObject(node.items)) {
    const item = converterFor(child(resolved, 'items'), seen);
    return item && ((value) => (Array.isArray(value) ? value.map(item) : value));
  }
  if (type === 'object' && isObject(node.properties)) {
    seen.add(node);
    const fields: Array<[string, CelValueConverter]> = [];
    for (const name of Object.keys(node.properties)) {
      const convert = converterFor(child(resolved, 'properties', name), seen);
      if (convert) fields.push([name, convert]);
    }
    seen.delete(node);
    if (fields.length === 0) return undefined;
    return (value) => {
      if (!isObject(value)) return value;
      const copy: Record<string, unknown> = { ...value };
      for (const [name, convert] of fields) if (name in copy) copy[name] = convert(copy[name]);
      return copy;
    };
  }
  return undefined;
}
