/**
 * The check every value passes before Stratus writes it to a topic — a processor's output (batch-processor.ts)
 * and a producer's record (topic-producer.ts) alike: the topic's JSON Schema, then its data-quality rules. One
 * implementation, so a value a processor may write is exactly a value a producer may write.
 */
import type { RuleFailure } from '../../lib/contracts/quality-rules.ts';
import { OutputSchemaViolationError } from './errors.ts';
import type { QualityGate } from './quality.ts';
import type { ValueValidator } from './schema.ts';

/**
 * Checks one value bound for the topic. Throws OutputSchemaViolationError (schema) or DataQualityError (an
 * `error` rule); returns the failed `warn` rules for the caller to log, or undefined.
 */
export type OutgoingCheck = (value: unknown, key: string | null) => RuleFailure[] | undefined;

/** Undefined when the topic has neither a schema nor quality rules: nothing to check. */
export function createOutgoingCheck(
  validate: ValueValidator | undefined,
  quality: QualityGate | undefined,
): OutgoingCheck | undefined {
  if (!validate && !quality) return undefined;
  return (value, key) => {
    if (validate) {
      const violations = validate(value);
      if (violations.length > 0) throw new OutputSchemaViolationError(violations);
    }
    return quality?.check(value, key);
  };
}
