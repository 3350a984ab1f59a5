/**
 * Lambda event-filtering patterns as they apply to Kafka records.
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html
 * A pattern is a mapping whose leaves are arrays of matchers; a record matches when every key matches,
 * and a leaf matches when any matcher in its array matches (OR within a list).
 * This file validates patterns; the event-source emulator evaluates them.
 */

/** Comparison operators Lambda supports inside a leaf array. */
export const FILTER_OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
  'wildcard',
] as const;

/**
 * Top-level keys a Kafka filter may use: only `value`, matched against the JSON-decoded value.
 * "Amazon MSK and self-managed Apache Kafka event source mappings only support filtering on the value key."
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html
 */
export const KAFKA_FILTER_FIELDS = ['value'] as const;

const NUMERIC_COMPARATORS = ['<', '<=', '=', '>', '>='];

/** Every problem with a pattern, each with the path below the pattern where it is. */
export function validateFilterPattern(pattern: unknown): Array<{ path: string[]; message: string }> {
  const problems: Array<{ path: string[]; message: string }> = [];
  if (!isPlainObject(pattern)) {
    return [{ path: [], message: 'a filter must be a mapping such as { value: { type: [order.created] } }' }];
  }
  for (const [key, child] of Object.entries(pattern)) {
    if (!(KAFKA_FILTER_FIELDS as readonly string[]).includes(key)) {
      problems.push({
        path: [key],
        message: `Lambda filters Kafka records on "value" only (the JSON-decoded value); not "${key}"`,
      });
      continue;
    }
    walk(child, [key], problems);
  }
  return problems;
}

function walk(node: unknown, path: string[], problems: Array<{ path: string[]; message: string }>): void {
  if (Array.isArray(node)) {
    if (node.length === 0) problems.push({ path, message: 'a list of matchers must not be empty' });
    node.forEach((matcher, index) => {
      validateMatcher(matcher, [...path, String(index)], problems);
    });
    return;
  }
  if (isPlainObject(node)) {
    if (Object.keys(node).length === 0) problems.push({ path, message: 'an empty mapping matches nothing' });
    for (const [key, child] of Object.entries(node)) walk(child, [...path, key], problems);
    return;
  }
  problems.push({
    path,
    message: 'a leaf must be a list of matchers, e.g. [order.created] or [{ prefix: "order." }]',
  });
}

function validateMatcher(
  matcher: unknown,
  path: string[],
  problems: Array<{ path: string[]; message: string }>,
): void {
  if (matcher === null || ['string', 'number', 'boolean'].includes(typeof matcher)) return;
  if (!isPlainObject(matcher)) {
    problems.push({ path, message: 'a matcher must be a value or an operator mapping' });
    return;
  }
  const keys = Object.keys(matcher);
  if (keys.length !== 1) {
    problems.push({ path, message: `an operator mapping has exactly one operator, got ${keys.length}` });
    return;
  }
  const operator = keys[0]!;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
    case 'suffix':
    case 'wildcard':
      if (
        typeof operand !== 'string' &&
        !(isPlainObject(operand) && typeof operand['equals-ignore-case'] === 'string')
      ) {
        problems.push({ path: [...path, operator], message: `${operator} takes a string` });
      }
      return;
    case 'equals-ignore-case':
      if (typeof operand !== 'string')
        problems.push({ path: [...path, operator], message: 'equals-ignore-case takes a string' });
      return;
    case 'exists':
      if (typeof operand !== 'boolean')
        problems.push({ path: [...path, operator], message: 'exists takes true or false' });
      return;
    case 'anything-but': {
      const ok =
        ['string', 'number'].includes(typeof operand) ||
        (Array.isArray(operand) && operand.every((item) => ['string', 'number'].includes(typeof item))) ||
        (isPlainObject(operand) &&
          ('prefix' in operand || 'suffix' in operand || 'equals-ignore-case' in operand));
      if (!ok)
        problems.push({
          path: [...path, operator],
          message:
            'anything-but takes a value, a list of values, or { prefix | suffix | equals-ignore-case }',
        });
      return;
    }
    case 'numeric':
      if (!isNumericOperand(operand)) {
        problems.push({
          path: [...path, operator],
          message: 'numeric takes comparisons such as [">", 0, "<=", 5] or ["=", 100]',
        });
      }
      return;
    default:
      problems.push({
        path: [...path, operator],
        message: `unknown operator "${operator}"; Lambda supports ${FILTER_OPERATORS.join(', ')}`,
      });
  }
}

function isNumericOperand(operand: unknown): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length > 4 || operand.length % 2 !== 0)
    return false;
  for (let i = 0; i < operand.length; i += 2) {
    if (!NUMERIC_COMPARATORS.includes(operand[i] as string) || typeof operand[i + 1] !== 'number')
      return false;
  }
  return true;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The record as Lambda's filter sees it: metadata fields as they are in the event, `value` JSON-decoded.
 * `value` is `undefined` when the record has no value or it is not JSON (see `matchesFilters`).
 */
export interface FilterableRecord {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  timestampType: string;
  /** Base64, as in the event. */
  key?: string;
  /** Base64, as in the event. */
  value?: string | null;
  headers?: unknown;
}

