/**
 * Differences between a writer's and a reader's JSON Schema, after Confluent's JSON Schema diff
 * (io.confluent.kafka.schemaregistry.json.diff.SchemaDiff and its Object/Array/Number/String/Enum/Combined
 * parts): the same change types, the same open/closed/partially-open content-model rules, the same matching of
 * oneOf/anyOf alternatives. Where Confluent reasons on Everit's schema classes, this reasons on keywords:
 * `type` (an array of types is a sum of alternatives, as Everit builds it), `enum`/`const`, the keywords of
 * each type, and `allOf`/`anyOf`/`oneOf`. `$ref`s are followed on both sides (cycles are compared once).
 */
import { isCompatibleChange } from './change-types.ts';
import { child, isObject, type Located, resolveRefs, type SchemaDocument } from './schema-document.ts';

export interface Difference {
  /** Change type (Confluent's name), seen from writer to reader. */
  type: string;
  /** Where the change is, in the writer's document and in the reader's (JSON pointers split into keys). */
  writerPath: readonly string[];
  readerPath: readonly string[];
  /** The data path the change affects: `$.items[].quantity`. */
  dataPath: string;
  compatible: boolean;
}

/** Every difference between the schemas; the reader accepts all the writer's data iff all are compatible. */
export function diffSchemas(writer: SchemaDocument, reader: SchemaDocument): Difference[] {
  const ctx = new Context();
  compare(
    ctx,
    { node: writer.schema, doc: writer, path: [] },
    { node: reader.schema, doc: reader, path: [] },
    '$',
  );
  return ctx.differences;
}

class Context {
  readonly differences: Difference[] = [];
  constructor(readonly visiting: Set<string> = new Set()) {}
  add(type: string, w: Located, r: Located, dataPath: string): void {
    this.differences.push({
      type,
      writerPath: w.path,
      readerPath: r.path,
      dataPath,
      compatible: isCompatibleChange(type),
    });
  }
  sub(): Context {
    return new Context(this.visiting);
  }
  get compatible(): boolean {
    return this.differences.every((d) => d.compatible);
  }
}

const METADATA = new Set([
  '$schema',
  '$id',
  '$comment',
  '$defs',
  'definitions',
  '$anchor',
  'title',
  'description',
  'default',
  'examples',
  'readOnly',
  'writeOnly',
  'deprecated',
  'contentMediaType',
  'contentEncoding',
]);

/** No constraint at all (`true`, `{}`, or only annotations): accepts every value. */
function isEmptySchema(node: unknown): boolean {
  if (node === true) return true;
  return isObject(node) && Object.keys(node).every((key) => METADATA.has(key));
}

const docIds = new WeakMap<SchemaDocument, number>();
let nextDocId = 1;
function docId(doc: SchemaDocument): number {
  let id = docIds.get(doc);
  if (id === undefined) {
    id = nextDocId++;
    docIds.set(doc, id);
  }
  return id;
}

function compare(ctx: Context, writerIn: Located, readerIn: Located, dataPath: string): void {
  const w = resolveRefs(writerIn);
  const r = resolveRefs(readerIn);
  if (!w || !r) {
    ctx.add('REF_UNRESOLVED', w ?? writerIn, r ?? readerIn, dataPath);
    return;
  }
  // A recursive schema ($ref to an ancestor) is compared once per pair of locations.
  const key = `${docId(w.doc)}${w.path.join('/')}|${docId(r.doc)}${r.path.join('/')}`;
  if (ctx.visiting.has(key)) return;
  ctx.visiting.add(key);
  try {
    compareResolved(ctx, w, r, dataPath);
  } finally {
    ctx.visiting.delete(key);
  }
}

