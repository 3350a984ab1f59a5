/**
 * A record's fields as event-ruler sees them (Event, ArrayMembership, StructuredFinder): every leaf value
 * under its dotted path, remembering which element of which array of objects it sits in, so that the
 * fields a pattern tests are taken from the same array element ("array consistency"). A list of scalars is
 * several values of one field; objects and empty lists are not values (so `exists` and `anything-but` never
 * see them).
 */
import { JsonNumber, type JsonValue } from './json.ts';
import { comparableKey, comparableKeyOfText } from './numbers.ts';
import type { SubRule } from './rule-compiler.ts';
import { wellFormed } from './strings.ts';
import type { FieldMatcher, FieldValue } from './value-match.ts';

/** Array id → element index, for the arrays of objects (or of arrays) a value sits in. */
type Membership = ReadonlyMap<number, number> | undefined;

export interface EventField {
  value: FieldValue;
  membership: Membership;
}

export type EventFields = Map<string, EventField[]>;

/** The paths a set of patterns tests, and how to reach them from each enclosing path. */
export class UsedPaths {
  readonly leaves = new Set<string>();
  /** Every path worth walking into (the tested paths and their dotted prefixes). */
  readonly walk = new Set<string>();
  private readonly steps = new Set<string>();
  private childrenByParent?: Map<string, Array<[key: string, path: string]>>;

  add(path: string): void {
    this.leaves.add(path);
    for (let at = path.indexOf('.'); at >= 0; at = path.indexOf('.', at + 1))
      this.walk.add(path.slice(0, at));
    this.walk.add(path);
    for (const step of javaSplitOnDots(path)) this.steps.add(step);
    this.childrenByParent = undefined;
  }

  /**
   * The keys of an object at `parent` that lead to a walked path, with the path they lead to. A key may
   * hold dots (`{ "a.b": 1 }` is the field `a.b`, as in event-ruler), so every walked path below `parent`
   * offers the rest of its name as a key.
   */
  children(parent: string): ReadonlyArray<[key: string, path: string]> {
    this.childrenByParent ??= new Map();
    let children = this.childrenByParent.get(parent);
    if (!children) {
      children = [];
      for (const path of this.walk)
        if (path.startsWith(`${parent}.`)) {
          const key = path.slice(parent.length + 1);
          if (this.stepUsed(key)) children.push([key, path]);
        }
      this.childrenByParent.set(parent, children);
    }
    return children;
  }

  /**
   * GenericMachine.isFieldStepUsed: the engine reads an event key only if it is a step of some pattern path,
   * steps being the path split on dots the way Java splits (trailing empty steps dropped). So an empty key
   * at the end of a path (`{ value: { "": [x] } }`) is never read: such a field is always absent.
   */
  stepUsed(key: string): boolean {
    return (
      this.steps.has(key) || (key.includes('.') && javaSplitOnDots(key).every((step) => this.steps.has(step)))
    );
  }
}

/** Java's String.split("\\."): trailing empty strings are dropped (and a string of dots splits to nothing). */
function javaSplitOnDots(text: string): string[] {
  const parts = text.split('.');
  while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
  return parts.length === 1 && parts[0] === '' && text.length > 0 ? [] : parts;
}

/** Prepares one leaf for matching (see value-match.ts for how the engine reads each kind). */
export function fieldValue(
  leaf: string | number | boolean | null | JsonNumber,
  sanitize: boolean,
): FieldValue {
  if (typeof leaf === 'string') {
    const raw = `"${leaf}"`;
    return { text: sanitize ? wellFormed(raw) : raw, raw, key: undefined, string: true };
  }
  if (typeof leaf === 'number') {
    const text = String(leaf);
    return { text, raw: text, key: comparableKey(leaf), string: false };
  }
  if (leaf instanceof JsonNumber)
    return { text: leaf.text, raw: leaf.text, key: comparableKeyOfText(leaf.text), string: false };
  const text = String(leaf);
  return { text, raw: text, key: undefined, string: false };
}

