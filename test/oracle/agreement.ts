/**
 * Runs filter cases through an implementation and through event-ruler and counts where they agree. A
 * (pattern, record) pair agrees when both refuse the pattern, or both accept it and both give the record
 * the same verdict. Shared by the differential test and `npm run test:filters-agreement`.
 */
import fc from 'fast-check';
import { comparableKeyOfText } from '../../lib/core/event-filter/numbers.ts';
import { JsonNumber, parseJsonKeepingNumbers } from '../../lib/core/event-filter.ts';
import { askEventRuler, type OracleVerdict } from './event-ruler.ts';
import { filterCase, lambdaFilterInput } from './filter-cases.ts';

/** The side under test: whether it accepts a pattern, and whether a record value passes it. */
export interface FilterImplementation {
  accepts(pattern: string): boolean;
  /** `value` is the Kafka record value (null for a tombstone). */
  matches(pattern: string, value: Buffer | null): boolean;
}

export interface Disagreement {
  pattern: string;
  /** The record value (UTF-8 where it decodes, else base64); absent when the disagreement is about the pattern. */
  value?: string;
  stratus: string;
  eventRuler: string;
  /** event-ruler's reason for refusing the pattern, if it does. */
  reason?: string | null;
  uncomparable: string[];
  /**
   * Why the disagreement is expected, when it is: a number literal event-ruler on this JVM compares
   * differently from Stratus (Java 17's Double.toString is not always the shortest decimal, JDK-4511638;
   * Stratus follows the shortest, as Java 19+ and JavaScript do).
   */
  explained?: string;
}

export interface AgreementReport {
  patterns: number;
  pairs: number;
  agreeingPairs: number;
  bothAcceptPairs: number;
  agreeingBothAcceptPairs: number;
  /** Pairs where both accept the pattern and event-ruler delivers the record (how often cases hit). */
  bothAcceptMatches: number;
  patternVerdictsAgreeing: number;
  disagreements: Disagreement[];
}

export function generateCases(count: number, seed: number): Array<{ pattern: string; values: Buffer[] }> {
  return fc.sample(filterCase, { numRuns: count, seed });
}

/** Every number literal in some JSON texts (unparseable texts contribute none). */
function numberLiterals(texts: string[]): Set<string> {
  const found = new Set<string>();
  const walk = (node: unknown): void => {
    if (node instanceof JsonNumber) found.add(node.text);
    else if (Array.isArray(node)) node.forEach(walk);
    else if (typeof node === 'object' && node !== null) Object.values(node).forEach(walk);
  };
  for (const text of texts) {
    try {
      walk(parseJsonKeepingNumbers(text));
    } catch {
      // not JSON: no numbers to compare
    }
  }
  return found;
}

/**
 * event-ruler 2.1.0 shares automaton states between a wildcard that starts with `*` and a case-insensitive
 * matcher on the same field, and then delivers values that neither matches (`*@doe.com` with
 * `equals-ignore-case: x` delivers `y@DOE.COM`). Stratus matches each operator as documented.
 */
export function sharesWildcardWithCaseFolding(pattern: string): boolean {
  return /"wildcard":"\*/.test(pattern) && /"equals-ignore-case":/.test(pattern);
}

/** The literals whose comparability differs between this JVM's event-ruler and Stratus. */
export function jvmNumberDifference(texts: string[], javaUncomparable: string[]): string[] {
  const java = new Set(javaUncomparable);
  return [...numberLiterals(texts)].filter(
    (text) => java.has(text) !== (comparableKeyOfText(text) === undefined),
  );
}

export function describeValue(value: Buffer | null): string {
  if (value === null) return 'null';
  try {
    return JSON.stringify(new TextDecoder('utf-8', { fatal: true }).decode(value));
  } catch {
    return `base64:${value.toString('base64')}`;
  }
}

export async function measureAgreement(
  implementation: FilterImplementation,
  cases: ReadonlyArray<{ pattern: string; values: Buffer[] }>,
  verdicts?: OracleVerdict[],
): Promise<AgreementReport> {
  const oracle =
    verdicts ??
    (await askEventRuler(
      cases.map(({ pattern, values }) => ({
        pattern,
        events: values.map((value) => lambdaFilterInput(pattern, value)),
      })),
    ));
  const report: AgreementReport = {
    patterns: cases.length,
    pairs: 0,
    agreeingPairs: 0,
    bothAcceptPairs: 0,
    agreeingBothAcceptPairs: 0,
    bothAcceptMatches: 0,
    patternVerdictsAgreeing: 0,
    disagreements: [],
  };
  cases.forEach(({ pattern, values }, index) => {
    const verdict = oracle[index]!;
    const numberReason = (texts: string[]) => {
      const numbers = jvmNumberDifference(texts, verdict.uncomparable);
      return numbers.length > 0
        ? `Java 17 and Stratus compare ${numbers.join(', ')} differently (JDK-4511638)`
        : undefined;
    };
    const automatonReason = sharesWildcardWithCaseFolding(pattern)
      ? 'event-ruler shares states between a leading-* wildcard and a case-insensitive matcher'
      : undefined;
    const accepted = implementation.accepts(pattern);
    report.pairs += values.length;
    if (accepted === verdict.accepted) report.patternVerdictsAgreeing++;
    else {
      const explained = numberReason([pattern]);
      report.disagreements.push({
        pattern,
        stratus: accepted ? 'accepts the pattern' : 'refuses the pattern',
        eventRuler: verdict.accepted ? 'accepts the pattern' : 'refuses the pattern',
        reason: verdict.reason,
        uncomparable: verdict.uncomparable,
        ...(explained ? { explained } : {}),
      });
    }
    if (!accepted && !verdict.accepted) report.agreeingPairs += values.length;
    if (!accepted || !verdict.accepted) return;
    values.forEach((value, at) => {
      report.bothAcceptPairs++;
      if (verdict.matches[at]) report.bothAcceptMatches++;
      const matched = implementation.matches(pattern, value);
      if (matched === verdict.matches[at]) {
        report.agreeingPairs++;
        report.agreeingBothAcceptPairs++;
      } else {
        const explained =
          numberReason([pattern, lambdaFilterInput(pattern, value)]) ??
          (verdict.matches[at] ? automatonReason : undefined);
        report.disagreements.push({
          pattern,
          value: describeValue(value),
          stratus: matched ? 'match' : 'no match',
          eventRuler: verdict.matches[at] ? 'match' : 'no match',
          uncomparable: verdict.uncomparable,
          ...(explained ? { explained } : {}),
        });
      }
    });
  });
  return report;
}

export function summarize(report: AgreementReport): string {
  const percent = (part: number, whole: number) =>
    whole === 0 ? 'n/a' : `${((100 * part) / whole).toFixed(1)}%`;
  return [
    `${report.patterns} patterns, ${report.pairs} (pattern, record) pairs`,
    `pattern verdicts agree: ${percent(report.patternVerdictsAgreeing, report.patterns)}`,
    `pairs agree: ${percent(report.agreeingPairs, report.pairs)} (${report.agreeingPairs}/${report.pairs})`,
    `disagreements: ${report.disagreements.length} (${report.disagreements.filter((d) => !d.explained).length} unexplained)`,
    `pairs agree where both accept the pattern: ${percent(report.agreeingBothAcceptPairs, report.bothAcceptPairs)} (${report.agreeingBothAcceptPairs}/${report.bothAcceptPairs}; event-ruler delivers ${report.bothAcceptMatches} of them)`,
  ].join('\n');
}
