/**
 * Lambda event filtering for Kafka records, evaluated as AWS evaluates it. Lambda filters with "the same
 * syntax as EventBridge" (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html), whose
 * engine is AWS's open-source event-ruler (https://github.com/aws/event-ruler); this module reproduces that
 * engine's pattern validation and matching (see event-filter/ for each part), and Lambda's Kafka rules on top:
 * only `value` may be filtered, JSON values by JSON patterns and plain strings by plain patterns
 * (https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html). The differential test
 * (test/integration/event-filter) checks it against event-ruler itself.
 */
import {
  addFields,
  type EventFields,
  type MatchableRule,
  ruleMatches,
  UsedPaths,
} from './event-filter/event-fields.ts';
import { isJsonObject, type JsonValue } from './event-filter/json.ts';
import { DecodedValue, type ValueForm } from './event-filter/kafka-record.ts';
import {
  type CompileOptions,
  compileRule,
  type FilterProblem,
  type SubRule,
} from './event-filter/rule-compiler.ts';
import { FieldMatcher, type ValuePattern } from './event-filter/value-match.ts';

export { JsonNumber, parseJsonKeepingNumbers } from './event-filter/json.ts';
export type { FilterProblem } from './event-filter/rule-compiler.ts';

/**
 * Top-level keys a Kafka filter may use: only `value`.
 * "Amazon MSK and self-managed Apache Kafka event source mappings only support filtering on the value key."
 * https://docs.aws.amazon.com/lambda/latest/dg/kafka-filtering.html
 */
export const KAFKA_FILTER_FIELDS = ['value'] as const;

/** Lambda's Filter.Pattern is at most 4096 characters: https://docs.aws.amazon.com/lambda/latest/api/API_Filter.html */
export const MAX_PATTERN_LENGTH = 4096;

/**
 * Every problem with a Kafka filter pattern that AWS would refuse at deploy time, each with its path below
 * the pattern, a plain-words message and (for the engine's own refusals) event-ruler's reason.
 */
export function validateFilterPattern(pattern: unknown, options: CompileOptions = {}): FilterProblem[] {
  if (!isJsonObject(pattern))
    return [{ path: [], message: 'a filter must be a mapping such as { value: { type: [order.created] } }' }];
  const problems: FilterProblem[] = [];
  for (const key of Object.keys(pattern))
    if (!(KAFKA_FILTER_FIELDS as readonly string[]).includes(key))
      problems.push({
        path: [key],
        message: `Lambda filters Kafka records on "value" only (the decoded record value); not "${key}"`,
      });
  if (problems.length > 0) return problems;
  problems.push(...compileRule(pattern, options).problems);
  const length = JSON.stringify(pattern).length;
  if (length > MAX_PATTERN_LENGTH)
    problems.push({
      path: [],
      message: `Lambda takes a filter pattern of at most ${MAX_PATTERN_LENGTH} characters of JSON; this one has ${length}`,
    });
  return problems;
}

/**
 * The record as Lambda's filter sees it: metadata fields as they are in the event, `value` decoded (see
 * event-filter/kafka-record.ts for what a pattern sees when the value is not in its form).
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

/** One compiled filter: its alternatives (from `$or`), and how it reads the value. */
interface CompiledFilter {
  rules: MatchableRule[];
  form: ValueForm;
}

/** A consumer's filters, compiled once; `matches` runs per record. */
export class CompiledFilters {
  private readonly filters: CompiledFilter[];
  private readonly used = new UsedPaths();
  private readonly metadata: string[];
  private readonly numberText: 'always' | 'when-needed' | 'never';

  constructor(patterns: readonly unknown[]) {
    let ip = false;
    let numbers = false;
    this.filters = patterns.map((pattern) => {
      // Patterns on metadata (not deployable, see validateFilterPattern) are still evaluated locally.
      const subRules: SubRule[] = isJsonObject(pattern) ? compileRule(pattern).subRules : [];
      for (const rule of subRules)
        for (const field of rule) {
          this.used.add(field.path);
          ip ||= field.patterns.some((matcher) => matcher.kind === 'range' && matcher.range.ip);
          numbers ||= field.patterns.some(readsNumbers);
        }
      const rules = subRules.map((rule) =>
        rule.map((field) => ({
          path: field.path,
          matcher: new FieldMatcher(field.patterns, field.absent),
        })),
      );
      return { rules, form: isJsonObject(pattern) && Array.isArray(pattern.value) ? 'plain' : 'json' };
    });
    this.metadata = [...this.used.walk].filter((path) => !path.includes('.') && path !== 'value');
    // A number's text matters only to numeric matchers (numbers JSON.parse would round) and to IP matchers
    // (they read a bare number's digits): without them JSON.parse is all a record needs.
    this.numberText = ip ? 'always' : numbers ? 'when-needed' : 'never';
  }

  /**
   * Whether Lambda would deliver the record: true when there are no filters or any one matches ("If a
   * record from your event source satisfies one or more of your filters, Lambda includes the record",
   * invocation-eventfiltering.html). A filter AWS would refuse never matches.
   */
  matches(record: FilterableRecord, valueBytes?: Uint8Array | null): boolean {
    if (this.filters.length === 0) return true;
    const value = new DecodedValue(valueBytes === undefined ? record.value : valueBytes, this.numberText);
    let json: EventFields | undefined;
    let plain: EventFields | undefined;
    for (const filter of this.filters) {
      let fields: EventFields;
      if (filter.form === 'json') fields = json ??= this.fields(record, value, 'json');
      else fields = plain ??= this.fields(record, value, 'plain');
      for (const rule of filter.rules) if (ruleMatches(rule, fields)) return true;
    }
    return false;
  }

  /** The fields the filters test, for patterns that read the value in `form`. */
  private fields(record: FilterableRecord, value: DecodedValue, form: ValueForm): EventFields {
    const fields: EventFields = new Map();
    const subject = value.valueFor(form);
    if (subject !== undefined) addFields(fields, 'value', subject, this.used, value.hasEscapes);
    for (const name of this.metadata) {
      const field = (record as unknown as Record<string, unknown>)[name];
      if (field !== undefined) addFields(fields, name, field as JsonValue, this.used, false);
    }
    return fields;
  }
}

/** Matchers whose verdict can depend on a number's exact text. */
function readsNumbers(matcher: ValuePattern): boolean {
  switch (matcher.kind) {
    case 'numeric-equals':
    case 'range':
      return true;
    case 'anything-but':
      return matcher.numeric;
    case 'exact':
      return /^-?[0-9]/.test(matcher.text);
    default:
      return false;
  }
}

const compiled = new WeakMap<readonly unknown[], CompiledFilters>();

/** Compiles a consumer's filters once (cached per patterns array). */
export function compileFilters(patterns: readonly unknown[]): CompiledFilters {
  let filters = compiled.get(patterns);
  if (!filters) {
    filters = new CompiledFilters(patterns);
    compiled.set(patterns, filters);
  }
  return filters;
}

/** Whether Lambda would deliver a Kafka record through these filters (see CompiledFilters.matches). */
export function matchesFilters(
  record: FilterableRecord,
  patterns: readonly unknown[],
  /** The value's bytes, when the caller has them (else `record.value` is decoded from base64). */
  valueBytes?: Uint8Array | null,
): boolean {
  return compileFilters(patterns).matches(record, valueBytes);
}
