/**
 * A TypeScript type for a JSON Schema, so a generated handler is typed by its topic's schema: objects with
 * their properties (optional unless required), arrays, enums and consts as literal unions, primitive types.
 * What it does not follow (references, combinators, patterns) becomes `unknown`, which still type-checks.
 */
type Schema = Record<string, unknown>;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `interface <name> { ... }` for an object schema, else `type <name> = ...`; exported, with the title as JSDoc. */
export function typeDeclaration(name: string, schema: Schema | undefined, doc: string): string {
  const body = schema ? typeOf(schema, 0) : 'Record<string, unknown>';
  const comment = `/** ${doc} */\n`;
  return body.startsWith('{')
    ? `${comment}export interface ${name} ${body}\n`
    : `${comment}export type ${name} = ${body};\n`;
}

function typeOf(schema: Schema, depth: number): string {
  if ('const' in schema) return literal(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map(literal).join(' | ') || 'never';
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  const rendered = types.map((type) => single(type, schema, depth));
  return [...new Set(rendered)].join(' | ');
}

function single(type: string | undefined, schema: Schema, depth: number): string {
  switch (type) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'null':
      return 'null';
    case 'array': {
      const items =
        schema.items && typeof schema.items === 'object' ? typeOf(schema.items as Schema, depth) : 'unknown';
      return items.includes(' ') ? `Array<${items}>` : `${items}[]`;
    }
    case 'object':
      return objectType(schema, depth);
    default:
      return schema.properties ? objectType(schema, depth) : 'unknown';
  }
}

function objectType(schema: Schema, depth: number): string {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const pad = '  '.repeat(depth + 1);
  const lines = Object.entries(properties).map(([name, child]) => {
    const key = IDENTIFIER.test(name) ? name : JSON.stringify(name);
    const description = typeof child.description === 'string' ? `${pad}/** ${child.description} */\n` : '';
    return `${description}${pad}${key}${required.has(name) ? '' : '?'}: ${typeOf(child, depth + 1)};`;
  });
  if (schema.additionalProperties !== false && lines.length === 0) return 'Record<string, unknown>';
  return `{\n${lines.join('\n')}\n${'  '.repeat(depth)}}`;
}

/** `orders-enriched` → `OrdersEnriched`. */
export function typeName(key: string): string {
  return key
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** A literal type as Biome formats it (single-quoted strings). */
function literal(value: unknown): string {
  return typeof value === 'string'
    ? `'${value.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`
    : JSON.stringify(value);
}
