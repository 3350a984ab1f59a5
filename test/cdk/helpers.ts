/**
 * Shared fixtures of the CDK tests and the synth benchmark: the example manifests, generated tenant projects,
 * and a small evaluator of the CloudFormation intrinsics Stratus templates use (to read ARNs back out).
 */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { addStratusStacks } from '../../lib/aws/app.ts';
import { PLATFORM_PARAMETERS } from '../../lib/aws/platform-parameters.ts';
import { loadStratusOrThrow } from '../../lib/manifest/load.ts';
import type { StratusSpec, TenantSpec } from '../../lib/manifest/spec.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The repository's own manifests (tenants/*.yaml, stratus.config.yaml). */
export function exampleSpec(): StratusSpec {
  return loadStratusOrThrow({ rootDir: REPO_ROOT });
}

export function exampleTenant(name: 'payments' | 'clickstream'): TenantSpec {
  const tenant = exampleSpec().tenants.find((t) => t.name === name);
  if (!tenant) throw new Error(`example tenant ${name} is missing`);
  return tenant;
}

/** The context of cdk.json (its feature flags), which `cdk synth` gives the app. */
export function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(REPO_ROOT, 'cdk.json'), 'utf8')).context ?? {};
}

/**
 * An app for tests about templates, with the feature flags of cdk.json (so the tests see what `cdk synth`
 * deploys): no asset bundling (esbuild), and no built-in CloudFormation validation at synth (about 20 s per
 * process on a busy machine; cfn-lint checks the templates in cfn-lint.test.ts).
 */
export function appWithoutBundling(outdir?: string): App {
  return new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [] },
  });
}

/**
 * A generated tenant manifest: two topics, a processor with idempotency, an Iceberg sink, declared producers
 * (a created role and an existing one; the trust and the ingest auth vary with `index`), an ingest endpoint and
 * alerts.
 */
export function generatedManifest(name: string, index: number): string {
  const trust = ['ecs-task', 'lambda', 'eks-pod', "'210987654321'"][index % 4];
  return `tenant: ${name}
owners: [${name}-oncall@example.com]
costCenter: cc-${1000 + index}
topics:
  events: { partitions: 3, retention: 1d, schema: schemas/payments/order.schema.json }
  enriched: { partitions: 3, retention: 1d, schema: schemas/payments/order-enriched.schema.json }
consumers:
  enrich:
    topic: events
    handler: functions/payments/enrich-orders.ts
    output: enriched
    batchSize: 200
    idempotency: { key: value.eventId, ttl: 1h }
sinks:
  lake:
    topic: enriched
    format: iceberg
    partitionBy: [day(createdAt)]
    uniqueKeys: [eventId]
producers:
  feeder: { topics: [events], principal: create, trust: ${trust} }
  legacy: { topics: [events, enriched], principal: 'arn:aws:iam::123456789012:role/services/${name}-legacy' }
ingest:
  topics: [{ topic: events, key: eventId }]
  auth: ${index % 2 === 0 ? 'iam' : 'apiKey'}
alerts:
  lag: { maxSeconds: 300, maxRecords: 1000 }
  errors: { ratePercent: 1 }
  dlq: { maxRecords: 5 }
  silence: 1h
`;
}

/**
 * A tenant of shapes the examples do not have: a processor chain (one handler file behind two consumers), a plain
 * consumer at its end, a one-partition topic, and four sinks — two Iceberg tables, JSON and Parquet objects, two
 * of them on one topic. (Its two Iceberg sinks found a repeated IAM Sid in the Firehose role's policy.)
 */
export function shapesManifest(name: string): string {
  return `tenant: ${name}
owners: [${name}-oncall@example.com]
costCenter: cc-0077
topics:
  raw: { partitions: 1, retention: 1d, schema: schemas/payments/order.schema.json }
  enriched: { partitions: 2, retention: 1d, schema: schemas/payments/order-enriched.schema.json }
  relayed: { partitions: 2, retention: 1d, schema: schemas/payments/order-enriched.schema.json }
consumers:
  enrich: { topic: raw, handler: functions/payments/enrich-orders.ts, output: enriched, batchSize: 10 }
  relay: { topic: enriched, handler: functions/payments/enrich-orders.ts, output: relayed }
  watch: { topic: relayed, handler: functions/clickstream/sessionize.ts, onFailure: none }
sinks:
  enriched-lake: { topic: enriched, format: iceberg, partitionBy: [day(createdAt)] }
  relayed-lake: { topic: relayed, format: iceberg, uniqueKeys: [eventId] }
  raw-json: { topic: raw, format: json }
  relayed-parquet: { topic: relayed, format: parquet, buffer: { size: 64MiB, interval: 60s } }
`;
}

export interface GeneratedProjectOptions {
  /** Names of generated tenants. */
  tenants: string[];
  /** Names of tenants of odd shapes (`shapesManifest`). @default none */
  shapes?: string[];
  /** Also copy the example manifests (payments, clickstream). @default false */
  withExamples?: boolean;
  /** Extra stratus.config.yaml lines appended to the repository's config. @default none */
  config?: string;
}

/**
 * A project root in a temporary directory: the repository's config, functions and schemas (symlinked, so
 * handler and schema paths resolve as in the repo) and generated manifests. Returns the root.
 */
