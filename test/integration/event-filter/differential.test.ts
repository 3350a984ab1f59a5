/**
 * Stratus's filter validator and matcher against AWS's event-ruler, the engine Lambda filters with: one
 * JVM (test/oracle/event-ruler.ts) answers for the regression corpus and for generated cases (fast-check
 * patterns over every operator, records shaped after them; test/oracle/filter-cases.ts).
 *
 * Every disagreement must be one of the documented differences (docs/local-runtime.md, "How local differs
 * from AWS"), each recognised in test/oracle/agreement.ts:
 * - numbers that Java 17's Double.toString prints longer than the shortest decimal (JDK-4511638):
 *   event-ruler on Java 17 cannot compare them (e.g. 5e-324, 1e23), Stratus follows the shortest decimal
 *   (Java 19+ and JavaScript), and AWS's JVM is not documented;
 * - event-ruler delivering values that neither operator matches when a wildcard starting with `*` shares a
 *   field with a case-insensitive matcher (its automata share states); Stratus matches each operator as
 *   documented.
 *
 * `npm run test:filters-differential` runs a larger, randomly seeded batch; FILTER_CASES and FILTER_SEED set
 * the size and seed of any run.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileFilters,
  type FilterableRecord,
  parseJsonKeepingNumbers,
  validateFilterPattern,
} from '../../../lib/core/event-filter.ts';
import { generateCases, jvmNumberDifference, measureAgreement, summarize } from '../../oracle/agreement.ts';
import { askEventRuler, type OracleVerdict } from '../../oracle/event-ruler.ts';
import { lambdaFilterInput } from '../../oracle/filter-cases.ts';
import { CORPUS } from '../../unit/event-filter/corpus.ts';

const CASES = Number(process.env.FILTER_CASES ?? 1500);
const SEED =
  process.env.FILTER_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FILTER_SEED ?? 20261130);

function record(value: Buffer | null): FilterableRecord {
  return {
    topic: 't',
    partition: 0,
    offset: 1,
    timestamp: 0,
    timestampType: 'CREATE_TIME',
    value: value === null ? null : value.toString('base64'),
  };
}

const parsed = new Map<string, unknown[]>();
function patterns(text: string): unknown[] {
  let list = parsed.get(text);
  if (!list) {
    list = [parseJsonKeepingNumbers(text)];
    parsed.set(text, list);
  }
  return list;
}

const stratus = {
  accepts: (pattern: string) => validateFilterPattern(patterns(pattern)[0]).length === 0,
  matches: (pattern: string, value: Buffer | null) =>
    compileFilters(patterns(pattern)).matches(record(value)),
};

describe('filters agree with event-ruler', () => {
  const corpusCases = CORPUS.map(({ pattern, records = [] }) => ({
    pattern,
    events: records.map(([value]) => lambdaFilterInput(pattern, Buffer.from(value))),
  }));
  const generated = generateCases(CASES, SEED);
  let corpusVerdicts: OracleVerdict[];
  let generatedVerdicts: OracleVerdict[];

  // One JVM answers everything: the corpus, then the generated cases.
  beforeAll(async () => {
    const verdicts = await askEventRuler([
      ...corpusCases,
      ...generated.map(({ pattern, values }) => ({
        pattern,
        events: values.map((value) => lambdaFilterInput(pattern, value)),
      })),
    ]);
    corpusVerdicts = verdicts.slice(0, corpusCases.length);
    generatedVerdicts = verdicts.slice(corpusCases.length);
  });

  it('on the regression corpus: every recorded verdict is event-ruler’s', () => {
    const recorded = CORPUS.map(({ name, accepted, records = [] }) => ({
      name,
      accepted,
      delivered: records.map(([, delivered]) => delivered),
    }));
    const engine = CORPUS.map(({ name }, index) => ({
      name,
      accepted: corpusVerdicts[index]!.accepted,
      delivered: corpusVerdicts[index]!.matches,
    }));
    expect(engine).toEqual(recorded);
  });

  it(`on ${CASES} generated patterns (seed ${SEED}), with no unexplained disagreement`, async () => {
    const report = await measureAgreement(stratus, generated, generatedVerdicts);
    const unexplained = report.disagreements.filter((disagreement) => !disagreement.explained);
    console.log(`filters vs event-ruler, seed ${SEED}:\n${summarize(report)}`);
    expect(unexplained.slice(0, 10)).toEqual([]);
    // The generator must keep exercising both halves: refusals and deliveries.
    expect(report.patterns - report.patternVerdictsAgreeing).toBeLessThan(report.patterns * 0.03);
    expect(report.bothAcceptMatches).toBeGreaterThan(report.bothAcceptPairs * 0.1);
    expect(report.bothAcceptPairs).toBeGreaterThan(report.pairs * 0.3);
  });

  it('gives event-ruler’s reason when both refuse a pattern', () => {
    const differing: Array<{ pattern: string; stratus?: string; eventRuler: string }> = [];
    let refusedByBoth = 0;
    generated.forEach(({ pattern }, index) => {
      const verdict = generatedVerdicts[index]!;
      const problems = validateFilterPattern(patterns(pattern)[0]);
      if (verdict.accepted || problems.length === 0) return;
      if (jvmNumberDifference([pattern], verdict.uncomparable).length > 0) return;
      refusedByBoth++;
      const engineReason = (verdict.reason ?? '').split('\n at [Source')[0]!;
      const first = problems[0]!.engineReason;
      // A refusal Stratus words itself (no engine reason) is a failure inside the engine (a null state).
      if (first !== undefined && first !== engineReason)
        differing.push({ pattern, stratus: first, eventRuler: engineReason });
    });
    expect(refusedByBoth).toBeGreaterThan(CASES / 10);
    expect(differing.slice(0, 5)).toEqual([]);
  });
});
