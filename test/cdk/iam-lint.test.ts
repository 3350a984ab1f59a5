/**
 * parliament on every IAM policy of every synthesized template (example app on MSK Provisioned, generated
 * tenants on MSK Serverless), intrinsics resolved to sample ARNs first: zero findings that are not fixed or
 * acknowledged with a reason in test/cdk/iam-lint.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { addStratusStacks } from '../../lib/aws/app.ts';
import { PLATFORM_PARAMETERS } from '../../lib/aws/platform-parameters.ts';
import { ensurePythonEnv, type PythonEnv } from '../../lib/local/python-env.ts';
import { loadStratusOrThrow } from '../../lib/manifest/load.ts';
import type { StratusSpec } from '../../lib/manifest/spec.ts';
import { appWithoutBundling, exampleSpec, generatedProject } from './helpers.ts';
import {
  ACCEPTED_IAM_FINDINGS,
  type IamFinding,
  lintPolicies,
  policiesOf,
  unacceptedFindings,
} from './iam-lint.ts';

const SSM = {
  [PLATFORM_PARAMETERS.clusterArn]:
    'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3',
  [PLATFORM_PARAMETERS.idempotencyTableName]: 'stratus-idempotency',
  [PLATFORM_PARAMETERS.lakehouseBucketName]: 'stratus-lake',
  [PLATFORM_PARAMETERS.bootstrapBrokers]: 'b-1:9098',
  [PLATFORM_PARAMETERS.alarmTopicArn]: 'arn:aws:sns:eu-west-1:123456789012:alarms',
  [PLATFORM_PARAMETERS.clientSecurityGroupId]: 'sg-0a1b2c3d4e5f60003',
  [PLATFORM_PARAMETERS.subnetIds]: ['subnet-0a1b2c3d4e5f60001'],
};

let python: PythonEnv;
let policies: Array<{ id: string; document: unknown }>;
let findings: IamFinding[];

function templatePolicies(spec: StratusSpec, mode: string) {
  const app = appWithoutBundling();
  addStratusStacks(app, spec, { nag: false });
  const dir = app.synth().directory;
  return readdirSync(dir)
    .filter((file) => file.endsWith('.template.json'))
    .flatMap((file) =>
      policiesOf(
        `${mode}:${file.replace('.template.json', '')}`,
        JSON.parse(readFileSync(path.join(dir, file), 'utf8')),
        { ssm: SSM },
      ),
    );
}

beforeAll(async () => {
  python = await ensurePythonEnv();
  const serverless = generatedProject({
    tenants: ['orders'],
    shapes: ['shapes'],
    withExamples: true,
    config: 'cluster:\n  mode: serverless\n',
  });
  policies = [
    ...templatePolicies(exampleSpec(), 'provisioned'),
    ...templatePolicies(loadStratusOrThrow({ rootDir: serverless }), 'serverless'),
  ];
  // One parliament run for every policy: its start-up dominates.
  findings = lintPolicies(python, policies);
}, 600_000);

describe('IAM policies, linted by parliament', () => {
  it('reads the policies of every stack, with intrinsics resolved to ARNs', () => {
    expect(policies.length).toBeGreaterThan(20);
    const text = JSON.stringify(policies);
    expect(text).not.toMatch(/Fn::|"Ref"|<Ref:|<GetAtt:/);
    expect(text).toContain(
      'arn:aws:kafka:eu-west-1:123456789012:topic/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3/payments.orders',
    );
  });

  it('repeats no Sid within a policy, as IAM requires (a tenant with two Iceberg sinks did)', () => {
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_sid.html
    const repeated = policies.flatMap(({ id, document }) => {
      const statements = [(document as { Statement: unknown }).Statement].flat() as Array<{ Sid?: string }>;
      const sids = statements.flatMap((statement) => (statement.Sid === undefined ? [] : [statement.Sid]));
      return sids.filter((sid, index) => sids.indexOf(sid) !== index).map((sid) => `${id}: ${sid}`);
    });
    expect(policies.some(({ id }) => id.includes('Stratus-Tenant-shapes'))).toBe(true);
    expect(repeated).toEqual([]);
  });

  it('finds nothing that is not fixed or acknowledged with a reason', () => {
    expect(
      unacceptedFindings(findings).map((f) => `${f.id} ${f.issue}: ${JSON.stringify(f.detail)}`),
    ).toEqual([]);
  });

  it('acknowledges only findings that still occur', () => {
    const stale = ACCEPTED_IAM_FINDINGS.filter(
      (a) => unacceptedFindings(findings, [a]).length === findings.length,
    );
    expect(stale.map((a) => a.reason)).toEqual([]);
  });

  it('flags s3:prefix on s3:GetBucketLocation, the condition that denied it to Firehose (so it can fail)', () => {
    const bucket = 'arn:aws:s3:::stratus-lake';
    const broken = lintPolicies(python, [
      {
        id: 'regression',
        document: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['s3:ListBucket', 's3:ListBucketMultipartUploads', 's3:GetBucketLocation'],
              Resource: bucket,
              Condition: { StringLike: { 's3:prefix': ['payments/*', 'payments/'] } },
            },
            {
              Effect: 'Allow',
              Action: 'kafka:GetBootstrapBrokers',
              Resource: SSM[PLATFORM_PARAMETERS.clusterArn],
            },
          ],
        },
      },
    ]);
    const issues = unacceptedFindings(broken).map((f) => `${f.issue} ${JSON.stringify(f.detail)}`);
    expect(issues).toEqual([
      expect.stringMatching(
        /UNKNOWN_CONDITION_FOR_ACTION .*s3:prefix for action s3:ListBucketMultipartUploads/,
      ),
      expect.stringMatching(/UNKNOWN_CONDITION_FOR_ACTION .*s3:prefix for action s3:GetBucketLocation/),
      expect.stringMatching(/RESOURCE_MISMATCH .*kafka:GetBootstrapBrokers/),
    ]);
  });
});
