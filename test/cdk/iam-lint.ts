/**
 * parliament (PyPI, an offline IAM policy linter that knows every action's resource types and condition keys)
 * on every policy of the synthesized templates. CloudFormation intrinsics are first resolved to sample ARNs of
 * the referenced resource's type, so parliament checks real ARN shapes. The findings Stratus accepts are
 * listed below, each with its reason, the way lib/aws/nag.ts lists cdk-nag's; anything else fails the test.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import type { PythonEnv } from '../../lib/local/python-env.ts';
import { type IntrinsicContext, REPO_ROOT, type Resource, resolveIntrinsics } from './helpers.ts';

export interface IamFinding {
  /** `<stack>/<logical id>[/<inline policy>]`. */
  id: string;
  issue: string;
  title: string;
  severity: string;
  detail: unknown;
}

/** A finding Stratus accepts. */
export interface AcceptedIamFinding {
  readonly issue: string;
  /** Matches the policy id. @default - any policy */
  readonly policy?: RegExp;
  /** Matches the finding's detail, as JSON. @default - any detail */
  readonly detail?: RegExp;
  readonly reason: string;
}

export const ACCEPTED_IAM_FINDINGS: AcceptedIamFinding[] = [
  {
    issue: 'RESOURCE_STAR',
    policy: /\/VpcConnectivityProviderwaiterstatemachineRoleDefaultPolicy/,
    reason: 'Step Functions log delivery (logs:CreateLogDelivery, ...) accepts only Resource "*".',
  },
  {
    issue: 'RESOURCE_STAR',
    policy: /\/AlarmTopicKey[0-9A-F]{8}$/,
    reason: 'A KMS key policy: Resource "*" there means the key the policy belongs to.',
  },
  {
    issue: 'RESOURCE_MISMATCH',
    policy: /\/ClusterPolicy$/,
    detail:
      /^\[\{"action":"kafka:CreateVpcConnection"[^\]]*\},\{"action":"kafka:GetBootstrapBrokers","required_format":"\*"\}\]$/,
    reason:
      "The MSK cluster policy is the cluster's resource policy: its Resource is the cluster itself, as in MSK's documented Firehose cluster policy; parliament reads it as an identity policy.",
  },
  {
    issue: 'RESOURCE_MISMATCH',
    policy: /\/Consumer[A-Za-z0-9]+FunctionServiceRoleDefaultPolicy[0-9A-F]{8}$/,
    detail: /^\[\{"action":"kafka:GetBootstrapBrokers","required_format":"\*"\}\]$/,
    reason:
      'CDK\'s ManagedKafkaEventSource adds kafka:GetBootstrapBrokers on the cluster ARN, which IAM does not match; AWSLambdaMSKExecutionRole, attached by the same event source, grants it on "*".',
  },
];

type Template = { Parameters?: Record<string, { Default?: string }>; Resources: Record<string, Resource> };

const SAMPLE_UUID = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3';

/** A plausible value of `Ref` / `Fn::GetAtt` of one resource, by its type. */
function sample(
  resource: Resource,
  id: string,
  attribute: string | undefined,
  ctx: Required<IntrinsicContext>,
) {
  const { region: r, account: a } = ctx;
  const name = id.toLowerCase().slice(0, 40);
  const arn = attribute === undefined || attribute === 'Arn';
  switch (resource.Type) {
    case 'AWS::Lambda::Function':
      return arn ? `arn:aws:lambda:${r}:${a}:function:${name}` : name;
    case 'AWS::Logs::LogGroup': {
      const logName =
        typeof resource.Properties?.LogGroupName === 'string'
          ? resource.Properties.LogGroupName
          : `/stratus/${name}`;
      return attribute === 'Arn' ? `arn:aws:logs:${r}:${a}:log-group:${logName}:*` : logName;
    }
    case 'AWS::S3::Bucket':
      return attribute === 'Arn' ? `arn:aws:s3:::${name}` : name;
    case 'AWS::DynamoDB::Table':
      return attribute === 'Arn' ? `arn:aws:dynamodb:${r}:${a}:table/${name}` : name;
    case 'AWS::SNS::Topic':
      return `arn:aws:sns:${r}:${a}:${name}`;
    case 'AWS::KMS::Key':
      return attribute === 'Arn'
        ? `arn:aws:kms:${r}:${a}:key/${SAMPLE_UUID.slice(0, 36)}`
        : SAMPLE_UUID.slice(0, 36);
    case 'AWS::IAM::Role':
      return attribute === 'Arn' ? `arn:aws:iam::${a}:role/${name}` : name;
    case 'AWS::StepFunctions::StateMachine':
      return `arn:aws:states:${r}:${a}:stateMachine:${name}`;
    case 'AWS::MSK::Cluster':
    case 'AWS::MSK::ServerlessCluster':
      return `arn:aws:kafka:${r}:${a}:cluster/stratus/${SAMPLE_UUID}`;
    case 'AWS::EC2::SecurityGroup':
      return 'sg-0a1b2c3d4e5f60003';
    case 'AWS::SecretsManager::Secret': {
      const secretName =
        typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : `stratus/${name}`;
      return `arn:aws:secretsmanager:${r}:${a}:secret:${secretName}-AbCdEf`;
    }
    case 'AWS::SSM::Parameter':
      return typeof resource.Properties?.Name === 'string' ? resource.Properties.Name : `/stratus/${name}`;
    case 'AWS::ApiGatewayV2::Api':
      return attribute === 'ApiEndpoint' ? `https://a1b2c3d4e5.execute-api.${r}.amazonaws.com` : 'a1b2c3d4e5';
    default:
      return `${name}-${attribute ?? 'ref'}`;
  }
}

