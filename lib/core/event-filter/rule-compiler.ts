/**
 * A filter pattern compiled the way event-ruler's JsonRuleCompiler compiles it: validated with the
 * engine's own rules (and its reasons), `$or` expanded into alternative sub-rules, fields flattened to dotted
 * paths, matchers compiled once. https://github.com/aws/event-ruler (JsonRuleCompiler, Patterns, Range,
 * CIDR, ComparableNumber); Lambda uses "the same syntax as EventBridge":
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
 */
import { cidrRange, ipLiteralRange } from './ip.ts';
import { isJsonObject, JsonNumber } from './json.ts';
import { comparableKeyOfText, HIGHEST_KEY, jsonNumberText, LOWEST_KEY, sameDecimal } from './numbers.ts';
import { caseFoldSource, parseWildcard, type Wildcard, wellFormed } from './strings.ts';
import type { Range, ValuePattern } from './value-match.ts';

/** A problem with a pattern: where (below the pattern), what in plain words, and event-ruler's own reason. */
export interface FilterProblem {
  path: string[];
  message: string;
  /** event-ruler's message for the same refusal; absent for limits that are Lambda's or Stratus's. */
  engineReason?: string;
}

/** One field of a sub-rule: its dotted path and its matchers. */
export interface RuleField {
  path: string;
  patterns: ValuePattern[];
  /** `exists: false` is among the matchers. */
  absent: boolean;
}

/** A conjunction of fields, sorted by path (the order in which event-ruler walks them). */
export type SubRule = RuleField[];

/** Options for reading numbers written in a manifest. */
export interface CompileOptions {
  /**
   * The source text of the number at a pattern path, when the pattern came from YAML: a number whose text
   * is not its double (`9007199254740993`) would be deployed rounded, so it is refused.
   */
  numberSource?: (path: string[]) => string | undefined;
}

/** event-ruler caps a sub-rule at 256 fields (GenericMachine.MAXIMUM_RULE_SIZE). */
const MAX_RULE_FIELDS = 256;
/**
 * EventBridge refuses a pattern whose `$or`s multiply out to more than 1000 combinations:
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or
 */
const MAX_OR_COMBINATIONS = 1000;

const OR = '$or';
/** Names event-ruler reserves inside `$or` (Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

/** The matcher operators event-ruler accepts, for "unknown operator" messages. */
export const ENGINE_OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'anything-but',
  'numeric',
  'exists',
  'wildcard',
  'cidr',
  'exactly',
] as const;

type Rule = Map<string, { patterns: ValuePattern[]; absent: boolean }>;

class Compilation {
  readonly problems: FilterProblem[] = [];
  /**
   * Refusals that come from building the engine's state machine (Machine.addRule) rather than from compiling
   * the pattern: the engine reports them only when the whole pattern compiles, so they come last.
   */
  readonly machineProblems: FilterProblem[] = [];

  constructor(private readonly options: CompileOptions) {}

  fail(path: string[], message: string, engineReason?: string): undefined {
    this.problems.push(engineReason === undefined ? { path, message } : { path, message, engineReason });
    return undefined;
  }

  failInMachine(path: string[], message: string, engineReason?: string): undefined {
    this.machineProblems.push(
      engineReason === undefined ? { path, message } : { path, message, engineReason },
    );
    return undefined;
  }

  /** JsonRuleCompiler.parseObject / parseObjectInsideOrRelationship. */
  object(node: Record<string, unknown>, steps: string[], rules: Rule[], inOr: boolean, at: string[]): void {
    const keys = Object.keys(node);
    if (keys.length === 0) this.fail(at, 'an empty mapping is not allowed', 'Empty objects are not allowed');
    for (const key of keys) {
      const child = node[key];
      if (key === OR) {
        this.or(child, steps, rules, [...at, key]);
        continue;
      }
      if (inOr && RESERVED_IN_OR.has(key)) {
        this.fail(
          [...at, key],
          `"${key}" is an operator name, so it cannot be a field inside $or`,
          `${key} is Ruler reserved fieldName which cannot be used inside $or.`,
        );
        continue;
      }
      if (isJsonObject(child)) this.object(child, [...steps, key], rules, inOr, [...at, key]);
      else if (Array.isArray(child)) this.field(rules, fieldPath(steps, key), child, [...at, key]);
      else
        this.fail(
          [...at, key],
          'a field takes a list of matchers, e.g. [order.created] or [{ prefix: "order." }], or a mapping of fields',
          `"${key}" must be an object or an array`,
        );
    }
  }

