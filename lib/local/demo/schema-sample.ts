/**
 * Events for a source topic the demo has no hand-written generator for: a value built from the topic's JSON
 * Schema (required properties, types, enums, numeric bounds and `multipleOf`, string lengths, `pattern`s, common
 * formats, array sizes and `uniqueItems`, local `$ref`s, the first branch of `oneOf`/`anyOf`, `allOf` merged), or
 * a small JSON object when there is no schema. Each valid event is checked with the SDK's own validator and made
 * again (up to a few times) when the schema refuses it; a schema the sampler cannot satisfy (a lookahead in a
 * pattern, `not`, `if`/`then`) is said once in `unsatisfied`, and its events are dead-lettered by the SDK.
 */
import { createRequire } from 'node:module';
import { schemaValidatorFor } from '../../manifest/module-files.ts';
import type { DemoRandom } from './random.ts';
import type { DemoGenerator, DemoRecord, DemoRecordKind } from './types.ts';

/** What the sampler uses of randexp's generator. */
interface PatternGenerator {
  /** The most a `*` or `+` repeats. */
  max: number;
  randInt(a: number, b: number): number;
  gen(): string;
}
type PatternGeneratorClass = new (pattern: string) => PatternGenerator;
/**
 * randexp, required on the first pattern (~11 ms to load, which every CLI command would pay otherwise). CommonJS
 * (`module.exports = RandExp`) whose typings declare an ES default export, which NodeNext and bundler resolution
 * read differently: required, with the little it is used for typed here.
 */
let RandExp: PatternGeneratorClass | undefined;
const requireHere = createRequire(import.meta.url);

type Schema = Record<string, unknown>;

/** Attempts at a value the schema accepts before the last one is sent as it is. */
const ATTEMPTS = 20;

export function schemaSamples(random: DemoRandom, schema: Schema | undefined, topic: string): DemoGenerator {
  const check = schema ? acceptedBy(schema) : undefined;
  /** A value of the schema: the first of a few attempts it accepts, else the last, with why it refuses it. */
  const valid = (): { value: unknown; refused?: string } => {
    let refused: string | undefined;
    let value: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      value = sample(schema!, schema!, random, 0);
      refused = check?.(value);
      if (refused === undefined) return { value };
    }
    return { value, refused };
  };
  // Asked once, up front, so the producer can say so before sending anything.
  const unsatisfied = schema ? valid().refused : undefined;
  return {
    description: schema ? `${topic} (from its JSON Schema)` : `${topic} (no schema: small JSON objects)`,
    // Without knowing the handler, only the SDK-side poison is predictable.
    poison: schema ? ['bad-json', 'schema-violation'] : ['bad-json'],
    unsatisfied,
    next(seq: number, kind: DemoRecordKind): DemoRecord {
      const value = schema ? valid().value : { id: random.uuid(), seq, at: new Date().toISOString() };
      if (kind === 'bad-json') return { key: null, value: `${JSON.stringify(value).slice(0, 40)}…`, kind };
      if (kind === 'schema-violation')
        return { key: null, value: JSON.stringify(violate(schema, value)), kind };
      return { key: null, value: JSON.stringify(value), kind };
    },
  };
}

