import { describe, expect, it } from 'vitest';
import { formatManifestError } from '../../../lib/manifest/index.ts';
import { loadProject, loadWith } from './fixture.ts';

const withQuality = (rules: string) =>
  loadWith(
    '    schema: schemas/order.schema.json\n  enriched',
    `    schema: schemas/order.schema.json\n${rules}  enriched`,
  );

describe('topic compatibility', () => {
  it('defaults to BACKWARD, or to the platform default in stratus.config.yaml', () => {
    expect(loadProject().spec.tenants[0]!.topics.map((t) => t.compatibility)).toEqual([
      'BACKWARD',
      'BACKWARD',
      'BACKWARD',
    ]);
    const { spec, errors } = loadProject({ config: 'contracts: { compatibility: FULL_TRANSITIVE }\n' });
    expect(errors).toEqual([]);
    expect(spec.tenants[0]!.topics[0]!.compatibility).toBe('FULL_TRANSITIVE');
  });

  it('a topic sets its own mode; an unknown mode is located with a suggestion', () => {
    const ok = loadWith('    retention: 1d\n', '    retention: 1d\n    compatibility: FORWARD\n');
    expect(ok.errors).toEqual([]);
    expect(ok.spec.tenants[0]!.topics[0]!.compatibility).toBe('FORWARD');
    const bad = loadWith('    retention: 1d\n', '    retention: 1d\n    compatibility: BACKWARDS\n');
    expect(bad.errors.map(formatManifestError)).toEqual([
      expect.stringMatching(
        /^tenants\/shop\.yaml:8:20 {2}topics\.orders\.compatibility {2}must be one of .*did you mean "BACKWARD"/,
      ),
    ]);
  });
});

describe('quality rules', () => {
  it('resolves named rules with severities and the line of each expression', () => {
    const { errors, spec } = withQuality(
      '    quality:\n' +
        '      - { name: has-id, expr: \'value.id != ""\' }\n' +
        '      - name: positive\n' +
        '        expr: value.amount > 0.0\n' +
        '        severity: warn\n' +
        '        alarmPercent: 2\n',
    );
    expect(errors).toEqual([]);
    expect(spec.tenants[0]!.topics[0]!.quality).toEqual([
      {
        name: 'has-id',
        expression: 'value.id != ""',
        severity: 'error',
        alarmPercent: undefined,
        source: expect.objectContaining({ line: 10 }),
      },
      {
        name: 'positive',
        expression: 'value.amount > 0.0',
        severity: 'warn',
        alarmPercent: 2,
        source: expect.objectContaining({ line: 12 }),
      },
    ]);
  });

  it('an unknown field and a type error are manifest errors at the rule, type-checked against the schema', () => {
    const { errors } = withQuality(
      '    quality:\n' +
        '      - name: typo\n' +
        '        expr: value.amout > 0.0\n' +
        '      - name: types\n' +
        '        expr: value.amount == "x"\n',
    );
    expect(errors.map(formatManifestError)).toEqual([
      expect.stringMatching(
        /^tenants\/shop\.yaml:11:15 {2}topics\.orders\.quality\.0\.expr {2}rule "typo": .*amout/,
      ),
      expect.stringMatching(
        /^tenants\/shop\.yaml:13:15 {2}topics\.orders\.quality\.1\.expr {2}rule "types": .*double == string/,
      ),
    ]);
  });

  it('names, severities and thresholds are checked', () => {
    const { errors } = withQuality(
      '    quality:\n' +
        '      - { name: Bad_Name, expr: "true" }\n' +
        '      - { name: dup, expr: "true" }\n' +
        '      - { name: dup, expr: "true", severity: fatal, alarmPercent: 0 }\n' +
        '      - { name: noexpr }\n',
    );
    const text = errors.map(formatManifestError).join('\n');
    expect(text).toMatch(/quality\.0\.name {2}"Bad_Name" must be/);
    expect(text).toMatch(/quality\.2\.name {2}rule "dup" is declared twice/);
    expect(text).toMatch(/quality\.2\.severity {2}must be one of error, warn/);
    expect(text).toMatch(/quality\.2\.alarmPercent {2}must be a number above 0/);
    expect(text).toMatch(/quality\.3\.expr {2}is required/);
  });
});

describe('sink expectations and the quality alarm default', () => {
  it('reads freshness and volume', () => {
    const { errors, spec } = loadWith(
      '    partitionBy: [day(createdAt)]\n',
      '    partitionBy: [day(createdAt)]\n    expect: { freshness: 15m, volume: { min: 100, per: 1h } }\n',
    );
    expect(errors).toEqual([]);
    expect(spec.tenants[0]!.sinks[0]!.expectations).toEqual({
      freshnessMs: 900_000,
      volume: { minRows: 100, periodMs: 3_600_000 },
    });
  });

  it('rejects a volume period that is not whole minutes and an unknown field', () => {
    const { errors } = loadWith(
      '    partitionBy: [day(createdAt)]\n',
      '    partitionBy: [day(createdAt)]\n    expect: { fresh: 1m, volume: { min: 1, per: 90s } }\n',
    );
    const text = errors.map(formatManifestError).join('\n');
    expect(text).toMatch(/sinks\.lake\.expect\.fresh {2}unknown field "fresh"/);
    expect(text).toMatch(/sinks\.lake\.expect\.volume\.per {2}must be whole minutes/);
  });

  it('alerts.quality.ratePercent is the default alarm threshold of every rule', () => {
    const { errors, spec } = loadWith(
      '    output: enriched\n',
      '    output: enriched\nalerts:\n  quality: { ratePercent: 5 }\n',
    );
    expect(errors).toEqual([]);
    expect(spec.tenants[0]!.alerts.qualityRatePercent).toBe(5);
  });
});