  /** JsonRuleCompiler.parseIntoOrRelationship: each branch extends a copy of the rules so far. */
  private or(node: unknown, steps: string[], rules: Rule[], at: string[]): void {
    if (!Array.isArray(node)) {
      this.fail(at, '$or takes a list of at least two mappings', 'It must be an Array followed with $or.');
      return;
    }
    const before = rules.map((rule) => new Map(rule));
    rules.length = 0;
    node.forEach((branch, index) => {
      if (!isJsonObject(branch)) {
        this.fail(
          [...at, String(index)],
          'each $or branch is a mapping of fields',
          'Only JSON object is allowed in array of $or relationship.',
        );
        return;
      }
      const branchRules = before.length > 0 ? before.map((rule) => new Map(rule)) : [new Map()];
      this.object(branch, steps, branchRules, true, [...at, String(index)]);
      rules.push(...branchRules);
      if (rules.length > MAX_OR_COMBINATIONS)
        throw new TooComplex(
          at,
          `its $or branches multiply out to more than ${MAX_OR_COMBINATIONS} combinations`,
        );
    });
    if (node.length < 2)
      this.fail(
        at,
        '$or needs at least two branches',
        'There must have at least 2 Objects in $or relationship.',
      );
  }

  /** JsonRuleCompiler.writeRules: a field's list of matchers, ORed. */
  private field(rules: Rule[], name: string, list: unknown[], at: string[]): void {
    const patterns: ValuePattern[] = [];
    let absent = false;
    list.forEach((item, index) => {
      const compiled = this.matcher(item, [...at, String(index)], index === 0);
      if (compiled === 'absent') absent = true;
      else if (compiled) patterns.push(...compiled);
    });
    if (list.length === 0)
      this.fail(at, 'a list of matchers must not be empty', 'Empty arrays are not allowed');
    if (rules.length === 0) rules.push(new Map());
    for (const rule of rules) rule.set(name, { patterns, absent });
  }

  /** One element of a matcher list (`first`: the engine builds its state from the first one). */
  private matcher(item: unknown, at: string[], first: boolean): ValuePattern[] | 'absent' | undefined {
    if (typeof item === 'string') {
      const range = ipLiteralRange(item);
      return [
        range ? { kind: 'range', range: { ...range, ip: true } } : { kind: 'exact', text: `"${item}"` },
      ];
    }
    if (typeof item === 'number' || item instanceof JsonNumber) {
      const text = this.numberText(item, at);
      if (text === undefined) return undefined;
      const key = comparableKeyOfText(text);
      const exact: ValuePattern = { kind: 'exact', text };
      return key === undefined ? [exact] : [{ kind: 'numeric-equals', key }, exact];
    }
    if (item === null || typeof item === 'boolean') return [{ kind: 'exact', text: String(item) }];
    if (Array.isArray(item))
      return this.fail(
        at,
        'a matcher is a value (text, number, true, false, null) or an operator mapping, not a list',
        'Match value must be String, number, true, false, or null',
      );
    if (!isJsonObject(item)) return this.fail(at, 'a matcher must be a value or an operator mapping');
    return this.operator(item, at, first);
  }

