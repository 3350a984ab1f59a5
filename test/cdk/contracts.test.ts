/**
 * Data contracts on AWS: the tenant's Glue Schema Registry, one checked version per topic schema (a custom
 * resource the functions depend on), IAM scoped to the tenant's own registry, quality-rule and sink
 * expectation alarms, and the rules bundled into the functions that enforce them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TenantStack } from '../../lib/aws/tenant-stack.ts';
import { loadStratusOrThrow } from '../../lib/manifest/index.ts';
import {
  allowStatements,
  appWithoutBundling,
  generatedManifest,
  generatedProject,
  iamGlobMatches,
  REPO_ROOT,
} from './helpers.ts';

const FACTS_SSM = {};

function stackFor(manifest: (name: string) => string, names = ['shop', 'rival']) {
  const root = generatedProject({ tenants: [] });
  for (const name of names) writeFileSync(path.join(root, 'tenants', `${name}.yaml`), manifest(name));
  const spec = loadStratusOrThrow({ rootDir: root });
  const app = appWithoutBundling();
  const stack = new TenantStack(app, `Stratus-Tenant-${names[0]}`, {
    tenant: spec.tenants.find((t) => t.name === names[0])!,
    platform: spec.platform,
  });
  return { stack, template: Template.fromStack(stack), root };
}

const withContracts = (name: string) =>
  generatedManifest(name, 0)
    .replace(
      '  events: { partitions: 3, retention: 1d, schema: schemas/payments/order.schema.json }',
      `  events:
    schema: schemas/payments/order.schema.json
    compatibility: FULL_TRANSITIVE
    quality:
      - { name: positive-amount, expr: "value.amount > 0.0", alarmPercent: 2 }
      - { name: known-currency, expr: 'value.currency in ["EUR", "USD"]', severity: warn }`,
    )
    .replace(
      '    uniqueKeys: [eventId]\n',
      '    uniqueKeys: [eventId]\n    expect: { freshness: 30m, volume: { min: 500, per: 1h } }\n',
    )
    .replace('  dlq: { maxRecords: 5 }\n', '  dlq: { maxRecords: 5 }\n  quality: { ratePercent: 10 }\n');

describe('the tenant schema registry', () => {
  const { template } = stackFor(withContracts);

  it("is one Glue registry per tenant with one checked version per topic schema, in the topic's mode", () => {
    template.resourceCountIs('AWS::Glue::Registry', 1);
    template.hasResourceProperties('AWS::Glue::Registry', { Name: 'stratus-shop' });
    const versions = Object.values(template.findResources('Custom::StratusSchemaVersion')).map(
      (r) => r.Properties,
    );
    expect(versions.map((p) => [p.RegistryName, p.SchemaName, p.Compatibility])).toEqual([
      ['stratus-shop', 'events', 'FULL_TRANSITIVE'],
      ['stratus-shop', 'enriched', 'BACKWARD'],
    ]);
    expect(versions[0]!.SchemaDefinition).toBe(
      readFileSync(path.join(REPO_ROOT, 'schemas/payments/order.schema.json'), 'utf8'),
    );
    // The registry goes with the stack (a retained one would block re-creating it under its fixed name).
    expect(Object.values(template.findResources('AWS::Glue::Registry'))[0]!.DeletionPolicy).toBe('Delete');
  });

  it("the consumer function waits for its topics' versions (an incompatible schema fails before it deploys)", () => {
    const fn = Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) =>
      String(r.Properties?.FunctionName).includes('stratus-shop-enrich'),
    )!;
    const versionIds = Object.keys(template.findResources('Custom::StratusSchemaVersion'));
    expect(fn[1].DependsOn).toEqual(expect.arrayContaining(versionIds));
  });

  it("IAM: the version handler writes and the functions read only the tenant's own registry and schemas", () => {
    const statements = allowStatements(template.toJSON() as never, { ssm: FACTS_SSM }).filter((s) =>
      s.actions.some((a) => a.startsWith('glue:') && /Schema|Registry/.test(a)),
    );
    expect(statements.length).toBeGreaterThanOrEqual(2);
    for (const statement of statements) {
      for (const resource of statement.resources) {
        expect(resource).toMatch(
          /^arn:aws:glue:eu-west-1:123456789012:(registry\/stratus-shop|schema\/stratus-shop\/\*)$/,
        );
        expect(
          iamGlobMatches(resource, 'arn:aws:glue:eu-west-1:123456789012:schema/stratus-rival/events'),
        ).toBe(false);
        expect(
          iamGlobMatches(resource, 'arn:aws:glue:eu-west-1:123456789012:schema/stratus-shop-x/events'),
        ).toBe(false);
      }
    }
    const writers = statements.filter((s) => s.actions.includes('glue:RegisterSchemaVersion'));
    expect(writers).toHaveLength(1);
    const readers = statements.filter((s) => !s.actions.includes('glue:RegisterSchemaVersion'));
    expect(readers.flatMap((s) => s.actions).sort()).toEqual(
      expect.arrayContaining(['glue:GetSchema', 'glue:GetSchemaVersion']),
    );
    expect(readers.flatMap((s) => s.actions)).not.toContain('glue:CreateSchema');
  });

  it('a tenant without schemas has no registry and no handler', () => {
    const plain = (name: string) =>
      `tenant: ${name}\nowners: [a@example.com]\ncostCenter: cc-1\ntopics:\n  events: { partitions: 1 }\n`;
    const { template: bare } = stackFor(plain, ['bare']);
    bare.resourceCountIs('AWS::Glue::Registry', 0);
    bare.resourceCountIs('Custom::StratusSchemaVersion', 0);
  });
});

describe('contract alarms and widgets', () => {
  const { template } = stackFor(withContracts);
  const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((r) => r.Properties!);
  const named = (suffix: string) => alarms.find((a) => String(a.AlarmName).endsWith(suffix));

  it("alarms on each rule's failure rate at its alarmPercent, else alerts.quality.ratePercent", () => {
    const positive = named('enrich-input-positive-amount-quality')!;
    const currency = named('enrich-input-known-currency-quality')!;
    expect([positive.Threshold, currency.Threshold]).toEqual([2, 10]);
    const metrics = positive.Metrics as Array<{
      Id: string;
      MetricStat?: {
        Metric: { Namespace: string; MetricName: string; Dimensions: Array<{ Name: string; Value: string }> };
      };
    }>;
    const failed = metrics.find((m) => m.MetricStat?.Metric.MetricName === 'QualityRuleFailed')!.MetricStat!
      .Metric;
    expect(failed).toMatchObject({ Namespace: 'Stratus', MetricName: 'QualityRuleFailed' });
    expect(Object.fromEntries(failed.Dimensions.map((d) => [d.Name, d.Value]))).toEqual({
      service: 'shop',
      tenant: 'shop',
      consumer: 'enrich',
      rule: 'positive-amount',
      stage: 'input',
    });
    expect(positive.TreatMissingData).toBe('notBreaching');
  });

  it('alarms on sink freshness and volume from Firehose delivered rows, missing data breaching', () => {
    // Alarm names are unique in an account: the expectations never take the stream's own freshness alarm's name.
    expect(new Set(alarms.map((a) => a.AlarmName)).size).toBe(alarms.length);
    const freshness = named('lake-expect-freshness')!;
    expect(freshness).toMatchObject({
      MetricName: 'DeliveryToIceberg.SuccessfulRowCount',
      Period: 1800,
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
    });
    expect(named('lake-expect-volume')).toMatchObject({
      Period: 3600,
      Threshold: 500,
      ComparisonOperator: 'LessThanThreshold',
    });
  });

  it('adds the rule and sink widgets to the tenant dashboard', () => {
    const body = JSON.stringify(
      Object.values(template.findResources('AWS::CloudWatch::Dashboard'))[0]!.Properties!.DashboardBody,
    );
    expect(body).toContain('Quality rules: % of records failing');
    expect(body).toContain('Sinks: rows delivered (freshness, volume)');
  });

  it('bundles the rules into the consumer function and points the SDK at them', () => {
    const fn = Object.values(template.findResources('AWS::Lambda::Function')).find((r) =>
      String(r.Properties?.FunctionName).includes('stratus-shop-enrich'),
    )!;
    expect(
      (fn.Properties!.Environment as { Variables: Record<string, string> }).Variables
        .STRATUS_QUALITY_RULES_FILE,
    ).toBe('stratus-quality-rules.json');
  });
});
