/**
 * Events for a source topic the demo has no hand-written generator for: a value built from the topic's JSON
 * Schema (required properties, types, enums, numeric bounds, string lengths, common formats, local `$ref`s, the
 * first branch of `oneOf`/`anyOf`, `allOf` merged), or a small JSON object when there is no schema. Good enough
 * to push records through a team's pipeline; `pattern`s and other constraints are not honoured, and a value
 * that misses them is dead-lettered by the SDK, which the accounting then reports as misrouted.
 */
import type { DemoRandom } from './random.ts';
import type { DemoGenerator, DemoRecord, DemoRecordKind } from './types.ts';

type Schema = Record<string, unknown>;

export function schemaSamples(random: DemoRandom, schema: Schema | undefined, topic: string): DemoGenerator {
  return {
    description: schema ? `${topic} (from its JSON Schema)` : `${topic} (no schema: small JSON objects)`,
    // Without knowing the handler, only the SDK-side poison is predictable.
    poison: schema ? ['bad-json', 'schema-violation'] : ['bad-json'],
    next(seq: number, kind: DemoRecordKind): DemoRecord {
      const value = schema
        ? (sample(schema, schema, random, 0) as unknown)
        : { id: random.uuid(), seq, at: new Date().toISOString() };
      if (kind === 'bad-json') return { key: null, value: `${JSON.stringify(value).slice(0, 40)}…`, kind };
      if (kind === 'schema-violation')
        return { key: null, value: JSON.stringify(violate(schema, value)), kind };
      return { key: null, value: JSON.stringify(value), kind };
    },
  };
}

/**
 * A value the schema refuses that still looks like the real thing: one required property of a plain type gets a
 * value of another type, so filters on the other fields (often enums) still let it through to the SDK, which
 * dead-letters it — as the hand-written generators' schema violations do. Without such a property, an array
 * where an object is wanted (or an object where anything else is).
 */
function violate(original: Schema | undefined, value: unknown): unknown {
  const schema = original && normalize(original, original);
  if (schema?.type === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const required = (schema.required ?? []) as string[];
    const plain = (name: string) => {
      const child = properties[name] && normalize(properties[name], original!);
      return child && typeof child.type === 'string' && !('enum' in child) && !('const' in child)
        ? child
        : undefined;
    };
    const target = required.find(plain);
    if (target) return { ...value, [target]: wrongTypeFor(plain(target)!.type as string) };
    return [value];
  }
  return { unexpected: value };
}

function wrongTypeFor(type: string): unknown {
  return type === 'string' ? 12_345 : `not-a-${type}`;
}

/** Deeper than this, a (recursive) schema gets null: the value is then dead-lettered, not generated forever. */
const MAX_DEPTH = 8;

function sample(raw: Schema | boolean, root: Schema, random: DemoRandom, depth: number): unknown {
  // A boolean subschema (`items: false`, `true`): nothing to build from.
  if (depth > MAX_DEPTH || typeof raw === 'boolean') return null;
  const schema = normalize(raw, root);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return random.pick(schema.enum);
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = (schema.properties ?? {}) as Record<string, Schema>;
      const required = new Set((schema.required ?? []) as string[]);
      for (const [name, child] of Object.entries(properties)) {
        if (required.has(name) || (depth < 2 && random.chance(0.5)))
          out[name] = sample(child, root, random, depth + 1);
      }
      return out;
    }
    case 'array': {
      // Draft 2020-12 tuples: `prefixItems` first, then `items` (`false`: no more).
      const prefix = (Array.isArray(schema.prefixItems) ? schema.prefixItems : []) as Schema[];
      const head = prefix.map((item) => sample(item, root, random, depth + 1));
      const items = (schema.items ?? {}) as Schema | boolean;
      if (items === false) return head;
      const min = typeof schema.minItems === 'number' ? schema.minItems : 1;
      const rest = Math.max(min, 1) - head.length;
      return [
        ...head,
        ...Array.from({ length: Math.max(rest, 0) }, () => sample(items, root, random, depth + 1)),
      ];
    }
    case 'integer': {
      const { min, max } = bounds(schema);
      return random.int(Math.ceil(min), Math.floor(max));
    }
    case 'number': {
      // Hundredths inside the bounds: uniform, so a handler's thresholds see every part of the range.
      const { min, max } = bounds(schema);
      return Math.min(max, Math.ceil(min * 100) / 100 + random.int(0, Math.floor((max - min) * 100)) / 100);
    }
    case 'boolean':
      return random.chance(0.5);
    case 'string':
      return sampleString(schema, random);
    default:
      return null;
  }
}

