/**
 * The kinds of difference between two JSON Schemas, named and classified as Confluent Schema Registry does for
 * JSON Schema (io.confluent.kafka.schemaregistry.json.diff.Difference.Type and SchemaDiff.COMPATIBLE_CHANGES;
 * https://docs.confluent.io/platform/current/schema-registry/fundamentals/schema-evolution.html).
 *
 * A difference is found by comparing a *writer's* schema (what produced the data) with a *reader's* schema
 * (what must accept it). It is compatible when every value the writer's schema allows, the reader's allows
 * too. BACKWARD compares writer = previous version, reader = new version; FORWARD the other way round.
 */

/** Differences after which the reader still accepts everything the writer's schema allows. */
export const COMPATIBLE_CHANGES = new Set([
  'ID_CHANGED',
  'DESCRIPTION_CHANGED',
  'TITLE_CHANGED',
  'DEFAULT_CHANGED',
  'SCHEMA_REMOVED',
  'TYPE_EXTENDED',
  'MAX_LENGTH_INCREASED',
  'MAX_LENGTH_REMOVED',
  'MIN_LENGTH_DECREASED',
  'MIN_LENGTH_REMOVED',
  'PATTERN_REMOVED',
  // Stratus: formats are validated at run time (see schema-diff.ts).
  'FORMAT_REMOVED',
  'MAXIMUM_INCREASED',
  'MAXIMUM_REMOVED',
  'MINIMUM_DECREASED',
  'MINIMUM_REMOVED',
  'EXCLUSIVE_MAXIMUM_INCREASED',
  'EXCLUSIVE_MAXIMUM_REMOVED',
  'EXCLUSIVE_MINIMUM_DECREASED',
  'EXCLUSIVE_MINIMUM_REMOVED',
  'MULTIPLE_OF_REDUCED',
  'MULTIPLE_OF_REMOVED',
  'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED',
  'REQUIRED_ATTRIBUTE_REMOVED',
  'MAX_PROPERTIES_INCREASED',
  'MAX_PROPERTIES_REMOVED',
  'MIN_PROPERTIES_DECREASED',
  'MIN_PROPERTIES_REMOVED',
  'ADDITIONAL_PROPERTIES_ADDED',
  'ADDITIONAL_PROPERTIES_EXTENDED',
  'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL',
  'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
  'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL',
  'PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
  'MAX_ITEMS_INCREASED',
  'MAX_ITEMS_REMOVED',
  'MIN_ITEMS_DECREASED',
  'MIN_ITEMS_REMOVED',
  'UNIQUE_ITEMS_REMOVED',
  'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL',
  'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
  'ENUM_ARRAY_EXTENDED',
  'COMBINED_TYPE_EXTENDED',
  'PRODUCT_TYPE_NARROWED',
  'SUM_TYPE_EXTENDED',
] as const);

