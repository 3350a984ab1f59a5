/**
 * DynamoDB condition expressions evaluated against an item, for the operations the local DynamoDB store
 * (dynalite) lacks and the gateway emulates (TransactWriteItems). The grammar is DynamoDB's
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html)
 * for top-level attributes: comparators (= <> < <= > >=), BETWEEN, IN, AND, OR, NOT, parentheses,
 * attribute_exists, attribute_not_exists, attribute_type, begins_with, contains. Nested paths (`a.b`, `a[0]`) and
 * `size()` are refused with a message naming them, never guessed.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export interface ConditionInput {
  expression: string;
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

/** A condition the local store cannot evaluate, or a malformed one: DynamoDB's ValidationException. */
export class ConditionValidationError extends Error {}

/**
 * An operand as written: an attribute name, or a `#name` / `:value` placeholder resolved against each request's
 * ExpressionAttributeNames / ExpressionAttributeValues — so one parse serves every request with the same text.
 */
type Operand =
  | { kind: 'path'; name: string }
  | { kind: 'name'; token: string }
  | { kind: 'value'; token: string };
type Node =
  | { kind: 'and' | 'or'; left: Node; right: Node }
  | { kind: 'not'; operand: Node }
  | { kind: 'compare'; op: string; left: Operand; right: Operand }
  | { kind: 'between'; subject: Operand; low: Operand; high: Operand }
  | { kind: 'in'; subject: Operand; list: Operand[] }
  | { kind: 'function'; name: string; args: Operand[] };

const TOKEN = /\s*(<>|<=|>=|[=<>(),]|#[A-Za-z0-9_]+|:[A-Za-z0-9_]+|[A-Za-z_][A-Za-z0-9_]*|\S)/y;
const FUNCTIONS = new Set([
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
]);

/** A parsed expression and the placeholders it uses, in the order written. */
interface Parsed {
  tree: Node;
  names: string[];
  values: string[];
}

/**
 * Parses by expression text: a client sends the same few conditions over and over (Powertools' idempotency claim
 * on every record), and parsing costs far more than evaluating. Bounded: cleared when full.
 */
const parsedExpressions = new Map<string, Parsed>();
const PARSED_EXPRESSIONS_MAX = 1000;

/** What an evaluation reads: the item and the request's placeholders. */
interface Scope {
  item: Item;
  names: Record<string, string>;
  values: Record<string, AttributeValue>;
}

/** Whether `item` (undefined: no item) satisfies the condition. */
export function evaluateCondition(condition: ConditionInput, item: Item | undefined): boolean {
  const { expression, names = {}, values = {} } = condition;
  let parsed = parsedExpressions.get(expression);
  if (!parsed) {
    parsed = parse(expression);
    if (parsedExpressions.size >= PARSED_EXPRESSIONS_MAX) parsedExpressions.clear();
    parsedExpressions.set(expression, parsed);
  }
  for (const token of parsed.values)
    if (!values[token])
      throw new ConditionValidationError(
        `Value provided in ExpressionAttributeValues unused in expressions or not defined: ${token}`,
      );
  for (const token of parsed.names)
    if (names[token] === undefined)
      throw new ConditionValidationError(
        `An expression attribute name used in the document path is not defined; attribute name: ${token}`,
      );
  return evaluate(parsed.tree, { item: item ?? {}, names, values });
}

function tokenize(expression: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const match = TOKEN.exec(expression);
    if (!match) break;
    tokens.push(match[1]!);
  }
  return tokens;
}

function parse(expression: string): Parsed {
  const tokens = tokenize(expression.trim());
  const names: string[] = [];
  const values: string[] = [];
  let at = 0;
  const peek = () => tokens[at];
  const isWord = (word: string) => peek()?.toUpperCase() === word;
  const expect = (token: string) => {
    if (tokens[at] !== token)
      throw new ConditionValidationError(
        `Invalid ConditionExpression: expected "${token}" at token ${at + 1} of "${expression}"`,
      );
    at++;
  };
  const operand = (): Operand => {
    const token = tokens[at++];
    if (token === undefined)
      throw new ConditionValidationError(`Invalid ConditionExpression: unexpected end of "${expression}"`);
    if (token.startsWith(':')) {
      values.push(token);
      return { kind: 'value', token };
    }
    if (peek() === '.' || peek() === '[' || token === 'size')
      throw new ConditionValidationError(
        `the local DynamoDB store evaluates conditions on top-level attributes only; "${expression}" uses a nested path or size()`,
      );
    if (token.startsWith('#')) {
      names.push(token);
      return { kind: 'name', token };
    }
    if (!/^[A-Za-z_]/.test(token))
      throw new ConditionValidationError(
        `Invalid ConditionExpression: unexpected "${token}" in "${expression}"`,
      );
    return { kind: 'path', name: token };
  };
  const primary = (): Node => {
    if (peek() === '(') {
      at++;
      const inner = or();
      expect(')');
      return inner;
    }
    if (isWord('NOT')) {
      at++;
      return { kind: 'not', operand: primary() };
    }
    const token = peek();
    if (token && FUNCTIONS.has(token) && tokens[at + 1] === '(') {
      at += 2;
      const args = [operand()];
      while (peek() === ',') {
        at++;
        args.push(operand());
      }
      expect(')');
      return { kind: 'function', name: token, args };
    }
    const subject = operand();
    if (isWord('BETWEEN')) {
      at++;
      const low = operand();
      if (!isWord('AND'))
        throw new ConditionValidationError(`Invalid ConditionExpression: BETWEEN without AND`);
      at++;
      return { kind: 'between', subject, low, high: operand() };
    }
    if (isWord('IN')) {
      at++;
      expect('(');
      const list = [operand()];
      while (peek() === ',') {
        at++;
        list.push(operand());
      }
      expect(')');
      return { kind: 'in', subject, list };
    }
    const op = tokens[at++];
    if (!op || !['=', '<>', '<', '<=', '>', '>='].includes(op))
      throw new ConditionValidationError(
        `Invalid ConditionExpression: expected a comparator in "${expression}"`,
      );
    return { kind: 'compare', op, left: subject, right: operand() };
  };
  const and = (): Node => {
    let left = primary();
    while (isWord('AND')) {
      at++;
      left = { kind: 'and', left, right: primary() };
    }
    return left;
  };
  const or = (): Node => {
    let left = and();
    while (isWord('OR')) {
      at++;
      left = { kind: 'or', left, right: and() };
    }
    return left;
  };
  const tree = or();
  if (at !== tokens.length)
    throw new ConditionValidationError(
      `Invalid ConditionExpression: unexpected "${tokens[at]}" in "${expression}"`,
    );
  return { tree, names, values };
}