/** The SDK's validation of `schema` (lib/manifest/module-files.ts): undefined when it accepts, else the first reason. */
function acceptedBy(schema: Schema): ((value: unknown) => string | undefined) | undefined {
  let validate: ReturnType<ReturnType<typeof schemaValidatorFor>['compile']>;
  try {
    validate = schemaValidatorFor(schema).compile(schema);
  } catch {
    // Not compilable: the manifest's validation says so; nothing to check against here.
    return undefined;
  }
  return (value) => {
    if (validate(value)) return undefined;
    const error = validate.errors?.[0];
    return error ? `${error.instancePath || '/'} ${error.message}` : 'refused';
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
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      const max = typeof schema.maxItems === 'number' ? schema.maxItems : Math.max(min, 3);
      // Between the bounds (at least one when allowed): a handler sees lists of several sizes.
      const length = random.int(Math.max(min, Math.min(1, max)), Math.max(min, Math.min(max, min + 3)));
      const out = [...head];
      const seen = new Set(head.map((item) => JSON.stringify(item)));
      // `uniqueItems`: a repeat is drawn again a few times (an enum of two cannot fill five places).
      for (let tries = 0; out.length < length && tries < length * 5; tries++) {
        const item = sample(items, root, random, depth + 1);
        const text = JSON.stringify(item);
        if (schema.uniqueItems === true && seen.has(text)) continue;
        seen.add(text);
        out.push(item);
      }
      return out;
    }
    case 'integer': {
      const { min, max } = bounds(schema);
      return (
        multipleWithin(schema, Math.ceil(min), Math.floor(max), random) ??
        random.int(Math.ceil(min), Math.floor(max))
      );
    }
    case 'number': {
      // Hundredths inside the bounds: uniform, so a handler's thresholds see every part of the range.
      const { min, max } = bounds(schema);
      return (
        multipleWithin(schema, min, max, random) ??
        Math.min(max, Math.ceil(min * 100) / 100 + random.int(0, Math.floor((max - min) * 100)) / 100)
      );
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

/** A multiple of `multipleOf` in [min, max], or undefined without one (or none fits). */
function multipleWithin(schema: Schema, min: number, max: number, random: DemoRandom): number | undefined {
  const step = schema.multipleOf;
  if (typeof step !== 'number' || !(step > 0)) return undefined;
  const first = Math.ceil(min / step);
  const last = Math.floor(max / step);
  if (first > last) return undefined;
  // Rounded to the step's decimals: 0.1 × 3 is 0.30000000000000004, which is not a multiple of 0.1.
  const decimals = (String(step).split('.')[1] ?? '').length;
  return Number((random.int(first, last) * step).toFixed(decimals));
}

function sampleString(schema: Schema, random: DemoRandom): string {
  const min = typeof schema.minLength === 'number' ? schema.minLength : 1;
  const max = typeof schema.maxLength === 'number' ? schema.maxLength : Number.POSITIVE_INFINITY;
  if (typeof schema.pattern === 'string') {
    const matching = fromPattern(schema.pattern, min, max, random);
    if (matching !== undefined) return matching;
  }
  const formatted = FORMATS[schema.format as string]?.(random);
  if (formatted !== undefined) return formatted;
  return random.token(Math.min(Math.max(min, 8), max));
}

/** Values of the formats ajv-formats checks that schemas commonly use. */
const FORMATS: Record<string, (random: DemoRandom) => string> = {
  uuid: (random) => random.uuid(),
  'date-time': () => new Date().toISOString(),
  date: () => new Date().toISOString().slice(0, 10),
  time: () => new Date().toISOString().slice(11),
  duration: (random) => `PT${random.int(1, 59)}M`,
  uri: (random) => `https://example.com/${random.token(6)}`,
  url: (random) => `https://example.com/${random.token(6)}`,
  iri: (random) => `https://example.com/${random.token(6)}`,
  'uri-reference': (random) => `/${random.token(6)}`,
  email: (random) => `${random.token(6)}@example.com`,
  'idn-email': (random) => `${random.token(6)}@example.com`,
  hostname: (random) => `host-${random.token(6)}.example.com`,
  'idn-hostname': (random) => `host-${random.token(6)}.example.com`,
  ipv4: (random) => `10.${random.int(0, 255)}.${random.int(0, 255)}.${random.int(1, 254)}`,
  ipv6: (random) => `2001:db8::${random.int(1, 0xffff).toString(16)}`,
  'json-pointer': (random) => `/${random.token(4)}`,
  regex: () => '^[a-z]+$',
  byte: (random) => Buffer.from(random.token(6)).toString('base64'),
};

/** Parsed patterns, by source: a topic's events reuse them. */
const patterns = new Map<string, PatternGenerator | null>();

/**
 * A string matching `pattern` (JSON Schema patterns are not anchored; a string made from the whole expression
 * matches it anywhere), within the lengths when a few draws allow; undefined when the pattern cannot be read.
 */
function fromPattern(pattern: string, min: number, max: number, random: DemoRandom): string | undefined {
  let generator = patterns.get(pattern);
  if (generator === undefined) {
    try {
      RandExp ??= requireHere('randexp') as PatternGeneratorClass;
      generator = new RandExp(pattern);
      // `*` and `+` repeat at most this often: ids, not pages.
      generator.max = 8;
    } catch {
      generator = null;
    }
    patterns.set(pattern, generator);
  }
  if (generator === null) return undefined;
  // Seeded like every other choice of the demo, so a run can be repeated.
  generator.randInt = (a, b) => random.int(a, b);
  let made = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    made = generator.gen();
    if (made.length >= min && made.length <= max) return made;
  }
  return made;
}
