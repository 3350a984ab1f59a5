/**
 * Data-quality rules in the handler: the manifest's CEL rules of the source topic run on every decoded record
 * before the handler, those of the output topic on every value a processor returns before it is produced. The
 * evaluator is the platform's one (lib/contracts/quality-rules.ts), the same `stratus validate` type-checks
 * with. `error` rules dead-letter the record (reason DATA_QUALITY, the rule names in the envelope); `warn`
 * rules are counted and logged, and the record goes on. Counts are aggregated per invocation and emitted as
 * one EMF document per rule (dimensions from lib/core/quality-metrics.ts).
 */
import type { Metrics } from '@aws-lambda-powertools/metrics';
import {
  type CompiledRules,
  compileQualityRules,
  type RuleFailure,
} from '../../lib/contracts/quality-rules.ts';
import {
  QUALITY_METRICS,
  type QualityStage,
  qualityMetricDimensions,
} from '../../lib/core/quality-metrics.ts';
import type { QualityRule } from '../../lib/core/quality-rule-set.ts';
import { InvalidRecordError, StratusConfigurationError } from './errors.ts';
import { createRuleMetrics, MetricUnit } from './observability.ts';

/** A record (or its output) failed `error` rules: dead-lettered with reason DATA_QUALITY. */
export class DataQualityError extends InvalidRecordError {
  readonly rules: string[];
  /** Each failed rule with its reason. */
  readonly failures: RuleFailure[];
  constructor(stage: QualityStage, failures: RuleFailure[]) {
    super(
      'DATA_QUALITY',
      `${stage === 'input' ? 'record' : 'processor output'} failed data-quality rule${failures.length === 1 ? '' : 's'} ${failures.map((f) => `"${f.rule}" (${f.reason})`).join(', ')}`,
    );
    this.name = 'DataQualityError';
    this.rules = failures.map((f) => f.rule);
    this.failures = failures;
  }
}

export interface QualityGate {
  readonly stage: QualityStage;
  /**
   * Runs the rules on one value and tallies them. Returns the `warn` failures for the caller to log; throws
   * a DataQualityError when an `error` rule fails.
   */
  check(value: unknown, key: string | null): RuleFailure[] | undefined;
  /** Emits and resets the tallies (once per invocation). */
  flush(): void;
}

export interface QualityGateOptions {
  stage: QualityStage;
  rules: readonly QualityRule[];
  /** The topic's JSON Schema: CEL's types (int vs double) come from it. */
  schema: Record<string, unknown> | undefined;
  tenant: string;
  consumer: string;
  /** @default one Powertools Metrics per rule (createRuleMetrics) */
  metricsFor?: (dimensions: Record<string, string>) => Metrics;
}

export function createQualityGate(options: QualityGateOptions): QualityGate | undefined {
  const { stage, rules, schema } = options;
  if (rules.length === 0) return undefined;
  let compiled: CompiledRules;
  try {
    compiled = compileQualityRules(rules, schema ? { schema, file: `${stage} schema` } : undefined);
  } catch (error) {
    throw new StratusConfigurationError(`the ${stage} topic's ${(error as Error).message}`);
  }
  const failed = new Map<string, number>();
  let evaluated = 0;
  const metricsFor = options.metricsFor ?? createRuleMetrics;
  const ruleMetrics = compiled.rules.map(
    (rule) =>
      [
        rule.name,
        metricsFor(qualityMetricDimensions(options.tenant, options.consumer, rule.name, stage)),
      ] as const,
  );
  return {
    stage,
    check(value, key) {
      evaluated++;
      const failures = compiled.evaluate(value, key);
      if (!failures) return undefined;
      for (const f of failures) failed.set(f.rule, (failed.get(f.rule) ?? 0) + 1);
      const errors = failures.filter((f) => f.severity === 'error');
      if (errors.length > 0) throw new DataQualityError(stage, errors);
      return failures;
    },
    flush() {
      if (evaluated === 0) return;
      for (const [name, metrics] of ruleMetrics) {
        const count = failed.get(name) ?? 0;
        metrics.addMetric(QUALITY_METRICS.failed, MetricUnit.Count, count);
        metrics.addMetric(QUALITY_METRICS.passed, MetricUnit.Count, evaluated - count);
        metrics.publishStoredMetrics();
      }
      failed.clear();
      evaluated = 0;
    },
  };
}
