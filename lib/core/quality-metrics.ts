/**
 * The per-rule data-quality metrics, one definition for the handler SDK (which emits them as EMF), the local
 * observability (which reads that EMF into /metrics) and the CDK (dashboard widgets and failure-rate alarms).
 * Namespace `Stratus`; dimensions service (= tenant, Powertools' own), tenant, consumer, rule, stage.
 */
import type { QualityRule, QualityRuleSet } from './quality-rule-set.ts';

export const QUALITY_METRICS = {
  /** Records of one invocation that satisfied the rule. */
  passed: 'QualityRulePassed',
  /** Records of one invocation that failed the rule (false or an evaluation error). */
  failed: 'QualityRuleFailed',
} as const;

/** `input`: the consumer's source records, before the handler. `output`: a processor's results, before producing. */
export type QualityStage = 'input' | 'output';

export function qualityMetricDimensions(
  tenant: string,
  consumer: string,
  rule: string,
  stage: QualityStage,
): Record<string, string> {
  return { service: tenant, tenant, consumer, rule, stage };
}

export type { QualityRule, QualityRuleSet };