  /** JsonRuleCompiler.processMatchExpression. */
  private operator(
    node: Record<string, unknown>,
    at: string[],
    first: boolean,
  ): ValuePattern[] | 'absent' | undefined {
    const keys = Object.keys(node);
    if (keys.length === 0)
      return this.fail(
        at,
        'an operator mapping names one operator, e.g. { prefix: "a" }',
        'Match expression name not found',
      );
    const operator = keys[0]!;
    const operand = node[operator];
    const where = [...at, operator];
    const onlyOne = (
      result: ValuePattern[] | 'absent' | undefined,
      reason = 'Only one key allowed in match expression',
    ) => {
      if (result === undefined || keys.length === 1) return result;
      return this.fail(at, `an operator mapping has exactly one operator, got ${keys.length}`, reason);
    };
    switch (operator) {
      case 'exactly':
        if (typeof operand !== 'string')
          return this.fail(where, 'exactly takes a string', 'exact match pattern must be a string');
        return onlyOne([{ kind: 'exact', text: `"${operand}"` }]);
      case 'prefix':
      case 'suffix':
        return onlyOne(this.affix(operator, operand, where));
      case 'equals-ignore-case':
        if (typeof operand !== 'string')
          return this.fail(
            where,
            'equals-ignore-case takes a string',
            'equals-ignore-case match pattern must be a string',
          );
        return onlyOne([{ kind: 'folded', regex: anchored(caseFoldSource(quoted(operand)), '^', '$') }]);
      case 'wildcard': {
        if (typeof operand !== 'string')
          return this.fail(where, 'wildcard takes a string', 'wildcard match pattern must be a string');
        const wildcard = this.wildcard(operand, where);
        return wildcard && onlyOne([{ kind: 'wildcard', wildcard }]);
      }
      case 'numeric':
        if (!Array.isArray(operand))
          return this.fail(
            where,
            'numeric takes comparisons such as [">", 0, "<=", 5] or ["=", 100]',
            'Value of numeric must be an array.',
          );
        return onlyOne(this.numeric(operand, where), 'Too many elements in numeric expression');
      case 'anything-but':
        return onlyOne(this.anythingBut(operand, where, first), 'Too many elements in numeric expression');
      case 'exists':
        if (typeof operand !== 'boolean')
          return this.fail(
            where,
            'exists takes true or false',
            'exists match pattern must be either true or false.',
          );
        return onlyOne(operand ? [{ kind: 'exists' }] : 'absent');
      case 'cidr': {
        if (typeof operand !== 'string')
          return this.fail(
            where,
            'cidr takes a string such as "10.0.0.0/24"',
            'prefix match pattern must be a string',
          );
        const range = cidrRange(operand);
        if ('error' in range)
          return this.fail(where, `cidr "${operand}": ${plainCidrError(range.error)}`, range.error);
        return onlyOne([{ kind: 'range', range: { ...range, ip: true } }]);
      }
      default:
        return this.fail(
          where,
          `unknown operator "${operator}"; filters support ${ENGINE_OPERATORS.join(', ')}`,
          `Unrecognized match type ${operator}`,
        );
    }
  }

  /** prefix / suffix: a string, or { equals-ignore-case: string }. */
  private affix(operator: 'prefix' | 'suffix', operand: unknown, at: string[]): ValuePattern[] | undefined {
    const name = operator === 'prefix' ? 'Prefix' : 'Suffix';
    if (typeof operand === 'string')
      return [
        operator === 'prefix'
          ? { kind: 'prefix', text: `"${wellFormed(operand)}` }
          : { kind: 'suffix', text: `${wellFormed(operand)}"` },
      ];
    if (!isJsonObject(operand))
      return this.fail(
        at,
        `${operator} takes a string or { equals-ignore-case: string }`,
        `${operator} match pattern must be a string`,
      );
    const keys = Object.keys(operand);
    if (keys.length === 0)
      return this.fail(
        at,
        `${operator} takes a string or { equals-ignore-case: string }`,
        `${name} expression name not found`,
      );
    if (keys[0] !== 'equals-ignore-case')
      return this.fail(
        [...at, keys[0]!],
        `${operator} takes a string or { equals-ignore-case: string }`,
        `Unsupported ${operator} pattern: ${keys[0]}`,
      );
    const text = operand['equals-ignore-case'];
    if (typeof text !== 'string')
      return this.fail(
        [...at, 'equals-ignore-case'],
        'equals-ignore-case takes a string',
        'equals-ignore-case match pattern must be a string',
      );
    if (keys.length > 1)
      return this.fail(
        at,
        `${operator} takes exactly { equals-ignore-case: string }`,
        'Only one key allowed in match expression',
      );
    const source = caseFoldSource(operator === 'prefix' ? `"${text}` : `${text}"`);
    return [
      {
        kind: 'folded',
        regex: operator === 'prefix' ? anchored(source, '^', '') : anchored(source, '', '$'),
      },
    ];
  }

  private wildcard(text: string, at: string[]): Wildcard | undefined {
    const parsed = parseWildcard(quoted(text));
    if ('error' in parsed)
      return this.fail(
        at,
        `wildcard "${text}": ${parsed.error.startsWith('Consecutive') ? 'two * in a row are not allowed' : 'a backslash may only escape * or \\'}`,
        parsed.error,
      );
    return parsed;
  }