/** Replaces every Ref / Fn::GetAtt of a template resource with a sample value of its type. */
function substituteResources(value: unknown, template: Template, ctx: Required<IntrinsicContext>): unknown {
  const recurse = (v: unknown) => substituteResources(v, template, ctx);
  if (Array.isArray(value)) return value.map(recurse);
  if (!value || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [key, arg] = entries[0]!;
    if (key === 'Ref' && typeof arg === 'string' && template.Resources[arg])
      return sample(template.Resources[arg], arg, undefined, ctx);
    if (key === 'Fn::GetAtt') {
      const [id, attribute] = arg as [string, string];
      if (template.Resources[id]) return sample(template.Resources[id], id, attribute, ctx);
    }
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, recurse(v)]));
}

/** Every IAM policy document of a template: identity policies (inline ones too) and resource policies. */
export function policiesOf(
  stack: string,
  template: Template,
  context: IntrinsicContext,
): Array<{ id: string; document: unknown }> {
  const ctx = { region: 'eu-west-1', account: '123456789012', ...context } as Required<IntrinsicContext>;
  const resolve = (doc: unknown) => resolveIntrinsics(substituteResources(doc, template, ctx), template, ctx);
  const out: Array<{ id: string; document: unknown }> = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const p = resource.Properties ?? {};
    const add = (suffix: string, doc: unknown) => {
      if (doc) out.push({ id: `${stack}/${id}${suffix}`, document: resolve(doc) });
    };
    switch (resource.Type) {
      case 'AWS::IAM::Policy':
      case 'AWS::IAM::ManagedPolicy':
        add('', p.PolicyDocument);
        break;
      case 'AWS::IAM::Role':
        // Trust policies name principals, not resources: outside what parliament checks.
        for (const inline of (p.Policies ?? []) as Array<{ PolicyName: string; PolicyDocument: unknown }>)
          add(`/${inline.PolicyName}`, inline.PolicyDocument);
        break;
      case 'AWS::S3::BucketPolicy':
      case 'AWS::SNS::TopicPolicy':
        add('', p.PolicyDocument);
        break;
      case 'AWS::KMS::Key':
        add('', p.KeyPolicy);
        break;
      case 'AWS::MSK::ClusterPolicy':
        add('', p.Policy);
        break;
    }
  }
  return out;
}

/** Runs parliament on the policies. */
export function lintPolicies(
  python: PythonEnv,
  policies: Array<{ id: string; document: unknown }>,
): IamFinding[] {
  const run = spawnSync(python.python, [path.join(REPO_ROOT, 'test/cdk/parliament_runner.py')], {
    input: JSON.stringify(policies),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0 || run.error) throw new Error(`parliament failed to run: ${run.error ?? run.stderr}`);
  return JSON.parse(run.stdout) as IamFinding[];
}

/** The findings no accepted finding covers. */
export function unacceptedFindings(findings: IamFinding[], accepted = ACCEPTED_IAM_FINDINGS): IamFinding[] {
  return findings.filter(
    (f) =>
      !accepted.some(
        (a) =>
          a.issue === f.issue &&
          (!a.policy || a.policy.test(f.id)) &&
          (!a.detail || a.detail.test(JSON.stringify(f.detail))),
      ),
  );
}
