/**
 * Schema pairs (before → after) with the verdict each mode must give, reasoned from Confluent's JSON Schema
 * rules (SchemaDiff.COMPATIBLE_CHANGES and the content-model rules of ObjectSchemaDiff/ArraySchemaDiff):
 * `ok`, or the rule an incompatible change must be reported under (named old → new). FULL is the union of the
 * two directions and is asserted from them.
 */

type Json = Record<string, unknown>;
export type Verdict = 'ok' | string;

export interface CorpusCase {
  name: string;
  before: Json;
  after: Json;
  backward: Verdict;
  forward: Verdict;
}

const closed = (properties: Json, required: string[] = [], extra: Json = {}): Json => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
  ...extra,
});
const open = (properties: Json, required: string[] = [], extra: Json = {}): Json => ({
  type: 'object',
  properties,
  required,
  ...extra,
});
const str = { type: 'string' };
const int = { type: 'integer' };
const num = { type: 'number' };
const field = (schema: Json, extra: Json = {}): Json => closed({ f: schema }, ['f'], extra);

export const CORPUS: CorpusCase[] = [
  // Properties under open and closed content models
  {
    name: 'optional property added to a closed model',
    before: closed({ a: str }, ['a']),
    after: closed({ a: str, b: int }, ['a']),
    backward: 'ok',
    forward: 'PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL',
  },
  {
    name: 'optional property added to an open model',
    before: open({ a: str }, ['a']),
    after: open({ a: str, b: int }, ['a']),
    backward: 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
    forward: 'ok',
  },
  {
    name: 'property with an empty schema added to an open model',
    before: open({ a: str }),
    after: open({ a: str, b: {} }),
    backward: 'ok',
    forward: 'ok',
  },
  {
    name: 'optional property removed from an open model',
    before: open({ a: str, b: int }, ['a']),
    after: open({ a: str }, ['a']),
    backward: 'ok',
    forward: 'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  },
  {
    name: 'optional property removed from a closed model',
    before: closed({ a: str, b: int }, ['a']),
    after: closed({ a: str }, ['a']),
    backward: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    forward: 'ok',
  },
  {
    name: 'required property removed from a closed model',
    before: closed({ amount: num, id: str }, ['amount', 'id']),
    after: closed({ id: str }, ['id']),
    backward: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    forward: 'REQUIRED_PROPERTY_REMOVED_FROM_UNOPEN_CONTENT_MODEL',
  },
  {
    name: 'required property without default added to a closed model',
    before: closed({ a: str }, ['a']),
    after: closed({ a: str, b: int }, ['a', 'b']),
    backward: 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
    forward: 'PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL',
  },
  {
    name: 'required property with a default added to a closed model',
    before: closed({ a: str }, ['a']),
    after: closed({ a: str, b: { type: 'integer', default: 0 } }, ['a', 'b']),
    backward: 'ok',
    forward: 'PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL',
  },
  {
    name: 'property with false removed from a closed model',
    before: closed({ a: str, legacy: false }),
    after: closed({ a: str }),
    backward: 'ok',
    forward: 'ok',
  },
  // required added / removed
  {
    name: 'existing property made required (no default)',
    before: closed({ a: str, b: int }, ['a']),
    after: closed({ a: str, b: int }, ['a', 'b']),
    backward: 'REQUIRED_ATTRIBUTE_ADDED',
    forward: 'ok',
  },
  {
    name: 'existing property made required with a default',
    before: closed({ a: str, b: int }, ['a']),
    after: closed({ a: str, b: { type: 'integer', default: 1 } }, ['a', 'b']),
    backward: 'ok',
    forward: 'ok',
  },
  {
    name: 'required property made optional',
    before: closed({ a: str, b: int }, ['a', 'b']),
    after: closed({ a: str, b: int }, ['a']),
    backward: 'ok',
    forward: 'REQUIRED_ATTRIBUTE_REMOVED',
  },
  // types narrowed / widened
  {
    name: 'integer widened to number',
    before: field(int),
    after: field(num),
    backward: 'ok',
    forward: 'TYPE_EXTENDED',
  },
  {
    name: 'number narrowed to integer',
    before: field(num),
    after: field(int),
    backward: 'TYPE_NARROWED',
    forward: 'ok',
  },
  {
    name: 'string changed to integer',
    before: field(str),
    after: field(int),
    backward: 'TYPE_CHANGED',
    forward: 'TYPE_CHANGED',
  },
  {
    name: 'string made nullable (type array)',
    before: field(str),
    after: field({ type: ['string', 'null'] }),
    backward: 'ok',
    forward: 'SUM_TYPE_EXTENDED',
  },
  {
    name: 'nullable string made non-null',
    before: field({ type: ['string', 'null'] }),
    after: field(str),
    backward: 'SUM_TYPE_NARROWED',
    forward: 'ok',
  },
  {
    name: 'type constraint removed',
    before: field(str),
    after: field({}),
    backward: 'ok',
    forward: 'TYPE_CHANGED',
  },
  // enums
  {
    name: 'enum value added',
    before: field({ enum: ['low', 'high'] }),
    after: field({ enum: ['low', 'medium', 'high'] }),
    backward: 'ok',
    forward: 'ENUM_ARRAY_EXTENDED',
  },
  {
    name: 'enum value removed',
    before: field({ enum: ['low', 'medium', 'high'] }),
    after: field({ enum: ['low', 'high'] }),
    backward: 'ENUM_ARRAY_NARROWED',
    forward: 'ok',
  },
  {
    name: 'enum value replaced',
    before: field({ enum: ['a', 'b'] }),
    after: field({ enum: ['a', 'c'] }),
    backward: 'ENUM_ARRAY_CHANGED',
    forward: 'ENUM_ARRAY_CHANGED',
  },
  {
    name: 'const changed',
    before: field({ const: 'v1' }),
    after: field({ const: 'v2' }),
    backward: 'ENUM_ARRAY_CHANGED',
    forward: 'ENUM_ARRAY_CHANGED',
  },
  {
    name: 'enum added to a string',
    before: field(str),
    after: field({ type: 'string', enum: ['x', 'y'] }),
    backward: 'ENUM_ARRAY_NARROWED',
    forward: 'ok',
  },
  // additionalProperties
  {
    name: 'closed model opened (additionalProperties false → true)',
    before: closed({ a: str }),
    after: open({ a: str }, [], { additionalProperties: true }),
    backward: 'ok',
    forward: 'ADDITIONAL_PROPERTIES_ADDED',
  },
  {
    name: 'open model closed',
    before: open({ a: str }),
    after: closed({ a: str }),
    backward: 'ADDITIONAL_PROPERTIES_REMOVED',
    forward: 'ok',
  },
  {
    name: 'additionalProperties given a schema',
    before: open({ a: str }),
    after: open({ a: str }, [], { additionalProperties: { type: 'string' } }),
    backward: 'ADDITIONAL_PROPERTIES_NARROWED',
    forward: 'ok',
  },
  {
    name: 'property added, covered by a partially open model',
    before: open({ a: str }, [], { additionalProperties: { type: 'string' } }),
    after: open({ a: str, b: str }, [], { additionalProperties: { type: 'string' } }),
    backward: 'ok',
    forward: 'ok',
  },
  {
    name: 'property added, not covered by a partially open model',
    before: open({ a: str }, [], { additionalProperties: { type: 'string' } }),
    after: open({ a: str, b: int }, [], { additionalProperties: { type: 'string' } }),
    backward: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
    forward: 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  },
  {
    name: 'property added, covered by patternProperties',
    before: open({ a: str }, [], {
      patternProperties: { '^x_': { type: 'integer' } },
      additionalProperties: false,
    }),
    after: open({ a: str, x_count: int }, [], {
      patternProperties: { '^x_': { type: 'integer' } },
      additionalProperties: false,
    }),
    backward: 'ok',
    forward: 'ok',
  },
  // numeric and string bounds
  {
    name: 'maxLength added',
    before: field(str),
    after: field({ type: 'string', maxLength: 64 }),
    backward: 'MAX_LENGTH_ADDED',
    forward: 'ok',
  },
  {
    name: 'maxLength increased',
    before: field({ type: 'string', maxLength: 16 }),
    after: field({ type: 'string', maxLength: 64 }),
    backward: 'ok',
    forward: 'MAX_LENGTH_INCREASED',
  },
  {
    name: 'minLength removed',
    before: field({ type: 'string', minLength: 1 }),
    after: field(str),
    backward: 'ok',
    forward: 'MIN_LENGTH_REMOVED',
  },
  {
    name: 'pattern added',
    before: field(str),
    after: field({ type: 'string', pattern: '^[A-Z]{3}$' }),
    backward: 'PATTERN_ADDED',
    forward: 'ok',
  },
  {
    name: 'pattern changed',
    before: field({ type: 'string', pattern: '^[A-Z]{3}$' }),
    after: field({ type: 'string', pattern: '^[a-z]{3}$' }),
    backward: 'PATTERN_CHANGED',
    forward: 'PATTERN_CHANGED',
  },
  {
    name: 'minimum increased',
    before: field({ type: 'number', minimum: 0 }),
    after: field({ type: 'number', minimum: 1 }),
    backward: 'MINIMUM_INCREASED',
    forward: 'ok',
  },
  {
    name: 'maximum removed',
    before: field({ type: 'integer', maximum: 100 }),
    after: field(int),
    backward: 'ok',
    forward: 'MAXIMUM_REMOVED',
  },
  {
    name: 'exclusiveMinimum added',
    before: field(num),
    after: field({ type: 'number', exclusiveMinimum: 0 }),
    backward: 'EXCLUSIVE_MINIMUM_ADDED',
    forward: 'ok',
  },
  {
    name: 'multipleOf made stricter (2 → 4)',
    before: field({ type: 'integer', multipleOf: 2 }),
    after: field({ type: 'integer', multipleOf: 4 }),
    backward: 'MULTIPLE_OF_EXPANDED',
    forward: 'ok',
  },
  // arrays
  {
    name: 'minItems added',
    before: field({ type: 'array', items: str }),
    after: field({ type: 'array', items: str, minItems: 1 }),
    backward: 'MIN_ITEMS_ADDED',
    forward: 'ok',
  },
  {
    name: 'uniqueItems added',
    before: field({ type: 'array', items: str }),
    after: field({ type: 'array', items: str, uniqueItems: true }),
    backward: 'UNIQUE_ITEMS_ADDED',
    forward: 'ok',
  },
  {
    name: 'array item type widened',
    before: field({ type: 'array', items: int }),
    after: field({ type: 'array', items: num }),
    backward: 'ok',
    forward: 'TYPE_EXTENDED',
  },
  {
    name: 'property removed inside closed array items',
    before: field({ type: 'array', items: closed({ sku: str, qty: int }, ['sku']) }),
    after: field({ type: 'array', items: closed({ sku: str }, ['sku']) }),
    backward: 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
    forward: 'ok',
  },
  {
    name: 'item added to a closed tuple (prefixItems, items: false)',
    before: field({ type: 'array', prefixItems: [str, int], items: false }),
    after: field({ type: 'array', prefixItems: [str, int, str], items: false }),
    backward: 'ok',
    forward: 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
  },
  {
    name: 'item added to an open tuple (draft-07 items array)',
    before: field({ type: 'array', items: [str] }),
    after: field({ type: 'array', items: [str, int] }),
    backward: 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
    forward: 'ok',
  },
  // $ref resolution
  {
    name: 'inline schema moved behind a $ref (no change)',
    before: field(num),
    after: { ...field({ $ref: '#/$defs/money' }), $defs: { money: num } },
    backward: 'ok',
    forward: 'ok',
  },
  {
    name: 'referenced definition narrowed',
    before: { ...field({ $ref: '#/$defs/money' }), $defs: { money: num } },
    after: { ...field({ $ref: '#/$defs/money' }), $defs: { money: int } },
    backward: 'TYPE_NARROWED',
    forward: 'ok',
  },
  {
    name: 'unresolvable $ref',
    before: field(num),
    after: field({ $ref: '#/$defs/missing' }),
    backward: 'REF_UNRESOLVED',
    forward: 'REF_UNRESOLVED',
  },
  {
    name: 'recursive $ref gains an optional property',
    before: {
      $ref: '#/$defs/node',
      $defs: {
        node: closed({ v: int, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, ['v']),
      },
    },
    after: {
      $ref: '#/$defs/node',
      $defs: {
        node: closed({ v: int, label: str, children: { type: 'array', items: { $ref: '#/$defs/node' } } }, [
          'v',
        ]),
      },
    },
    backward: 'ok',
    forward: 'PROPERTY_ADDED_TO_CLOSED_CONTENT_MODEL',
  },
  // oneOf / anyOf / allOf
  {
    name: 'oneOf alternative added',
    before: field({ oneOf: [str, int] }),
    after: field({ oneOf: [str, int, { type: 'boolean' }] }),
    backward: 'ok',
    forward: 'SUM_TYPE_EXTENDED',
  },
  {
    name: 'anyOf alternative removed',
    before: field({ anyOf: [str, int] }),
    after: field({ anyOf: [str] }),
    backward: 'SUM_TYPE_NARROWED',
    forward: 'ok',
  },
  {
    name: 'anyOf turned into oneOf',
    before: field({ anyOf: [str, int] }),
    after: field({ oneOf: [str, int] }),
    backward: 'COMBINED_TYPE_CHANGED',
    forward: 'ok',
  },
  {
    name: 'oneOf alternative replaced',
    before: field({ oneOf: [str, int] }),
    after: field({ oneOf: [str, { type: 'boolean' }] }),
    backward: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
    forward: 'COMBINED_TYPE_SUBSCHEMAS_CHANGED',
  },
  {
    name: 'plain type turned into a oneOf that includes it',
    before: field(str),
    after: field({ oneOf: [str, int] }),
    backward: 'ok',
    forward: 'SUM_TYPE_EXTENDED',
  },
  {
    name: 'allOf gains a subschema',
    before: field({ allOf: [{ type: 'string' }] }),
    after: field({ allOf: [{ type: 'string' }, { minLength: 2 }] }),
    backward: 'PRODUCT_TYPE_EXTENDED',
    forward: 'ok',
  },
  // annotations only
  {
    name: 'title and description changed',
    before: { ...field(str), title: 'Order', description: 'v1' },
    after: { ...field(str), title: 'Order event', description: 'v2' },
    backward: 'ok',
    forward: 'ok',
  },
  // Stratus validates `format` at run time (Ajv with ajv-formats), so a format is a constraint here.
  {
    name: 'format added (Stratus extension)',
    before: field(str),
    after: field({ type: 'string', format: 'uuid' }),
    backward: 'FORMAT_ADDED',
    forward: 'ok',
  },
];