  /** JsonRuleCompiler.processNumericMatchExpression: ["=", n], ["<"/"<=", n], [">"/">=", n (, "<"/"<=", m)]. */
  private numeric(items: unknown[], at: string[]): ValuePattern[] | undefined {
    const token = (index: number) => jsonToken(items, index);
    const operator = items[0];
    if (typeof operator !== 'string')
      return this.fail(
        at,
        'numeric starts with a comparison: "=", "<", "<=", ">" or ">="',
        `Invalid member in numeric match: ${token(0)}`,
      );
    if (!['=', '<', '<=', '>', '>='].includes(operator))
      return this.fail(
        at,
        `numeric: "${operator}" is not a comparison; use "=", "<", "<=", ">" or ">="`,
        `Unrecognized numeric range operator: ${operator}`,
      );
    const first = this.bound(items, 1, operator === '=' ? 'equals' : operator, at);
    if (first === undefined) return undefined;
    if (operator === '=' || operator === '<' || operator === '<=') {
      if (items.length > 2)
        return this.fail(
          at,
          `numeric: nothing may follow ${shown(items.slice(0, 2))}; a range is written lower bound first, e.g. [">", 0, "<", 10]`,
          'Too many elements in numeric expression',
        );
      if (operator === '=') return this.keyed(first, at, (key) => [{ kind: 'numeric-equals', key }]);
      return this.keyed(first, at, (key) =>
        this.range(LOWEST_KEY, false, key, operator === '<', at, shown(items)),
      );
    }
    if (items.length === 2)
      return this.keyed(first, at, (key) =>
        this.range(key, operator === '>', HIGHEST_KEY, false, at, shown(items)),
      );
    const upper = items[2];
    if (typeof upper !== 'string')
      return this.fail(
        at,
        'numeric: after the lower bound comes "<" or "<=" and the upper bound',
        `Bad value in numeric range: ${token(2)}`,
      );
    if (upper !== '<' && upper !== '<=')
      return this.fail(
        at,
        `numeric: after the lower bound comes "<" or "<=", not "${upper}" (write the lower bound first)`,
        `Bad numeric range operator: ${upper}`,
      );
    const second = this.bound(items, 3, upper, at);
    if (second === undefined) return undefined;
    if (items.length > 4)
      return this.fail(
        at,
        'numeric: a range has at most two comparisons',
        'Too many terms in numeric range expression',
      );
    const bottom = this.comparable(first, at);
    const top = bottom === undefined ? undefined : this.comparable(second, at);
    if (bottom === undefined || top === undefined) return undefined;
    if (bottom >= top)
      return this.fail(
        at,
        `numeric: the range ${shown(items)} is empty; its lower bound must be below its upper bound`,
        'Bottom must be less than top',
      );
    return this.range(bottom, operator === '>', top, upper === '<', at, '');
  }

  /** A numeric bound: the number after a comparison, as text. */
  private bound(items: unknown[], index: number, operator: string, at: string[]): string | undefined {
    const item = items[index];
    if (typeof item !== 'number' && !(item instanceof JsonNumber))
      return this.fail(
        at,
        `numeric: "${operator === 'equals' ? '=' : operator}" must be followed by a number`,
        `Value of ${operator} must be numeric`,
      );
    return this.numberText(item, [...at, String(index)]);
  }

  private keyed(text: string, at: string[], build: (key: string) => ValuePattern[] | undefined) {
    const key = this.comparable(text, at);
    return key === undefined ? undefined : build(key);
  }

  private comparable(text: string, at: string[]): string | undefined {
    const key = comparableKeyOfText(text);
    if (key === undefined) this.fail(at, notComparable(text), `Cannot compare number : ${text}`);
    return key;
  }

  /** A numeric range; a one-sided range at ±Double.MAX_VALUE has nothing in it and the engine fails on it. */
  private range(
    bottom: string,
    openBottom: boolean,
    top: string,
    openTop: boolean,
    at: string[],
    written: string,
  ) {
    if (bottom === top)
      return this.failInMachine(
        at,
        `numeric: ${written} leaves no number (nothing lies beyond the largest double)`,
        'Index 10 out of bounds for length 10',
      );
    const range: Range = { bottom, top, openBottom, openTop, ip: false };
    return [{ kind: 'range', range } as ValuePattern];
  }

