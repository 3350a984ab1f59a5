/**
 * Tenant isolation, read back from the synthesized templates: with several tenants side by side — including
 * "pay", "pay-ments" and "payments", whose names are prefixes of each other — no IAM statement of one tenant
 * allows any action on a topic, consumer group, idempotency record, S3 prefix or Glue table of another.
 * ARNs are resolved from the templates with the platform's SSM parameters given concrete values.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { consumerFunctionName } from '../../lib/core/naming.ts';
import type { TenantSpec } from '../../lib/manifest/spec.ts';
import {
  allowStatements,
  iamGlobMatches,
  lookAlikeTenantStacks,
  platformParameterValues,
} from './helpers.ts';

const ACCOUNT = '123456789012';
const CLUSTER_ARN = `arn:aws:kafka:eu-west-1:${ACCOUNT}:cluster/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3`;
const TOPIC = `arn:aws:kafka:eu-west-1:${ACCOUNT}:topic/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3`;
const GROUP = `arn:aws:kafka:eu-west-1:${ACCOUNT}:group/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3`;
const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/stratus-idempotency`;
const BUCKET = 'arn:aws:s3:::stratus-lake';
const SSM = platformParameterValues(CLUSTER_ARN, ACCOUNT);

/** Something of one tenant an IAM statement could reach: an ARN, plus the condition key it is checked with. */
interface Target {
  what: string;
  /** IAM service prefix of the actions that reach it. */
  service: 'kafka-cluster' | 'dynamodb' | 's3' | 'glue';
  arn: string;
  /** Exists today and is granted to its tenant (false for what the tenant could add later). */
  granted: boolean;
  /** dynamodb:LeadingKeys or s3:prefix value the request would carry. */
  conditionKey?: { name: string; value: string };
}

/** Everything tenant B owns, or could own later (a new topic, group, consumer, table). */
function targetsOf(tenant: TenantSpec, mode: 'provisioned' | 'serverless' = 'provisioned'): Target[] {
  const n = tenant.name;
  const hasSinks = tenant.sinks.length > 0;
  const topics = tenant.topics.map((t) => [t.name, true] as const);
  const groups = tenant.consumers.map((c) => [c.groupId, true] as const);
  const functions = tenant.consumers.map((c) => [consumerFunctionName(n, c.key), !!c.idempotency] as const);
  const tables = tenant.sinks.filter((s) => s.format !== 'json').map((s) => [s.table, true] as const);
  const key = (name: string, value: string) => ({ name, value });
  return [
    ...[...topics, [`${n}.some-future-topic`, mode === 'serverless'] as const].map(
      ([t, granted]): Target => ({
        what: `topic ${t}`,
        service: 'kafka-cluster',
        granted,
        arn: `${TOPIC}/${t}`,
      }),
    ),
    ...[...groups, [`${n}.some-future-consumer`, false] as const].map(
      ([g, granted]): Target => ({
        what: `group ${g}`,
        service: 'kafka-cluster',
        granted,
        arn: `${GROUP}/${g}`,
      }),
    ),
    ...[...functions, [consumerFunctionName(n, 'x'), false] as const].flatMap(([f, granted]): Target[] => [
      {
        what: `idempotency key of ${f}`,
        service: 'dynamodb',
        granted,
        arn: TABLE,
        conditionKey: key('dynamodb:LeadingKeys', `${f}#0af3`),
      },
      {
        what: `idempotency key of ${f}.fn`,
        service: 'dynamodb',
        granted,
        arn: TABLE,
        conditionKey: key('dynamodb:LeadingKeys', `${f}.fn#0af3`),
      },
    ]),
    {
      what: `objects under ${n}/`,
      service: 's3',
      granted: hasSinks,
      arn: `${BUCKET}/${n}/part-0000.parquet`,
    },
    {
      what: `listing of ${n}/`,
      service: 's3',
      granted: hasSinks,
      arn: BUCKET,
      conditionKey: key('s3:prefix', `${n}/`),
    },
    {
      what: `database ${tenant.glueDatabase}`,
      service: 'glue',
      granted: tables.length > 0,
      arn: `arn:aws:glue:eu-west-1:${ACCOUNT}:database/${tenant.glueDatabase}`,
    },
    ...[...tables, ['some_future_table', false] as const].map(
      ([t, granted]): Target => ({
        what: `table ${tenant.glueDatabase}.${t}`,
        service: 'glue',
        granted,
        arn: `arn:aws:glue:eu-west-1:${ACCOUNT}:table/${tenant.glueDatabase}/${t}`,
      }),
    ),
  ];
}