/**
 * Adds the leaves of `value` at `path` (and below) to `fields`, walking only into paths some pattern tests.
 * `sanitize` replaces lone surrogates (possible only through `\u` escapes in the JSON text).
 */
export function addFields(
  fields: EventFields,
  path: string,
  value: JsonValue,
  used: UsedPaths,
  sanitize: boolean,
  arrays: { next: number } = { next: 0 },
  membership: Membership = undefined,
): void {
  if (typeof value === 'object' && value !== null && !(value instanceof JsonNumber)) {
    if (Array.isArray(value)) {
      const id = arrays.next++;
      for (let index = 0; index < value.length; index++) {
        const element = value[index]!;
        if (typeof element === 'object' && element !== null && !(element instanceof JsonNumber)) {
          const inner = new Map(membership ?? []);
          inner.set(id, index);
          addFields(fields, path, element, used, sanitize, arrays, inner);
        } else addFields(fields, path, element, used, sanitize, arrays, membership);
      }
      return;
    }
    const children = used.children(path);
    for (let at = 0; at < children.length; at++) {
      const [key, child] = children[at]!;
      if (Object.hasOwn(value, key))
        addFields(fields, child, value[key]!, used, sanitize, arrays, membership);
    }
    return;
  }
  if (!used.leaves.has(path)) return;
  const list = fields.get(path);
  const field = { value: fieldValue(value, sanitize), membership };
  if (list) list.push(field);
  else fields.set(path, [field]);
}

/** ArrayMembership.checkArrayConsistency: the merged membership, or null if the elements differ. */
function consistent(soFar: Membership, field: Membership): Membership | null {
  if (field === undefined || field.size === 0) return soFar;
  if (soFar === undefined || soFar.size === 0) return field;
  let merged: Map<number, number> | undefined;
  for (const [array, index] of field) {
    const known = soFar.get(array);
    if (known === undefined) {
      merged ??= new Map(soFar);
      merged.set(array, index);
    } else if (known !== index) return null;
  }
  return merged ?? soFar;
}

/** A compiled sub-rule: its fields in path order, each with its matcher. */
export type MatchableRule = ReadonlyArray<{ path: string; matcher: FieldMatcher }>;

export function matchableRule(
  subRule: SubRule,
  matcherFor: (field: SubRule[number]) => FieldMatcher,
): MatchableRule {
  return subRule.map((field) => ({ path: field.path, matcher: matcherFor(field) }));
}

/**
 * StructuredFinder's walk for one sub-rule: the fields in path order, each matched by a value consistent
 * with the array elements chosen so far, or (for `exists: false`) by having no such value.
 */
export function ruleMatches(rule: MatchableRule, fields: EventFields): boolean {
  return matchFrom(rule, fields, 0, undefined);
}

function matchFrom(rule: MatchableRule, fields: EventFields, index: number, membership: Membership): boolean {
  if (index === rule.length) return true;
  const { path, matcher } = rule[index]!;
  const candidates = fields.get(path);
  if (
    matcher.absent &&
    !hasConsistent(candidates, membership) &&
    matchFrom(rule, fields, index + 1, membership)
  )
    return true;
  if (candidates === undefined || !matcher.testsValues) return false;
  let triedUnchanged = false;
  for (const field of candidates) {
    const merged = consistent(membership, field.membership);
    if (merged === null) continue;
    // A value that adds no array element leaves the rest of the walk unchanged: one try is enough.
    if (merged === membership && triedUnchanged) continue;
    if (!matcher.matches(field.value)) continue;
    if (merged === membership) triedUnchanged = true;
    if (matchFrom(rule, fields, index + 1, merged)) return true;
  }
  return false;
}

function hasConsistent(candidates: EventField[] | undefined, membership: Membership): boolean {
  if (candidates === undefined) return false;
  for (const field of candidates) if (consistent(membership, field.membership) !== null) return true;
  return false;
}