  /** JsonRuleCompiler's anything-but: a value, a list, or { prefix | suffix | equals-ignore-case | wildcard }. */
  private anythingBut(operand: unknown, at: string[], first: boolean): ValuePattern[] | undefined {
    let kind: 'plain' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard' = 'plain';
    let values = operand;
    let where = at;
    if (isJsonObject(operand)) {
      const keys = Object.keys(operand);
      if (keys.length === 0)
        return this.fail(
          at,
          'anything-but takes a value, a list, or one of { prefix | suffix | equals-ignore-case | wildcard }',
          'Anything-But expression name not found',
        );
      const key = keys[0]!;
      if (key !== 'equals-ignore-case' && key !== 'prefix' && key !== 'suffix' && key !== 'wildcard')
        return this.fail(
          [...at, key],
          `anything-but takes { prefix | suffix | equals-ignore-case | wildcard }, not { ${key} }`,
          `Unsupported anything-but pattern: ${key}`,
        );
      kind = key;
      values = operand[key];
      where = [...at, key];
      const compiled = this.anythingButValues(kind, values, where, first);
      if (compiled && keys.length > 1)
        return this.fail(
          at,
          'anything-but takes a single operator mapping',
          'Too many elements in numeric expression',
        );
      return compiled;
    }
    return this.anythingButValues(kind, values, where, first);
  }

  private anythingButValues(
    kind: 'plain' | 'equals-ignore-case' | 'prefix' | 'suffix' | 'wildcard',
    values: unknown,
    at: string[],
    first: boolean,
  ): ValuePattern[] | undefined {
    const scalar = typeof values === 'string' || typeof values === 'number' || values instanceof JsonNumber;
    if (!Array.isArray(values) && !scalar)
      return this.fail(
        at,
        'anything-but takes a value or a list of values',
        'Value of anything-but must be an array or single string/number value.',
      );
    const list: unknown[] = Array.isArray(values) ? values : [values];
    if (kind === 'plain') {
      const texts = new Set<string>();
      let strings = 0;
      let numbers = 0;
      for (const [index, item] of list.entries()) {
        const where = Array.isArray(values) ? [...at, String(index)] : at;
        if (typeof item === 'string') {
          texts.add(quoted(item));
          strings++;
        } else if (typeof item === 'number' || item instanceof JsonNumber) {
          const text = this.numberText(item, where);
          const key = text === undefined ? undefined : this.comparable(text, where);
          if (key === undefined) return undefined;
          texts.add(key);
          numbers++;
        } else
          return this.fail(
            where,
            'anything-but lists hold text or numbers, not null, true/false, lists or mappings',
            'Inside anything but list, start|null|boolean is not supported.',
          );
      }
      if (strings > 0 === numbers > 0)
        return this.fail(
          at,
          strings > 0
            ? 'an anything-but list holds only text or only numbers, not both'
            : 'an anything-but list must not be empty',
          'Inside anything but list, either all values are number or string, mixed type is not supported',
        );
      return [{ kind: 'anything-but', values: texts, numeric: numbers > 0 }];
    }
    const texts: string[] = [];
    for (const [index, item] of list.entries()) {
      const where = Array.isArray(values) ? [...at, String(index)] : at;
      if (typeof item !== 'string') {
        const reason =
          kind === 'equals-ignore-case'
            ? 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.'
            : kind === 'wildcard'
              ? 'wildcard match pattern must be a string'
              : 'prefix/suffix match pattern must be a string';
        return this.fail(where, `anything-but ${kind} takes text`, reason);
      }
      if ((kind === 'prefix' || kind === 'suffix') && item === '')
        return this.fail(
          where,
          `anything-but ${kind} must not be empty text`,
          'Null prefix/suffix not allowed',
        );
      texts.push(item);
    }
    // An empty list excludes nothing and matches nothing; as the first matcher of a field the engine fails on
    // it (a NullPointerException in Machine.addRule), so AWS would refuse the pattern.
    if (texts.length === 0)
      return first ? this.failInMachine(at, `anything-but ${kind} needs at least one value`) : [];
    switch (kind) {
      case 'equals-ignore-case':
        return [
          {
            kind: 'anything-but-folded',
            regexes: texts.map((text) => anchored(caseFoldSource(quoted(text)), '^', '$')),
          },
        ];
      case 'prefix':
        return [{ kind: 'anything-but-prefix', texts: texts.map((text) => `"${wellFormed(text)}`) }];
      case 'suffix':
        return [{ kind: 'anything-but-suffix', texts: texts.map((text) => `${wellFormed(text)}"`) }];
      default: {
        const wildcards: Wildcard[] = [];
        for (const text of texts) {
          const wildcard = this.wildcard(text, at);
          if (!wildcard) return undefined;
          wildcards.push(wildcard);
        }
        return [{ kind: 'anything-but-wildcard', wildcards }];
      }
    }
  }