/**
 * The schema with what the sampler needs spelled out: a local `$ref` (`#/$defs/x`, `#/definitions/x`) replaced
 * by its target, the first branch of `oneOf`/`anyOf` taken, `allOf` merged, and `type: object` implied by
 * `properties`.
 */
function normalize(schema: Schema, root: Schema, hops = 0): Schema {
  if (hops > MAX_DEPTH) return schema;
  let out: Schema = schema;
  if (typeof out.$ref === 'string') {
    const { $ref, ...rest } = out;
    const target = pointer(root, $ref as string);
    if (target) out = { ...normalize(target, root, hops + 1), ...rest };
  }
  const branches = Array.isArray(out.oneOf) ? out.oneOf : Array.isArray(out.anyOf) ? out.anyOf : undefined;
  if (branches && branches.length > 0) {
    const { oneOf: _one, anyOf: _any, ...rest } = out;
    out = merge(rest, normalize(branches[0] as Schema, root, hops + 1));
  }
  if (Array.isArray(out.allOf)) {
    const { allOf, ...rest } = out;
    out = (allOf as Schema[]).reduce((merged, part) => merge(merged, normalize(part, root, hops + 1)), rest);
  }
  if (out.type === undefined && typeof out.properties === 'object') out = { ...out, type: 'object' };
  return out;
}

function merge(a: Schema, b: Schema): Schema {
  return {
    ...a,
    ...b,
    properties: { ...(a.properties as Schema | undefined), ...(b.properties as Schema | undefined) },
    required: [
      ...((a.required as string[] | undefined) ?? []),
      ...((b.required as string[] | undefined) ?? []),
    ],
  };
}

/** `#/$defs/reading` → that part of the root schema; other references are not followed. */
function pointer(root: Schema, ref: string): Schema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const part of ref.slice(1).split('/').filter(Boolean)) {
    const key = decodeURIComponent(part).replaceAll('~1', '/').replaceAll('~0', '~');
    node = node && typeof node === 'object' ? (node as Schema)[key] : undefined;
  }
  return node && typeof node === 'object' ? (node as Schema) : undefined;
}

/** The range a number must fall in: `minimum`/`maximum` (exclusive ones nudged inside), else 1,000 wide from 0. */
function bounds(schema: Schema): { min: number; max: number } {
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const min = num(schema.minimum) ?? (num(schema.exclusiveMinimum) ?? -1) + 1;
  const max =
    num(schema.maximum) ??
    (num(schema.exclusiveMaximum) === undefined ? min + 1000 : num(schema.exclusiveMaximum)! - 1);
  return { min, max: Math.max(min, max) };
}

function sampleString(schema: Schema, random: DemoRandom): string {
  switch (schema.format) {
    case 'uuid':
      return random.uuid();
    case 'date-time':
      return new Date().toISOString();
    case 'date':
      return new Date().toISOString().slice(0, 10);
    case 'uri':
    case 'url':
      return `https://example.com/${random.token(6)}`;
    case 'email':
      return `${random.token(6)}@example.com`;
  }
  const min = typeof schema.minLength === 'number' ? schema.minLength : 1;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  return random.token(Math.min(Math.max(min, 8), max));
}
