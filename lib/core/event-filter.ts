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

/** Top-level keys a Kafka filter may use; `value` is matched against the JSON-decoded value. */
export const KAFKA_FILTER_FIELDS = [
  'value',
  'key',
  'topic',
  'partition',
  'offset',
  'timestamp',
  'timestampType',
  'headers',
] as const;

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
        message: `Kafka filters can match ${KAFKA_FILTER_FIELDS.join(', ')}; not "${key}"`,
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
