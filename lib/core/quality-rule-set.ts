/**
 * The rules a consumer function enforces, as the platform hands them to it (the file named by
 * STRATUS_QUALITY_RULES_FILE): the source topic's rules on input, the output topic's on a processor's results.
 */
export interface QualityRule {
  name: string;
  /** CEL, type-checked by `stratus validate` against the topic's schema. */
  expression: string;
  severity: 'error' | 'warn';
}

export interface QualityRuleSet {
  input: QualityRule[];
  output: QualityRule[];
}

/** The file's content, stable (so bundles of equal rules are equal). */
export function serializeQualityRuleSet(set: QualityRuleSet): string {
  const strip = (rules: QualityRule[]) =>
    rules.map(({ name, expression, severity }) => ({ name, expression, severity }));
  return `${JSON.stringify({ input: strip(set.input), output: strip(set.output) }, null, 2)}\n`;
}