/** The attribute an operand names (evaluateCondition checked every placeholder is defined). */
function attributeName(operand: Exclude<Operand, { kind: 'value' }>, scope: Scope): string {
  return operand.kind === 'path' ? operand.name : scope.names[operand.token]!;
}

function resolve(operand: Operand, scope: Scope): AttributeValue | undefined {
  return operand.kind === 'value' ? scope.values[operand.token] : scope.item[attributeName(operand, scope)];
}

function typeOf(value: AttributeValue): string {
  return Object.keys(value)[0]!;
}

/** -1/0/1, or undefined when the two cannot be ordered (different types, or not scalar). */
function order(a: AttributeValue, b: AttributeValue): number | undefined {
  const type = typeOf(a);
  if (type !== typeOf(b)) return undefined;
  if (type === 'N') {
    const [x, y] = [Number(a.N), Number(b.N)];
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (type === 'S') return Buffer.compare(Buffer.from(a.S!), Buffer.from(b.S!));
  if (type === 'B') return Buffer.compare(Buffer.from(a.B!), Buffer.from(b.B!));
  return undefined;
}

function equal(a: AttributeValue, b: AttributeValue): boolean {
  const ordered = order(a, b);
  if (ordered !== undefined) return ordered === 0;
  return JSON.stringify(a) === JSON.stringify(b);
}

function evaluate(node: Node, scope: Scope): boolean {
  switch (node.kind) {
    case 'and':
      return evaluate(node.left, scope) && evaluate(node.right, scope);
    case 'or':
      return evaluate(node.left, scope) || evaluate(node.right, scope);
    case 'not':
      return !evaluate(node.operand, scope);
    case 'compare': {
      const [a, b] = [resolve(node.left, scope), resolve(node.right, scope)];
      // A missing attribute makes every comparison false, `<>` included (DynamoDB's behaviour).
      if (!a || !b) return false;
      if (node.op === '=') return equal(a, b);
      if (node.op === '<>') return !equal(a, b);
      const ordered = order(a, b);
      if (ordered === undefined) return false;
      return { '<': ordered < 0, '<=': ordered <= 0, '>': ordered > 0, '>=': ordered >= 0 }[node.op]!;
    }
    case 'between': {
      const [v, low, high] = [node.subject, node.low, node.high].map((o) => resolve(o, scope));
      if (!v || !low || !high) return false;
      const [fromLow, toHigh] = [order(v, low), order(v, high)];
      return fromLow !== undefined && toHigh !== undefined && fromLow >= 0 && toHigh <= 0;
    }
    case 'in': {
      const v = resolve(node.subject, scope);
      return (
        v !== undefined &&
        node.list.some((o) => {
          const candidate = resolve(o, scope);
          return candidate !== undefined && equal(v, candidate);
        })
      );
    }
    case 'function':
      return callFunction(node.name, node.args, scope);
  }
}

function callFunction(name: string, args: Operand[], scope: Scope): boolean {
  const [first, second] = args;
  if (first === undefined || first.kind === 'value')
    throw new ConditionValidationError(`Invalid ConditionExpression: ${name} needs an attribute path first`);
  const value = scope.item[attributeName(first, scope)];
  const argument = second && resolve(second, scope);
  switch (name) {
    case 'attribute_exists':
      return value !== undefined;
    case 'attribute_not_exists':
      return value === undefined;
    case 'attribute_type':
      return value !== undefined && argument?.S === typeOf(value);
    case 'begins_with':
      if (value?.S !== undefined && argument?.S !== undefined) return value.S.startsWith(argument.S);
      return false;
    default: {
      // contains: a substring of a string, or a member of a set or list.
      if (!value || !argument) return false;
      if (value.S !== undefined) return argument.S !== undefined && value.S.includes(argument.S);
      const members = value.SS ?? value.NS ?? value.L;
      if (value.SS) return argument.S !== undefined && value.SS.includes(argument.S);
      if (value.NS) return argument.N !== undefined && value.NS.some((n) => Number(n) === Number(argument.N));
      return members !== undefined && (value.L ?? []).some((member) => equal(member, argument));
    }
  }
}