function compareResolved(ctx: Context, w: Located, r: Located, dataPath: string): void {
  if (w.node === false || isEmptySchema(r.node)) return;
  if (r.node === false || isEmptySchema(w.node) || !isObject(w.node) || !isObject(r.node)) {
    ctx.add('TYPE_CHANGED', w, r, dataPath);
    return;
  }
  const wn = w.node;
  const rn = r.node;
  for (const [keyword, type] of [
    ['$id', 'ID_CHANGED'],
    ['title', 'TITLE_CHANGED'],
    ['description', 'DESCRIPTION_CHANGED'],
    ['default', 'DEFAULT_CHANGED'],
  ] as const) {
    if (!sameJson(wn[keyword], rn[keyword])) ctx.add(type, w, r, dataPath);
  }

  const wSum = alternatives(w);
  const rSum = alternatives(r);
  if (wSum || rSum) {
    compareAlternatives(ctx, w, r, wSum, rSum, dataPath);
    return;
  }
  compareAllOf(ctx, w, r, dataPath);
  compareBody(ctx, w, r, dataPath);
}

interface Alternatives {
  criterion: 'anyOf' | 'oneOf';
  branches: Located[];
}

/**
 * A schema's alternatives: `anyOf`/`oneOf`, or a `type` array (Everit turns `type: [string, null]` into anyOf
 * of one schema per type, each keeping the node's other keywords).
 */
function alternatives(at: Located): Alternatives | undefined {
  const node = at.node as Record<string, unknown>;
  for (const criterion of ['anyOf', 'oneOf'] as const) {
    const list = node[criterion];
    if (Array.isArray(list))
      return { criterion, branches: list.map((_, i) => child(at, criterion, String(i))) };
  }
  if (Array.isArray(node.type) && node.type.length > 1) {
    return {
      criterion: 'anyOf',
      branches: node.type.map((type) => ({
        node: { ...node, type },
        doc: at.doc,
        path: [...at.path, 'type'],
      })),
    };
  }
  return undefined;
}

function compareAlternatives(
  ctx: Context,
  w: Located,
  r: Located,
  wSum: Alternatives | undefined,
  rSum: Alternatives | undefined,
  dataPath: string,
): void {
  const trial = (wb: Located, rb: Located) => {
    const sub = ctx.sub();
    compare(sub, wb, rb, dataPath);
    return sub;
  };
  if (!wSum && rSum) {
    // The reader became a union: fine if one alternative accepts everything the writer wrote.
    for (const branch of rSum.branches) {
      const sub = trial(w, branch);
      if (sub.compatible) {
        ctx.differences.push(...sub.differences);
        if (rSum.branches.length > 1) ctx.add('SUM_TYPE_EXTENDED', w, r, dataPath);
        return;
      }
    }
    ctx.add('TYPE_CHANGED', w, r, dataPath);
    return;
  }
  if (wSum && !rSum) {
    // The writer was a union: every alternative must be readable.
    const subs = wSum.branches.map((branch) => trial(branch, r));
    if (subs.every((sub) => sub.compatible)) {
      for (const sub of subs) ctx.differences.push(...sub.differences);
      return;
    }
    if (wSum.branches.length === 1) ctx.differences.push(...subs[0]!.differences);
    else ctx.add(subs.some((sub) => sub.compatible) ? 'SUM_TYPE_NARROWED' : 'TYPE_CHANGED', w, r, dataPath);
    return;
  }
  const ws = wSum!;
  const rs = rSum!;
  if (ws.criterion !== rs.criterion) {
    // Confluent: oneOf → anyOf widens; anyOf → oneOf only for a single alternative.
    if (rs.criterion === 'anyOf' || ws.branches.length === 1)
      ctx.add('COMBINED_TYPE_EXTENDED', w, r, dataPath);
    else {
      ctx.add('COMBINED_TYPE_CHANGED', w, r, dataPath);
      return;
    }
  }
  if (ws.branches.length < rs.branches.length) ctx.add('SUM_TYPE_EXTENDED', w, r, dataPath);
  else if (ws.branches.length > rs.branches.length) ctx.add('SUM_TYPE_NARROWED', w, r, dataPath);
  const edges = ws.branches.map((wb) =>
    rs.branches.map((rb) => {
      const sub = trial(wb, rb);
      return sub.compatible ? sub : undefined;
    }),
  );
  const matching = maximumMatching(edges.map((row) => row.map((sub) => sub !== undefined)));
  for (const [i, j] of matching) ctx.differences.push(...edges[i]![j]!.differences);
  if (matching.length < Math.min(ws.branches.length, rs.branches.length))
    ctx.add('COMBINED_TYPE_SUBSCHEMAS_CHANGED', w, r, dataPath);
}