  /** A number's text as sent to AWS: JSON's text of a JavaScript number, or the literal's own text. */
  private numberText(item: number | JsonNumber, at: string[]): string | undefined {
    if (item instanceof JsonNumber) return item.text;
    const text = jsonNumberText(item);
    const written = this.options.numberSource?.(at);
    if (text === undefined)
      return this.fail(
        at,
        `${written ?? item} is beyond the range of a double (it would be sent to AWS as null)`,
      );
    if (
      written !== undefined &&
      /^[+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?$/.test(written) &&
      !sameDecimal(written, text)
    )
      return this.fail(
        at,
        `${written} has no exact double: it would be sent to AWS as ${text}; write ${text} or a string`,
      );
    return text;
  }
}

class TooComplex extends Error {
  constructor(
    readonly at: string[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * event-ruler quotes strings, so `"abc"` is what a string value is read as, in UTF-8 bytes (unpaired
 * surrogates as `?`). Exact matchers alone compare whole Java strings, so they keep their text as is.
 */
function quoted(text: string): string {
  return `"${wellFormed(text)}"`;
}

function anchored(source: string, start: string, end: string): RegExp {
  return new RegExp(`${start}${source}${end}`);
}

/** Path.extendedName: a leaf's dotted path (the root's name is empty, so no leading dot). */
function fieldPath(steps: string[], key: string): string {
  const base = steps.join('.');
  return base === '' ? key : `${base}.${key}`;
}

/** A numeric operand as written, for messages: `[">=", 1, "<=", 1]`. */
function shown(items: unknown[]): string {
  return `[${items.map((item, index) => (typeof item === 'string' ? JSON.stringify(item) : jsonToken(items, index))).join(', ')}]`;
}

/** What Jackson's parser.getText() shows for an array element (or the end of the array). */
function jsonToken(items: unknown[], index: number): string {
  if (index >= items.length) return ']';
  const item = items[index];
  if (item instanceof JsonNumber) return item.text;
  if (typeof item === 'number') return jsonNumberText(item) ?? String(item);
  if (Array.isArray(item)) return '[';
  if (isJsonObject(item)) return '{';
  return String(item);
}

function notComparable(text: string): string {
  return Number.isFinite(Number(text))
    ? `${text} has no exact double (event-ruler compares numbers as doubles and refuses one that would round)`
    : `${text} is beyond the range of a double`;
}

function plainCidrError(reason: string): string {
  if (reason.startsWith('Malformed CIDR, one'))
    return 'write an address, a slash and the mask bits, e.g. 10.0.0.0/24';
  if (reason.includes('integer')) return 'the mask bits after the slash must be a whole number';
  if (reason.includes('negative')) return 'the mask bits must not be negative';
  if (reason.startsWith('IPv4')) return 'an IPv4 mask is 0 to 31 bits';
  if (reason.startsWith('IPv6')) return 'an IPv6 mask is 0 to 127 bits';
  return 'the part before the slash is not an IPv4 or IPv6 address';
}

/** A pattern's sub-rules, or its problems. Problems are in document order, as event-ruler finds them. */
export function compileRule(
  pattern: Record<string, unknown>,
  options: CompileOptions = {},
): { subRules: SubRule[]; problems: FilterProblem[] } {
  const compilation = new Compilation(options);
  const rules: Rule[] = [];
  try {
    compilation.object(pattern, [], rules, false, []);
  } catch (error) {
    if (!(error instanceof TooComplex)) throw error;
    compilation.fail(error.at, `the pattern is too complex: ${error.message}`);
  }
  for (const rule of rules)
    if (rule.size > MAX_RULE_FIELDS)
      compilation.failInMachine(
        [],
        `a filter (or one $or branch of it) may test at most ${MAX_RULE_FIELDS} fields, this one tests ${rule.size}`,
        `Size of rule 'rule' exceeds max value of ${MAX_RULE_FIELDS}`,
      );
  const problems = [...compilation.problems, ...compilation.machineProblems];
  if (problems.length > 0) return { subRules: [], problems };
  const subRules = rules.map((rule) =>
    [...rule.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([path, { patterns, absent }]) => ({ path, patterns, absent })),
  );
  return { subRules, problems: [] };
}
