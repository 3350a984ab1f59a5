/**
 * The HTTP ingest endpoint on AWS (lib/aws/ingest-endpoint.ts) and the silence alarms, read from the example
 * tenants' templates: payments (auth: iam, default throttling) and clickstream (auth: apiKey, throttle 200/400).
 */
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addStratusStacks } from '../../lib/aws/app.ts';
import { PLATFORM_PARAMETERS } from '../../lib/aws/platform-parameters.ts';
import { ingestFunctionName, ingestPath } from '../../lib/core/naming.ts';
import { allowStatements, appWithoutBundling, exampleSpec } from './helpers.ts';

const CLUSTER_ARN =
  'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3';
const TOPIC = 'arn:aws:kafka:eu-west-1:123456789012:topic/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3';
const SSM = { [PLATFORM_PARAMETERS.clusterArn]: CLUSTER_ARN };

type Resources = Record<string, { Type: string; Properties: Record<string, unknown> }>;
const templates = new Map<string, Template>();

beforeAll(() => {
  const { tenants } = addStratusStacks(appWithoutBundling(), exampleSpec(), { nag: false });
  for (const stack of tenants) templates.set(stack.tenant.name, Template.fromStack(stack));
}, 120_000);

const resources = (tenant: string, type: string) =>
  Object.entries(templates.get(tenant)!.toJSON().Resources as Resources).filter(([, r]) => r.Type === type);

/** The Allow statements of the policies attached to the ingest function's role. */
function ingestFunctionStatements(tenant: string) {
  const all = templates.get(tenant)!.toJSON();
  const functions = resources(tenant, 'AWS::Lambda::Function').filter(
    ([, r]) => r.Properties.FunctionName === ingestFunctionName(tenant),
  );
  expect(functions.length).toBe(1);
  const roleId = (functions[0]![1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = new Set(
    resources(tenant, 'AWS::IAM::Policy')
      .filter(([, p]) => JSON.stringify(p.Properties.Roles).includes(`"${roleId}"`))
      .map(([id]) => id),
  );
  return allowStatements(all as never, { ssm: SSM }).filter((s) => policies.has(s.policy));
}

describe('HTTP ingest endpoint', () => {
  it('routes POST /ingest/<tenant>/{topic} to the ingest function with payload 2.0', () => {
    for (const tenant of ['payments', 'clickstream']) {
      const template = templates.get(tenant)!;
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: `POST ${ingestPath(tenant, '{topic}')}`,
      });
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
      });
      expect(resources(tenant, 'AWS::ApiGatewayV2::Route').length).toBe(1);
    }
  });

  it('signs with IAM for auth: iam, and checks a Secrets Manager key with a Lambda authorizer for apiKey', () => {
    templates
      .get('payments')!
      .hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'AWS_IAM' });
    expect(resources('payments', 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    expect(resources('payments', 'AWS::SecretsManager::Secret')).toEqual([]);

    const clickstream = templates.get('clickstream')!;
    clickstream.hasResourceProperties('AWS::ApiGatewayV2::Route', { AuthorizationType: 'CUSTOM' });
    clickstream.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.Authorization'],
    });
    clickstream.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'stratus/clickstream/ingest-api-key',
    });
  });

  it('throttles per tenant at the stage and access-logs every request as JSON', () => {
    const stage = (tenant: string) => resources(tenant, 'AWS::ApiGatewayV2::Stage')[0]![1].Properties;
    expect(stage('clickstream').DefaultRouteSettings).toEqual({
      ThrottlingRateLimit: 200,
      ThrottlingBurstLimit: 400,
    });
    const payments = stage('payments');
    expect(payments.StageName).toBe('$default');
    expect(payments.AutoDeploy).toBe(true);
    const logs = payments.AccessLogSettings as { Format: string; DestinationArn: unknown };
    expect(JSON.parse(logs.Format)).toMatchObject({
      requestId: '$context.requestId',
      sourceIp: '$context.identity.sourceIp',
      principal: '$context.identity.userArn',
      status: '$context.status',
    });
    expect(JSON.stringify(logs.DestinationArn)).toContain('AccessLogs');
  });

  it('lets the ingest function write only its ingest topics, idempotently', () => {
    for (const [tenant, topics] of [
      ['payments', ['payments.orders']],
      ['clickstream', ['clickstream.page-views']],
    ] as const) {
      const statements = ingestFunctionStatements(tenant);
      const kafka = statements.filter((s) => s.actions.some((a) => a.startsWith('kafka-cluster:')));
      expect(kafka.flatMap((s) => s.actions).sort()).toEqual([
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeTopic',
        'kafka-cluster:WriteData',
        'kafka-cluster:WriteDataIdempotently',
      ]);
      const written = kafka
        .filter((s) => s.actions.includes('kafka-cluster:WriteData'))
        .flatMap((s) => s.resources);
      expect(written).toEqual(topics.map((t) => `${TOPIC}/${t}`));
      // No reads, no groups, no other services than X-Ray and the VPC/ENI policy AWS manages.
      const services = new Set(statements.flatMap((s) => s.actions.map((a) => a.split(':')[0])));
      expect([...services].sort()).toEqual(['kafka-cluster', 'xray']);
    }
  });

  it('publishes the URL as an SSM parameter and an output', () => {
    for (const tenant of ['payments', 'clickstream']) {
      const template = templates.get(tenant)!;
      template.hasResourceProperties('AWS::SSM::Parameter', {
        Name: `/stratus/tenants/${tenant}/ingest/url`,
      });
      template.hasOutput('IngestUrl', {});
    }
  });
});

describe('silence alarms (alerts.silence)', () => {
  it('alarms per source topic when every minute of the window saw no message, missing data included', () => {
    const alarms = resources('payments', 'AWS::CloudWatch::Alarm')
      .map(([, r]) => r.Properties)
      .filter((p) => String(p.AlarmName).endsWith('-silence'));
    expect(alarms.map((a) => a.AlarmName)).toEqual(['stratus-payments-orders-silence']);
    expect(alarms[0]).toMatchObject({
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      Threshold: 0,
      EvaluationPeriods: 30,
      DatapointsToAlarm: 30,
      TreatMissingData: 'breaching',
    });
    expect(JSON.stringify(alarms[0])).toContain('payments.orders');
    // clickstream declares no alerts.silence.
    expect(
      resources('clickstream', 'AWS::CloudWatch::Alarm').filter(([, r]) =>
        String(r.Properties.AlarmName).endsWith('-silence'),
      ),
    ).toEqual([]);
  });
});