/** `allOf`: more subschemas constrain more (PRODUCT_TYPE_EXTENDED), fewer constrain less. */
function compareAllOf(ctx: Context, w: Located, r: Located, dataPath: string): void {
  const wl = (w.node as Record<string, unknown>).allOf;
  const rl = (r.node as Record<string, unknown>).allOf;
  if (!Array.isArray(wl) && !Array.isArray(rl)) return;
  const wa = Array.isArray(wl) ? wl : [];
  const ra = Array.isArray(rl) ? rl : [];
  if (wa.length < ra.length) ctx.add('PRODUCT_TYPE_EXTENDED', w, r, dataPath);
  else if (wa.length > ra.length) ctx.add('PRODUCT_TYPE_NARROWED', w, r, dataPath);
  for (let i = 0; i < Math.min(wa.length, ra.length); i++)
    compare(ctx, child(w, 'allOf', String(i)), child(r, 'allOf', String(i)), dataPath);
}

type Kind = 'object' | 'array' | 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'enum' | 'any';

function kindOf(node: Record<string, unknown>): Kind {
  const type = Array.isArray(node.type) ? node.type[0] : node.type;
  if (typeof type === 'string') return type as Kind;
  if (
    'properties' in node ||
    'required' in node ||
    'additionalProperties' in node ||
    'patternProperties' in node
  )
    return 'object';
  if ('items' in node || 'prefixItems' in node || 'minItems' in node || 'maxItems' in node) return 'array';
  if ('minLength' in node || 'maxLength' in node || 'pattern' in node || 'format' in node) return 'string';
  if ('minimum' in node || 'maximum' in node || 'exclusiveMinimum' in node || 'exclusiveMaximum' in node)
    return 'number';
  if ('enum' in node || 'const' in node) return 'enum';
  return 'any';
}

function enumOf(node: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(node.enum)) return node.enum;
  return 'const' in node ? [node.const] : undefined;
}

function jsonType(value: unknown): Kind {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as Kind;
}

function kindAccepts(kind: Kind, value: unknown): boolean {
  const type = jsonType(value);
  return kind === 'any' || kind === 'enum' || kind === type || (kind === 'number' && type === 'integer');
}

function compareBody(ctx: Context, w: Located, r: Located, dataPath: string): void {
  const wn = w.node as Record<string, unknown>;
  const rn = r.node as Record<string, unknown>;
  const wEnum = enumOf(wn);
  const rEnum = enumOf(rn);
  const wKind = kindOf(wn);
  const rKind = kindOf(rn);
  if (wEnum && rEnum) {
    const extended = wEnum.every((value) => rEnum.some((other) => sameJson(value, other)));
    const narrowed = rEnum.every((value) => wEnum.some((other) => sameJson(value, other)));
    if (!(extended && narrowed))
      ctx.add(
        extended ? 'ENUM_ARRAY_EXTENDED' : narrowed ? 'ENUM_ARRAY_NARROWED' : 'ENUM_ARRAY_CHANGED',
        w,
        r,
        dataPath,
      );
    return;
  }
  if (wEnum) {
    // The writer only ever wrote these values: the reader must accept each of them as a value of its type.
    if (wEnum.every((value) => kindAccepts(rKind, value))) {
      if (rKind === 'enum' || rKind === 'any') return;
      ctx.add('ENUM_ARRAY_EXTENDED', w, r, dataPath);
    } else ctx.add('TYPE_CHANGED', w, r, dataPath);
    return;
  }
  if (rEnum) {
    ctx.add(
      rEnum.every((value) => kindAccepts(wKind, value)) ? 'ENUM_ARRAY_NARROWED' : 'TYPE_CHANGED',
      w,
      r,
      dataPath,
    );
    return;
  }
  if (wKind !== rKind) {
    if (wKind === 'integer' && rKind === 'number') ctx.add('TYPE_EXTENDED', w, r, dataPath);
    else if (wKind === 'number' && rKind === 'integer') ctx.add('TYPE_NARROWED', w, r, dataPath);
    else if (rKind === 'any') return;
    else {
      ctx.add('TYPE_CHANGED', w, r, dataPath);
      return;
    }
  }
  if (rKind === 'string') compareString(ctx, w, r, dataPath);
  else if (rKind === 'number' || rKind === 'integer') compareNumber(ctx, w, r, dataPath);
  else if (rKind === 'object') compareObject(ctx, w, r, dataPath);
  else if (rKind === 'array') compareArray(ctx, w, r, dataPath);
}