type Statement = ReturnType<typeof allowStatements>[number];

/**
 * Read-only actions that AWS documents for Firehose's role on resources that cannot be narrowed to a tenant,
 * acknowledged one by one like cdk-nag's findings. They reveal metadata, never records, and the role can only
 * be assumed by Firehose in this account. Any other action on another tenant's resource is a leak.
 * https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
 */
const SHARED_READ_ONLY: Record<string, string> = {
  'kafka-cluster:DescribeGroup':
    "Firehose's MSK-source role describes group/<cluster>/<uuid>/*; the name of its own consumer group is not documented",
  's3:GetBucketLocation': 'the bucket region; s3:prefix is a condition key of ListBucket only',
  's3:ListBucketMultipartUploads': 'in-progress upload keys of the shared bucket, no object data',
};

function allows(statement: Statement, target: Target): boolean {
  const actions = statement.actions.filter((action) => !(action in SHARED_READ_ONLY));
  if (!actions.some((action) => action === '*' || action.startsWith(`${target.service}:`))) return false;
  if (!statement.resources.some((pattern) => iamGlobMatches(pattern, target.arn))) return false;
  if (!target.conditionKey) return true;
  // A statement without a condition on that key allows every value of it.
  const values = Object.values(statement.conditions).flatMap(
    (block) => block[target.conditionKey!.name] ?? [],
  );
  if (values.length === 0) return true;
  return values.some((pattern) => iamGlobMatches(pattern, target.conditionKey!.value));
}

function synthesize(mode: 'provisioned' | 'serverless') {
  const tenants = lookAlikeTenantStacks(mode);
  return tenants.map((stack) => ({
    tenant: stack.tenant,
    statements: allowStatements(Template.fromStack(stack).toJSON() as never, { ssm: SSM, account: ACCOUNT }),
  }));
}

describe.each(['provisioned', 'serverless'] as const)('tenant isolation on MSK %s', (mode) => {
  const stacks = synthesize(mode);

  it('synthesizes the prefix-sharing tenants side by side', () => {
    expect(stacks.map((s) => s.tenant.name).sort()).toEqual([
      'clickstream',
      'pay',
      'pay-ments',
      'payment',
      'payments',
    ]);
  });

  it('lets each tenant reach its own topics, groups, keys and prefix (so the check below can fail)', () => {
    for (const { tenant, statements } of stacks) {
      // On Serverless the topic provider manages `<tenant>.*`, so future topics of the tenant are in reach too.
      const reachable = targetsOf(tenant, mode).filter((target) => statements.some((s) => allows(s, target)));
      const granted = targetsOf(tenant, mode).filter((target) => target.granted);
      expect(reachable.map((t) => t.what).sort(), tenant.name).toEqual(granted.map((t) => t.what).sort());
    }
  });

  it("never lets a tenant's statements reach another tenant's resources", () => {
    const leaks: string[] = [];
    for (const a of stacks) {
      for (const b of stacks) {
        if (a === b) continue;
        for (const target of targetsOf(b.tenant))
          for (const statement of a.statements)
            if (allows(statement, target))
              leaks.push(
                `${a.tenant.name} → ${target.what} via ${statement.actions.join(',')} on ${statement.resources.join(',')}`,
              );
      }
    }
    expect(leaks).toEqual([]);
  });
});