/** Why an incompatible difference rejects data, in reader/writer terms (the direction depends on the mode). */
const EXPLANATIONS: Record<string, string> = {
  TYPE_CHANGED: "the reader's type differs from the writer's, so no written value is accepted",
  TYPE_NARROWED: 'the reader accepts only integers where the writer allows any number',
  SCHEMA_ADDED: 'the reader constrains a location the writer leaves unconstrained',
  MAX_LENGTH_ADDED: 'the reader has a maxLength the writer does not: longer strings are rejected',
  MAX_LENGTH_DECREASED: "the reader's maxLength is smaller: longer strings are rejected",
  MIN_LENGTH_ADDED: 'the reader has a minLength the writer does not: shorter strings are rejected',
  MIN_LENGTH_INCREASED: "the reader's minLength is larger: shorter strings are rejected",
  PATTERN_ADDED: 'the reader has a pattern the writer does not: other strings are rejected',
  PATTERN_CHANGED: "the patterns differ: strings matching only the writer's pattern are rejected",
  FORMAT_ADDED:
    'the reader has a format the writer does not (formats are validated): other strings are rejected',
  FORMAT_CHANGED: "the formats differ: strings valid only in the writer's format are rejected",
  MAXIMUM_ADDED: 'the reader has a maximum the writer does not: larger numbers are rejected',
  MAXIMUM_DECREASED: "the reader's maximum is lower: larger numbers are rejected",
  MINIMUM_ADDED: 'the reader has a minimum the writer does not: smaller numbers are rejected',
  MINIMUM_INCREASED: "the reader's minimum is higher: smaller numbers are rejected",
  EXCLUSIVE_MAXIMUM_ADDED: 'the reader has an exclusiveMaximum the writer does not',
  EXCLUSIVE_MAXIMUM_DECREASED: "the reader's exclusiveMaximum is lower",
  EXCLUSIVE_MINIMUM_ADDED: 'the reader has an exclusiveMinimum the writer does not',
  EXCLUSIVE_MINIMUM_INCREASED: "the reader's exclusiveMinimum is higher",
  MULTIPLE_OF_ADDED: 'the reader has a multipleOf the writer does not',
  MULTIPLE_OF_EXPANDED: "the reader's multipleOf is stricter",
  MULTIPLE_OF_CHANGED: 'the multipleOf values differ',
  REQUIRED_ATTRIBUTE_ADDED:
    'the reader requires the property (with no default) and the writer does not: records without it are rejected',
  PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL:
    "the reader declares a property the writer's open content model leaves free: written values of another type are rejected",
  PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL:
    "the writer declares the property and the reader's closed content model (additionalProperties: false) rejects it",
  REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL:
    "the reader requires a property (with no default) the writer's closed model never writes: every record is rejected",
  PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL:
    "the reader's property schema is narrower than the writer's additionalProperties/patternProperties",
  PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL:
    "the writer's property is not accepted by the reader's additionalProperties/patternProperties",
  ADDITIONAL_PROPERTIES_REMOVED:
    'the reader is closed (additionalProperties: false) and the writer is open: records with undeclared properties are rejected',
  ADDITIONAL_PROPERTIES_NARROWED:
    'the reader checks undeclared properties against a schema; the writer allows any',
  MAX_PROPERTIES_ADDED: 'the reader has a maxProperties the writer does not',
  MAX_PROPERTIES_DECREASED: "the reader's maxProperties is lower",
  MIN_PROPERTIES_ADDED: 'the reader has a minProperties the writer does not',
  MIN_PROPERTIES_INCREASED: "the reader's minProperties is higher",
  MAX_ITEMS_ADDED: 'the reader has a maxItems the writer does not: longer arrays are rejected',
  MAX_ITEMS_DECREASED: "the reader's maxItems is lower: longer arrays are rejected",
  MIN_ITEMS_ADDED: 'the reader has a minItems the writer does not: shorter arrays are rejected',
  MIN_ITEMS_INCREASED: "the reader's minItems is higher: shorter arrays are rejected",
  UNIQUE_ITEMS_ADDED: 'the reader requires unique items; the writer allows duplicates',
  ITEM_ADDED_TO_OPEN_CONTENT_MODEL: 'the reader declares a tuple item the writer leaves free',
  ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL:
    "the writer declares a tuple item the reader's closed tuple rejects",
  ENUM_ARRAY_NARROWED: "the reader's enum lacks values the writer allows: records with them are rejected",
  ENUM_ARRAY_CHANGED: "the enums differ: records with the writer's other values are rejected",
  COMBINED_TYPE_CHANGED: 'the combination keywords differ (allOf/anyOf/oneOf)',
  PRODUCT_TYPE_EXTENDED: "the reader's allOf has more subschemas: values must satisfy one more schema",
  SUM_TYPE_NARROWED:
    'the reader has fewer oneOf/anyOf/type alternatives: values of the missing alternative are rejected',
  COMBINED_TYPE_SUBSCHEMAS_CHANGED: 'the oneOf/anyOf alternatives do not match up',
  REF_UNRESOLVED: 'a $ref cannot be resolved, so the schemas cannot be compared',
};

export function isCompatibleChange(type: string): boolean {
  return COMPATIBLE_CHANGES.has(type as never);
}

/** One sentence on what the difference does to data, for reports. */
export function explainChange(type: string): string {
  return EXPLANATIONS[type] ?? type.toLowerCase().replaceAll('_', ' ');
}

/**
 * The same change seen from the other side. A FORWARD check compares new data against the old schema, so the
 * difference it finds is named reader→writer in reverse; reports name every change old → new, as a person made
 * it (a required property *removed*, not "added" from the old schema's point of view).
 */
export function mirrorChangeType(type: string): string {
  const swaps: Array<[string, string]> = [
    ['_ADDED_TO_', '_REMOVED_FROM_'],
    ['_ADDED', '_REMOVED'],
    ['_EXTENDED', '_NARROWED'],
    ['_INCREASED', '_DECREASED'],
  ];
  for (const [a, b] of swaps) {
    if (type.includes(a)) return type.replace(a, b);
    if (type.includes(b)) return type.replace(b, a);
  }
  return type;
}