/**
 * A numeric bound: `ADDED`/`REMOVED`, or `INCREASED`/`DECREASED` by value. Which of them is compatible is
 * decided by the change-type table (a larger maximum accepts more; a larger minimum accepts less).
 */
function compareBound(
  ctx: Context,
  w: Located,
  r: Located,
  dataPath: string,
  keyword: string,
  name: string,
): void {
  const a = numberOrUndefined((w.node as Record<string, unknown>)[keyword]);
  const b = numberOrUndefined((r.node as Record<string, unknown>)[keyword]);
  if (a === b) return;
  const at = child(r, keyword);
  const from = child(w, keyword);
  if (a === undefined) ctx.add(`${name}_ADDED`, from, at, dataPath);
  else if (b === undefined) ctx.add(`${name}_REMOVED`, from, at, dataPath);
  else ctx.add(a < b ? `${name}_INCREASED` : `${name}_DECREASED`, from, at, dataPath);
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function compareString(ctx: Context, w: Located, r: Located, dataPath: string): void {
  compareBound(ctx, w, r, dataPath, 'maxLength', 'MAX_LENGTH');
  compareBound(ctx, w, r, dataPath, 'minLength', 'MIN_LENGTH');
  // `format` is not in Confluent's diff; Stratus validates formats at run time (ajv-formats), so it is
  // compared like `pattern`.
  for (const [keyword, name] of [
    ['pattern', 'PATTERN'],
    ['format', 'FORMAT'],
  ] as const) {
    const a = (w.node as Record<string, unknown>)[keyword];
    const b = (r.node as Record<string, unknown>)[keyword];
    if (a === b) continue;
    const type = a === undefined ? `${name}_ADDED` : b === undefined ? `${name}_REMOVED` : `${name}_CHANGED`;
    ctx.add(type, child(w, keyword), child(r, keyword), dataPath);
  }
}

function compareNumber(ctx: Context, w: Located, r: Located, dataPath: string): void {
  compareBound(ctx, w, r, dataPath, 'maximum', 'MAXIMUM');
  compareBound(ctx, w, r, dataPath, 'minimum', 'MINIMUM');
  compareBound(ctx, w, r, dataPath, 'exclusiveMaximum', 'EXCLUSIVE_MAXIMUM');
  compareBound(ctx, w, r, dataPath, 'exclusiveMinimum', 'EXCLUSIVE_MINIMUM');
  const a = numberOrUndefined((w.node as Record<string, unknown>).multipleOf);
  const b = numberOrUndefined((r.node as Record<string, unknown>).multipleOf);
  if (a === b) return;
  const type =
    a === undefined
      ? 'MULTIPLE_OF_ADDED'
      : b === undefined
        ? 'MULTIPLE_OF_REMOVED'
        : isMultiple(b, a)
          ? 'MULTIPLE_OF_EXPANDED'
          : isMultiple(a, b)
            ? 'MULTIPLE_OF_REDUCED'
            : 'MULTIPLE_OF_CHANGED';
  ctx.add(type, child(w, 'multipleOf'), child(r, 'multipleOf'), dataPath);
}

function isMultiple(value: number, of: number): boolean {
  const ratio = value / of;
  return Math.abs(ratio - Math.round(ratio)) < 1e-9;
}

function propertiesOf(node: Record<string, unknown>): Record<string, unknown> {
  return isObject(node.properties) ? node.properties : {};
}

function requiredOf(node: Record<string, unknown>): string[] {
  return Array.isArray(node.required) ? node.required.filter((x): x is string => typeof x === 'string') : [];
}

/** additionalProperties, or 2020-12's unevaluatedProperties when it is the one that closes the object. */
function additionalOf(node: Record<string, unknown>): { keyword: string; value: unknown } {
  if ('additionalProperties' in node)
    return { keyword: 'additionalProperties', value: node.additionalProperties };
  if ('unevaluatedProperties' in node)
    return { keyword: 'unevaluatedProperties', value: node.unevaluatedProperties };
  return { keyword: 'additionalProperties', value: undefined };
}

function permitsAdditional(node: Record<string, unknown>): boolean {
  return additionalOf(node).value !== false;
}

/** The schema undeclared properties must match, when there is one (a partially open content model). */
function additionalSchema(at: Located): Located | undefined {
  const { keyword, value } = additionalOf(at.node as Record<string, unknown>);
  return value === undefined || value === false || isEmptySchema(value) ? undefined : child(at, keyword);
}

function isOpenContentModel(at: Located): boolean {
  const node = at.node as Record<string, unknown>;
  const patterns = isObject(node.patternProperties) ? Object.keys(node.patternProperties) : [];
  return patterns.length === 0 && additionalSchema(at) === undefined && permitsAdditional(node);
}

function partialSchemaFor(at: Located, property: string): Located | undefined {
  const node = at.node as Record<string, unknown>;
  if (isObject(node.patternProperties)) {
    for (const pattern of Object.keys(node.patternProperties)) {
      if (safeRegExp(pattern)?.test(property)) return child(at, 'patternProperties', pattern);
    }
  }
  return additionalSchema(at);
}

function safeRegExp(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern, 'u');
  } catch {
    return undefined;
  }
}