/**
 * Whether Lambda would deliver a Kafka record: true when there are no patterns or any one pattern matches
 * (filters are ORed: https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html, "If an event
 * satisfies any one of these filters, Lambda sends the event to your function").
 * `value` patterns are matched against the JSON-decoded value. A value that is not JSON cannot match a `value`
 * pattern: Lambda drops such records ("Non-JSON incoming data, valid JSON filter pattern: Lambda drops the
 * record", invocation-eventfiltering.html, streams table), so `false` here.
 */
export function matchesFilters(
  record: FilterableRecord,
  patterns: readonly Record<string, unknown>[],
): boolean {
  if (patterns.length === 0) return true;
  const subject = filterSubject(record);
  return patterns.some((pattern) => matchesPattern(subject, pattern));
}

const NOT_JSON = Symbol('not JSON');

function filterSubject(record: FilterableRecord): Record<string, unknown> {
  let value: unknown;
  if (typeof record.value === 'string') {
    try {
      value = JSON.parse(Buffer.from(record.value, 'base64').toString('utf8'));
    } catch {
      value = NOT_JSON;
    }
  }
  return { ...record, value };
}

/** EventBridge-style matching (Lambda uses "the same set of syntax and rules as Amazon EventBridge"). */
function matchesPattern(subject: unknown, pattern: Record<string, unknown>): boolean {
  for (const [key, expected] of Object.entries(pattern)) {
    const present = isPlainObject(subject) && key in subject && subject[key] !== undefined;
    const actual = present ? (subject as Record<string, unknown>)[key] : undefined;
    if (actual === NOT_JSON) return false;
    if (Array.isArray(expected)) {
      if (!matchesLeaf(present, actual, expected)) return false;
    } else if (isPlainObject(expected)) {
      if (!present || !matchesPattern(actual, expected)) return false;
    } else {
      return false;
    }
  }
  return true;
}

/** A leaf matches when any matcher matches; an array value matches when any of its elements does. */
function matchesLeaf(present: boolean, actual: unknown, matchers: unknown[]): boolean {
  return matchers.some((matcher) => {
    if (isPlainObject(matcher) && 'exists' in matcher) {
      // exists: true matches leaf values only; exists: false matches an absent field.
      return matcher.exists === true ? present && !isPlainObject(actual) : !present;
    }
    if (!present) return false;
    const candidates = Array.isArray(actual) ? actual : [actual];
    return candidates.some((candidate) => matchesOne(candidate, matcher));
  });
}

function matchesOne(actual: unknown, matcher: unknown): boolean {
  if (!isPlainObject(matcher)) {
    // Exact match, no type coercion: "300" and 300 differ, as in EventBridge.
    return actual === matcher;
  }
  const [operator, operand] = Object.entries(matcher)[0] ?? [];
  switch (operator) {
    case 'prefix':
      return (
        typeof actual === 'string' && stringOperand(operand, (text, fold) => fold(actual).startsWith(text))
      );
    case 'suffix':
      return (
        typeof actual === 'string' && stringOperand(operand, (text, fold) => fold(actual).endsWith(text))
      );
    case 'equals-ignore-case':
      return (
        typeof actual === 'string' &&
        typeof operand === 'string' &&
        actual.toLowerCase() === operand.toLowerCase()
      );
    case 'wildcard':
      return (
        typeof actual === 'string' && typeof operand === 'string' && wildcardRegExp(operand).test(actual)
      );
    case 'numeric':
      return typeof actual === 'number' && Array.isArray(operand) && numericMatches(actual, operand);
    case 'anything-but':
      return anythingBut(actual, operand);
    default:
      return false;
  }
}

/** `prefix`/`suffix` take a string or `{ equals-ignore-case: string }`. */
function stringOperand(
  operand: unknown,
  test: (text: string, fold: (s: string) => string) => boolean,
): boolean {
  if (typeof operand === 'string') return test(operand, (s) => s);
  if (isPlainObject(operand) && typeof operand['equals-ignore-case'] === 'string') {
    return test(operand['equals-ignore-case'].toLowerCase(), (s) => s.toLowerCase());
  }
  return false;
}

function anythingBut(actual: unknown, operand: unknown): boolean {
  if (isPlainObject(operand)) {
    if (typeof actual !== 'string') return false;
    if (typeof operand.prefix === 'string') return !actual.startsWith(operand.prefix);
    if (typeof operand.suffix === 'string') return !actual.endsWith(operand.suffix);
    if (typeof operand['equals-ignore-case'] === 'string')
      return actual.toLowerCase() !== operand['equals-ignore-case'].toLowerCase();
    return false;
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  return actual !== undefined && !excluded.includes(actual);
}

function numericMatches(actual: number, comparisons: unknown[]): boolean {
  for (let i = 0; i < comparisons.length; i += 2) {
    const bound = comparisons[i + 1];
    if (typeof bound !== 'number') return false;
    const ok = {
      '<': actual < bound,
      '<=': actual <= bound,
      '=': actual === bound,
      '>': actual > bound,
      '>=': actual >= bound,
    }[comparisons[i] as string];
    if (!ok) return false;
  }
  return true;
}

function wildcardRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
  return new RegExp(`^${escaped}$`, 's');
}