export function generatedProject(options: GeneratedProjectOptions): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-cdk-'));
  mkdirSync(path.join(root, 'tenants'));
  for (const dir of ['functions', 'schemas', 'lib', 'node_modules'])
    symlinkSync(path.join(REPO_ROOT, dir), path.join(root, dir));
  copyFileSync(path.join(REPO_ROOT, 'package-lock.json'), path.join(root, 'package-lock.json'));
  copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  copyFileSync(path.join(REPO_ROOT, 'tsconfig.json'), path.join(root, 'tsconfig.json'));
  writeFileSync(
    path.join(root, 'stratus.config.yaml'),
    `region: eu-west-1\ntenantsDir: tenants\n${options.config ?? ''}`,
  );
  if (options.withExamples)
    for (const file of ['payments.yaml', 'clickstream.yaml'])
      copyFileSync(path.join(REPO_ROOT, 'tenants', file), path.join(root, 'tenants', file));
  for (const [index, name] of options.tenants.entries())
    writeFileSync(path.join(root, 'tenants', `${name}.yaml`), generatedManifest(name, index));
  for (const name of options.shapes ?? [])
    writeFileSync(path.join(root, 'tenants', `${name}.yaml`), shapesManifest(name));
  return root;
}

/** Values for the Ref targets of a template: parameters by their SSM name, pseudo parameters. */
export interface IntrinsicContext {
  /** SSM parameter name → value (tenant stacks read platform facts through SSM-typed parameters). */
  ssm: Record<string, string | string[]>;
  region?: string;
  account?: string;
}

type Template = { Parameters?: Record<string, { Default?: string }>; Resources: Record<string, Resource> };
export type Resource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

/**
 * Evaluates Ref (parameters, pseudo parameters), Fn::Join, Fn::Split and Fn::Select; references to resources
 * become `<Ref:Id>` / `<GetAtt:Id.Attr>` placeholders, which never match a real ARN pattern.
 */
export function resolveIntrinsics(value: unknown, template: Template, context: IntrinsicContext): unknown {
  const recurse = (v: unknown): unknown => resolveIntrinsics(v, template, context);
  if (Array.isArray(value)) return value.map(recurse);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    switch (key) {
      case 'Ref': {
        const name = arg as string;
        if (name === 'AWS::Partition') return 'aws';
        if (name === 'AWS::Region') return context.region ?? 'eu-west-1';
        if (name === 'AWS::AccountId') return context.account ?? '123456789012';
        if (name === 'AWS::URLSuffix') return 'amazonaws.com';
        const parameter = template.Parameters?.[name];
        if (parameter?.Default && parameter.Default in context.ssm) return context.ssm[parameter.Default];
        return `<Ref:${name}>`;
      }
      case 'Fn::GetAtt':
        return `<GetAtt:${(arg as string[]).join('.')}>`;
      case 'Fn::Join': {
        const [separator, list] = arg as [string, unknown[]];
        return (recurse(list) as unknown[]).map(String).join(separator);
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(recurse(source)).split(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [number | string, unknown];
        return (recurse(list) as unknown[])[Number(index)];
      }
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, recurse(v)]));
}

/** IAM's wildcard matching (`*` any run of characters, `?` one character), case-sensitive as for ARNs. */
export function iamGlobMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/** Every Allow statement of every AWS::IAM::Policy in a template, intrinsics resolved. */
export function allowStatements(
  template: Template,
  context: IntrinsicContext,
): Array<{
  policy: string;
  actions: string[];
  resources: string[];
  conditions: Record<string, Record<string, string[]>>;
}> {
  const out = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::IAM::Policy') continue;
    const document = resolveIntrinsics(resource.Properties?.PolicyDocument, template, context) as {
      Statement: Array<Record<string, unknown>>;
    };
    for (const statement of document.Statement) {
      if (statement.Effect !== 'Allow') continue;
      const list = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
      const conditions: Record<string, Record<string, string[]>> = {};
      for (const [operator, block] of Object.entries(
        (statement.Condition ?? {}) as Record<string, Record<string, unknown>>,
      ))
        conditions[operator] = Object.fromEntries(Object.entries(block).map(([k, v]) => [k, list(v)]));
      out.push({
        policy: id,
        actions: list(statement.Action),
        resources: list(statement.Resource),
        conditions,
      });
    }
  }
  return out;
}

/** Concrete values of the platform's SSM parameters, for resolving tenant templates' ARNs in IAM checks. */
export function platformParameterValues(
  clusterArn: string,
  account: string,
): Record<string, string | string[]> {
  return {
    [PLATFORM_PARAMETERS.clusterArn]: clusterArn,
    [PLATFORM_PARAMETERS.idempotencyTableName]: 'stratus-idempotency',
    [PLATFORM_PARAMETERS.lakehouseBucketName]: 'stratus-lake',
    [PLATFORM_PARAMETERS.bootstrapBrokers]: 'b-1:9098',
    [PLATFORM_PARAMETERS.alarmTopicArn]: `arn:aws:sns:eu-west-1:${account}:alarms`,
    [PLATFORM_PARAMETERS.clientSecurityGroupId]: 'sg-0a1b2c3d4e5f60003',
    [PLATFORM_PARAMETERS.subnetIds]: ['subnet-0a1b2c3d4e5f60001'],
  };
}

/**
 * Tenant stacks of the examples plus three tenants whose names are prefixes of one another (`pay`, `pay-ments`,
 * `payment`), the shape where a loose ARN pattern would let one tenant into another's resources.
 */
export function lookAlikeTenantStacks(mode: 'provisioned' | 'serverless') {
  const root = generatedProject({
    tenants: ['pay', 'pay-ments', 'payment'],
    withExamples: true,
    config: mode === 'serverless' ? 'cluster:\n  mode: serverless\n' : '',
  });
  return addStratusStacks(appWithoutBundling(), loadStratusOrThrow({ rootDir: root }), { nag: false })
    .tenants;
}