function hasDefault(at: Located): boolean {
  const resolved = resolveRefs(at);
  return isObject(resolved?.node) && 'default' in resolved.node;
}

function compareObject(ctx: Context, w: Located, r: Located, dataPath: string): void {
  const wn = w.node as Record<string, unknown>;
  const rn = r.node as Record<string, unknown>;
  const wProps = propertiesOf(wn);
  const rProps = propertiesOf(rn);
  const wRequired = requiredOf(wn);
  const rRequired = requiredOf(rn);
  const at = (side: Located, name: string) => child(side, 'properties', name);
  const path = (name: string) => `${dataPath}.${name}`;
  // A property that exists on one side only is located at the other side's `properties`.
  const wProperties = child(w, 'properties');
  const rProperties = child(r, 'properties');

  for (const name of Object.keys(wProps)) {
    if (!(name in rProps)) continue;
    const was = wRequired.includes(name);
    const is = rRequired.includes(name);
    if (was && !is) ctx.add('REQUIRED_ATTRIBUTE_REMOVED', at(w, name), at(r, name), path(name));
    else if (!was && is)
      ctx.add(
        hasDefault(at(r, name)) ? 'REQUIRED_ATTRIBUTE_WITH_DEFAULT_ADDED' : 'REQUIRED_ATTRIBUTE_ADDED',
        at(w, name),
        at(r, name),
        path(name),
      );
  }

  for (const name of new Set([...Object.keys(wProps), ...Object.keys(rProps)])) {
    const inWriter = name in wProps;
    const inReader = name in rProps;
    if (inWriter && inReader) {
      compare(ctx, at(w, name), at(r, name), path(name));
    } else if (inWriter) {
      // The reader dropped a property the writer declares: only the reader's content model matters.
      if (isOpenContentModel(r))
        ctx.add('PROPERTY_REMOVED_FROM_OPEN_CONTENT_MODEL', at(w, name), rProperties, path(name));
      else {
        const partial = partialSchemaFor(r, name);
        if (partial) {
          const sub = ctx.sub();
          compare(sub, at(w, name), partial, path(name));
          ctx.differences.push(...sub.differences);
          ctx.add(
            sub.compatible
              ? 'PROPERTY_REMOVED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
              : 'PROPERTY_REMOVED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
            at(w, name),
            rProperties,
            path(name),
          );
        } else
          ctx.add(
            wProps[name] === false
              ? 'PROPERTY_WITH_FALSE_REMOVED_FROM_CLOSED_CONTENT_MODEL'
              : 'PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL',
            at(w, name),
            rProperties,
            path(name),
          );
      }
    } else if (isOpenContentModel(w)) {
      // The writer's open model may have written anything under this name.
      ctx.add(
        isEmptySchema(rProps[name])
          ? 'PROPERTY_WITH_EMPTY_SCHEMA_ADDED_TO_OPEN_CONTENT_MODEL'
          : 'PROPERTY_ADDED_TO_OPEN_CONTENT_MODEL',
        wProperties,
        at(r, name),
        path(name),
      );
    } else {
      const partial = partialSchemaFor(w, name);
      if (partial) {
        const sub = ctx.sub();
        compare(sub, partial, at(r, name), path(name));
        ctx.differences.push(...sub.differences);
        ctx.add(
          sub.compatible
            ? 'PROPERTY_ADDED_IS_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL'
            : 'PROPERTY_ADDED_NOT_COVERED_BY_PARTIALLY_OPEN_CONTENT_MODEL',
          wProperties,
          at(r, name),
          path(name),
        );
      }
      if (rRequired.includes(name))
        ctx.add(
          hasDefault(at(r, name))
            ? 'REQUIRED_PROPERTY_WITH_DEFAULT_ADDED_TO_UNOPEN_CONTENT_MODEL'
            : 'REQUIRED_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL',
          wProperties,
          at(r, name),
          path(name),
        );
      else ctx.add('OPTIONAL_PROPERTY_ADDED_TO_UNOPEN_CONTENT_MODEL', wProperties, at(r, name), path(name));
    }
  }

  // Content model: open → closed rejects undeclared properties the writer may have written.
  const wAdd = additionalOf(wn);
  const rAdd = additionalOf(rn);
  const wPermits = permitsAdditional(wn);
  const rPermits = permitsAdditional(rn);
  const wSchema = additionalSchema(w);
  const rSchema = additionalSchema(r);
  const wAt = child(w, wAdd.keyword);
  const rAt = child(r, rAdd.keyword);
  if (wPermits !== rPermits)
    ctx.add(rPermits ? 'ADDITIONAL_PROPERTIES_ADDED' : 'ADDITIONAL_PROPERTIES_REMOVED', wAt, rAt, dataPath);
  else if (!wSchema && rSchema && rPermits) ctx.add('ADDITIONAL_PROPERTIES_NARROWED', wAt, rAt, dataPath);
  else if (wSchema && !rSchema && rPermits) ctx.add('ADDITIONAL_PROPERTIES_EXTENDED', wAt, rAt, dataPath);
  else if (wSchema && rSchema) compare(ctx, wSchema, rSchema, `${dataPath}.*`);

  compareBound(ctx, w, r, dataPath, 'maxProperties', 'MAX_PROPERTIES');
  compareBound(ctx, w, r, dataPath, 'minProperties', 'MIN_PROPERTIES');
}

