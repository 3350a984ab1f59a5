/**
 * The data-contract fields of a manifest: a topic's `compatibility` and `quality` rules (compiled and
 * type-checked against the topic's schema here, so a rule with an unknown field or a type error is a located
 * manifest error), and a sink's `expect` (freshness and volume).
 */
import { COMPATIBILITY_MODES, type CompatibilityMode } from '../contracts/compatibility.ts';
import { checkQualityRules, type RuleSeverity } from '../contracts/quality-rules.ts';
import type { SchemaDocument } from '../contracts/schema-document.ts';
import type { FieldReader } from './fields.ts';
import type { QualityRuleSpec, SinkExpectationsSpec, SourceRef } from './spec.ts';
import type { FieldPath } from './yaml-source.ts';

const RULE_NAME = /^[a-z][a-z0-9-]{0,63}$/;
const RULE_FIELDS = ['name', 'expr', 'severity', 'alarmPercent'];
const DAY_MS = 86_400_000;

export function readCompatibility(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  fallback: CompatibilityMode,
): CompatibilityMode {
  return read.oneOf(path, value, COMPATIBILITY_MODES, fallback);
}

/** `topics.<t>.quality`: a list of `{ name, expr, severity?, alarmPercent? }`. */
export function readQualityRules(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  schema: SchemaDocument | undefined,
  ref: (path: FieldPath) => SourceRef,
): QualityRuleSpec[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    read.fail(path, 'must be a list of rules: - { name, expr, severity }');
    return [];
  }
  const rules: QualityRuleSpec[] = [];
  const names = new Set<string>();
  value.forEach((item, index) => {
    const at = [...path, index];
    const mapping = read.mapping(at, item);
    if (!mapping) return;
    read.onlyKeys(at, mapping, RULE_FIELDS);
    const name = read.string([...at, 'name'], mapping.name, {
      pattern: RULE_NAME,
      hint: 'must be 1–64 characters: a lower-case letter, then lower-case letters, digits or "-"',
    });
    if (name && names.has(name))
      read.fail([...at, 'name'], `rule "${name}" is declared twice for this topic`);
    if (name) names.add(name);
    const expression = read.string([...at, 'expr'], mapping.expr);
    const severity = read.oneOf<RuleSeverity>(
      [...at, 'severity'],
      mapping.severity,
      ['error', 'warn'],
      'error',
    );
    const alarmPercent = percent(read, [...at, 'alarmPercent'], mapping.alarmPercent);
    if (name && expression)
      rules.push({ name, expression, severity, alarmPercent, source: ref([...at, 'expr']) });
  });
  // Rules are type-checked against the topic's schema: an unknown field or a type error is located at its expr.
  for (const problem of checkQualityRules(rules, schema)) {
    const rule = rules[problem.index]!;
    const index = value.findIndex((item) => (item as { name?: unknown } | null)?.name === rule.name);
    read.fail([...path, index, 'expr'], `rule "${rule.name}": ${problem.message}`);
  }
  return rules;
}

/** A percentage above 0 and at most 100, or undefined. */
export function percent(read: FieldReader, path: FieldPath, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || value <= 0 || value > 100) {
    read.fail(path, `must be a number above 0 and at most 100, got ${JSON.stringify(value)}`);
    return undefined;
  }
  return value;
}

/** `sinks.<s>.expect`: `{ freshness: 30m, volume: { min: 100, per: 1h } }`. */
export function readSinkExpectations(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
): SinkExpectationsSpec {
  const mapping = read.mapping(path, value, { optional: true });
  if (!mapping) return {};
  read.onlyKeys(path, mapping, ['freshness', 'volume']);
  const expectations: SinkExpectationsSpec = {};
  if (mapping.freshness !== undefined)
    expectations.freshnessMs = read.duration([...path, 'freshness'], mapping.freshness, {
      min: 60_000,
      max: 7 * DAY_MS,
      fallback: 60 * 60_000,
      label: '1m and 7d',
    });
  const volume = read.mapping([...path, 'volume'], mapping.volume, { optional: true });
  if (volume) {
    read.onlyKeys([...path, 'volume'], volume, ['min', 'per']);
    const minRows = read.integer([...path, 'volume', 'min'], volume.min, {
      min: 1,
      max: Number.MAX_SAFE_INTEGER,
    });
    // CloudWatch alarm periods: whole minutes from 1 minute; one day is the longest useful window here.
    const periodMs = read.duration([...path, 'volume', 'per'], volume.per, {
      min: 60_000,
      max: DAY_MS,
      fallback: 60 * 60_000,
      label: '1m and 1d',
    });
    if (periodMs % 60_000 !== 0)
      read.fail(
        [...path, 'volume', 'per'],
        `must be whole minutes (a CloudWatch alarm period), got "${volume.per}"`,
      );
    if (minRows !== undefined) expectations.volume = { minRows, periodMs };
  }
  return expectations;
}
