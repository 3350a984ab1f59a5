/**
 * Data-quality rules: named CEL expressions over a record, as in Confluent's data-contract rules
 * (https://docs.confluent.io/platform/current/schema-registry/fundamentals/data-contracts.html) and Kubernetes'
 * validation rules. The one evaluator of the platform: `stratus validate` type-checks rules with it, the
 * handler SDK runs them on inputs and processor outputs, and sinks may run them on rows.
 *
 * Variables: `value` (the record value, typed from the topic's JSON Schema) and `key` (the record key as a
 * string, `""` when there is none). A rule passes when it evaluates to `true`; `false` or an evaluation error
 * (an absent optional field, guard it with `has(value.x)`) fails it.
 */
import { Environment } from '@marcbachmann/cel-js';
import type { QualityRule } from '../core/quality-rule-set.ts';
import { celSchemaOf, celValueConverter } from './cel-schema.ts';
import type { SchemaDocument } from './schema-document.ts';

/** `error`: the record is dead-lettered (DATA_QUALITY). `warn`: counted, logged, delivered. */
export type RuleSeverity = QualityRule['severity'];

export type { QualityRule };

export interface RuleFailure {
  rule: string;
  severity: RuleSeverity;
  /** `evaluated to false`, or the evaluation error. */
  reason: string;
}

export interface CompiledRules {
  readonly rules: readonly QualityRule[];
  /** Runs every rule; `undefined` when all pass (the common case allocates no list). */
  evaluate(value: unknown, key: string | null): RuleFailure[] | undefined;
}

/** A type error, an unknown field, a syntax error or a non-boolean result, per rule. */
export interface RuleProblem {
  /** Index of the rule in the list. */
  index: number;
  message: string;
}

function environment(schema: SchemaDocument | undefined): Environment {
  const env = new Environment({ limits: { maxAstNodes: 2_000, maxDepth: 64 } });
  const fields = schema ? celSchemaOf(schema) : undefined;
  if (fields) env.registerVariable({ name: 'value', schema: fields });
  else env.registerVariable('value', 'dyn');
  return env.registerVariable('key', 'string');
}

/** Type-checks rules against the topic's schema without running them; empty when every rule is sound. */
export function checkQualityRules(
  rules: readonly QualityRule[],
  schema: SchemaDocument | undefined,
): RuleProblem[] {
  const env = environment(schema);
  const problems: RuleProblem[] = [];
  rules.forEach((rule, index) => {
    let result: ReturnType<Environment['check']>;
    try {
      result = env.check(rule.expression);
    } catch (error) {
      problems.push({ index, message: firstLine((error as Error).message) });
      return;
    }
    if (!result.valid)
      problems.push({ index, message: firstLine(result.error?.message ?? 'invalid expression') });
    else if (result.type !== 'bool')
      problems.push({ index, message: `must evaluate to bool, but its type is ${result.type}` });
  });
  return problems;
}

/** Compiles rules for evaluation; throws when `checkQualityRules` would report a problem. */
export function compileQualityRules(
  rules: readonly QualityRule[],
  schema: SchemaDocument | undefined,
): CompiledRules {
  const problems = checkQualityRules(rules, schema);
  if (problems.length > 0) {
    const text = problems.map((p) => `rule "${rules[p.index]!.name}": ${p.message}`).join('; ');
    throw new Error(`invalid quality rules: ${text}`);
  }
  const env = environment(schema);
  const programs = rules.map((rule) => env.parse(rule.expression));
  const convert = schema ? celValueConverter(schema) : (value: unknown) => value;
  return {
    rules,
    evaluate(value, key) {
      const context = { value: convert(value), key: key ?? '' };
      let failures: RuleFailure[] | undefined;
      for (let i = 0; i < programs.length; i++) {
        let reason: string | undefined;
        try {
          if (programs[i]!(context) !== true) reason = 'evaluated to false';
        } catch (error) {
          reason = `evaluation error: ${firstLine((error as Error).message)}`;
        }
        if (reason !== undefined) {
          const rule = rules[i]!;
          failures ??= [];
          failures.push({ rule: rule.name, severity: rule.severity, reason });
        }
      }
      return failures;
    },
  };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}