/** The tuple items and the schema of the items after them, in either draft's spelling. */
function arrayShape(at: Located): { tuple: Located[]; rest: Located | undefined; closed: boolean } {
  const node = at.node as Record<string, unknown>;
  if (Array.isArray(node.prefixItems)) {
    return {
      tuple: node.prefixItems.map((_, i) => child(at, 'prefixItems', String(i))),
      rest: 'items' in node && node.items !== false ? child(at, 'items') : undefined,
      closed: node.items === false,
    };
  }
  if (Array.isArray(node.items)) {
    return {
      tuple: node.items.map((_, i) => child(at, 'items', String(i))),
      rest:
        'additionalItems' in node && node.additionalItems !== false
          ? child(at, 'additionalItems')
          : undefined,
      closed: node.additionalItems === false,
    };
  }
  return { tuple: [], rest: 'items' in node ? child(at, 'items') : undefined, closed: false };
}

function compareArray(ctx: Context, w: Located, r: Located, dataPath: string): void {
  const ws = arrayShape(w);
  const rs = arrayShape(r);
  const itemsPath = `${dataPath}[]`;
  if (ws.rest && rs.rest) compare(ctx, ws.rest, rs.rest, itemsPath);
  else if (!ws.rest && rs.rest && !isEmptySchema(rs.rest.node))
    ctx.add('TYPE_CHANGED', w, rs.rest, itemsPath);
  const shared = Math.min(ws.tuple.length, rs.tuple.length);
  for (let i = 0; i < shared; i++) compare(ctx, ws.tuple[i]!, rs.tuple[i]!, `${dataPath}[${i}]`);
  for (let i = shared; i < ws.tuple.length; i++)
    ctx.add(
      rs.closed ? 'ITEM_REMOVED_FROM_CLOSED_CONTENT_MODEL' : 'ITEM_REMOVED_FROM_OPEN_CONTENT_MODEL',
      ws.tuple[i]!,
      r,
      `${dataPath}[${i}]`,
    );
  for (let i = shared; i < rs.tuple.length; i++)
    ctx.add(
      ws.closed ? 'ITEM_ADDED_TO_CLOSED_CONTENT_MODEL' : 'ITEM_ADDED_TO_OPEN_CONTENT_MODEL',
      w,
      rs.tuple[i]!,
      `${dataPath}[${i}]`,
    );
  compareBound(ctx, w, r, dataPath, 'maxItems', 'MAX_ITEMS');
  compareBound(ctx, w, r, dataPath, 'minItems', 'MIN_ITEMS');
  const wu = (w.node as Record<string, unknown>).uniqueItems === true;
  const ru = (r.node as Record<string, unknown>).uniqueItems === true;
  if (wu !== ru)
    ctx.add(
      ru ? 'UNIQUE_ITEMS_ADDED' : 'UNIQUE_ITEMS_REMOVED',
      child(w, 'uniqueItems'),
      child(r, 'uniqueItems'),
      dataPath,
    );
}

/** Maximum bipartite matching (augmenting paths); sizes are a handful of alternatives. */
function maximumMatching(adjacent: boolean[][]): Array<[number, number]> {
  const matchOfRight = new Map<number, number>();
  const tryLeft = (left: number, seen: Set<number>): boolean => {
    const row = adjacent[left] ?? [];
    for (let right = 0; right < row.length; right++) {
      if (!row[right] || seen.has(right)) continue;
      seen.add(right);
      const owner = matchOfRight.get(right);
      if (owner === undefined || tryLeft(owner, seen)) {
        matchOfRight.set(right, left);
        return true;
      }
    }
    return false;
  };
  for (let left = 0; left < adjacent.length; left++) tryLeft(left, new Set());
  return [...matchOfRight].map(([right, left]) => [left, right]);
}

/** Structural equality of parsed JSON, key order ignored. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((item, i) => sameJson(item, bb[i]));
  }
  const ak = Object.keys(a as object);
  const bo = b as Record<string, unknown>;
  return (
    ak.length === Object.keys(bo).length &&
    ak.every((key) => sameJson((a as Record<string, unknown>)[key], bo[key]))
  );
}
