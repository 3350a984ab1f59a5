/**
 * The nine rules of a first real deployment (issue 17), each read back from the synthesized templates and
 * each citing the AWS page it encodes. cfn-lint and cdk-nag cannot see any of them: they are about ordering,
 * IAM semantics and service behaviour, not template syntax.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { addStratusStacks } from '../../lib/aws/app.ts';
import { PLATFORM_PARAMETERS } from '../../lib/aws/platform-parameters.ts';
import { ICEBERG_COLUMNS_ENV } from '../../lib/core/iceberg-record.ts';
import { ensurePythonEnv } from '../../lib/local/python-env.ts';
import { loadStratusOrThrow } from '../../lib/manifest/load.ts';
import { allowStatements, appWithoutBundling, generatedProject, type Resource } from './helpers.ts';

const SSM = {
  [PLATFORM_PARAMETERS.clusterArn]:
    'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3',
  [PLATFORM_PARAMETERS.lakehouseBucketName]: 'stratus-lake',
  [PLATFORM_PARAMETERS.idempotencyTableName]: 'stratus-idempotency',
};

/** A tenant of shapes the examples lack: two Iceberg sinks that start late, a JSON sink, a fan-out consumer. */
const LATE_TENANT = `tenant: late
owners: [late@example.com]
topics:
  orders: { partitions: 3, schema: schemas/payments/order-enriched.schema.json }
  views: { partitions: 3, schema: schemas/clickstream/page-view.schema.json }
consumers:
  fan-out: { topic: orders, handler: functions/payments/enrich-orders.ts, output: views }
sinks:
  from-now: { topic: orders, table: from_now, startFrom: latest }
  from-june: { topic: orders, table: from_june, startFrom: 2026-06-01T00:00:00Z }
  raw: { topic: views, format: json }
`;

type Json = Record<string, unknown>;
const templates: Record<string, Template> = {};
const stacks: Record<string, Stack> = {};

beforeAll(() => {
  const root = generatedProject({ tenants: [], withExamples: true });
  writeFileSync(path.join(root, 'tenants/late.yaml'), LATE_TENANT);
  const app = appWithoutBundling();
  const { platform, tenants } = addStratusStacks(app, loadStratusOrThrow({ rootDir: root }), { nag: false });
  for (const stack of [platform, ...tenants]) {
    stacks[stack.stackName] = stack;
    templates[stack.stackName] = Template.fromStack(stack);
  }
});

const resourcesOf = (stack: string, type?: string) =>
  Object.entries(templates[stack]!.toJSON().Resources as Record<string, Resource>).filter(
    ([, r]) => !type || r.Type === type,
  );
const tenantStacks = () => Object.keys(templates).filter((name) => name.startsWith('Stratus-Tenant-'));
const statementsOf = (stack: string) =>
  allowStatements(templates[stack]!.toJSON() as never, { ssm: SSM, account: '123456789012' });

/** Logical ids a resource depends on, directly or through its dependencies. */
function dependsOnTransitively(stack: string, id: string): Set<string> {
  const resources = templates[stack]!.toJSON().Resources as Record<string, Resource>;
  const seen = new Set<string>();
  const visit = (current: string) => {
    const direct = resources[current]?.DependsOn;
    for (const next of direct === undefined ? [] : Array.isArray(direct) ? direct : [direct])
      if (!seen.has(next as string)) {
        seen.add(next as string);
        visit(next as string);
      }
    // References count as dependencies too.
    const text = JSON.stringify(resources[current]?.Properties ?? {});
    for (const match of text.matchAll(/"(?:Ref|Fn::GetAtt)":\s*\[?"([A-Za-z0-9]+)/g))
      if (resources[match[1]!] && !seen.has(match[1]!)) {
        seen.add(match[1]!);
        visit(match[1]!);
      }
  };
  visit(id);
  return seen;
}

describe('first deployment on AWS, rule by rule', () => {
  // https://docs.aws.amazon.com/msk/latest/developerguide/mvpc-cluster-owner-action-turn-on.html and
  // cloudformation-coverage-roadmap issue 1775: "When creating a cluster, all vpcConnectivity auth schemes
  // must be disabled"; enable with UpdateConnectivity once ACTIVE (30 minutes or more).
  it('1. creates the cluster without VPC connectivity, turns it on after ACTIVE, then the policy, then the tenant parameters', () => {
    const platform = 'Stratus-Platform';
    const [[clusterId, cluster]] = resourcesOf(platform, 'AWS::MSK::Cluster') as [[string, Resource]];
    const brokerGroup = (cluster.Properties as Json).BrokerNodeGroupInfo as Json;
    expect(JSON.stringify(brokerGroup.ConnectivityInfo ?? {})).not.toContain('"Enabled":true');
    const [[connectivityId, connectivity]] = resourcesOf(platform, 'Custom::StratusMskVpcConnectivity') as [
      [string, Resource],
    ];
    expect(JSON.stringify(connectivity.Properties)).toContain(`"Fn::GetAtt":["${clusterId}","Arn"]`);
    const [[policyId]] = resourcesOf(platform, 'AWS::MSK::ClusterPolicy') as [[string, Resource]];
    expect(dependsOnTransitively(platform, policyId)).toContain(connectivityId);
    // Tenant stacks resolve these two at deploy time: they must not exist before the cluster is ready.
    for (const name of [PLATFORM_PARAMETERS.clusterArn, PLATFORM_PARAMETERS.bootstrapBrokers]) {
      const [[parameterId]] = resourcesOf(platform, 'AWS::SSM::Parameter').filter(
        ([, r]) => (r.Properties as Json).Name === name,
      ) as [[string, Resource]];
      const before = dependsOnTransitively(platform, parameterId);
      expect(before, name).toContain(connectivityId);
      expect(before, name).toContain(policyId);
    }
    // The waiter polls the isComplete handler, which may call UpdateConnectivity and DescribeClusterV2 only.
    const isComplete = statementsOf(platform).filter((s) => s.actions.includes('kafka:UpdateConnectivity'));
    expect(isComplete).toHaveLength(1);
    expect(isComplete[0]!.actions.sort()).toEqual(['kafka:DescribeClusterV2', 'kafka:UpdateConnectivity']);
    expect(isComplete[0]!.resources).toEqual(['<GetAtt:Cluster.Arn>']);
    expect(JSON.stringify(resourcesOf(platform, 'AWS::StepFunctions::StateMachine'))).toContain('isComplete');
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/with-msk-cluster-network.html: the mapping's ENI uses the
  // cluster's subnets and security group; in provisioned mode it needs no NAT or Lambda/STS endpoints.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-ec2-securitygroup.html:
  // a group created without egress rules gets allow-all; a separate SecurityGroupEgress does not remove it.
  it("2. says the broker group's egress in the group itself, and runs every mapping in provisioned mode", () => {
    const [[brokerGroupId, brokerGroup]] = resourcesOf('Stratus-Platform', 'AWS::EC2::SecurityGroup').filter(
      ([id]) => id.startsWith('BrokerSecurityGroup'),
    ) as [[string, Resource]];
    expect((brokerGroup.Properties as Json).SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: '-1' }),
    ]);
    // No separate egress rule pretending to restrict it.
    const separate = resourcesOf('Stratus-Platform', 'AWS::EC2::SecurityGroupEgress').filter(([, r]) =>
      JSON.stringify((r.Properties as Json).GroupId).includes(brokerGroupId),
    );
    expect(separate).toEqual([]);
    let mappings = 0;
    for (const stack of tenantStacks())
      for (const [id, mapping] of resourcesOf(stack, 'AWS::Lambda::EventSourceMapping')) {
        mappings++;
        expect((mapping.Properties as Json).ProvisionedPollerConfig, `${stack}/${id}`).toBeDefined();
      }
    expect(mappings).toBe(3);
  });

  // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3 grants
  // s3:GetBucketLocation on the bucket; the service authorization reference gives s3:prefix to ListBucket only.
  it('3. grants Firehose s3:GetBucketLocation without a condition and keeps s3:prefix on ListBucket', () => {
    for (const stack of tenantStacks()) {
      const statements = statementsOf(stack);
      const location = statements.filter((s) => s.actions.includes('s3:GetBucketLocation'));
      if (stack === 'Stratus-Tenant-payments') expect(location).toHaveLength(1);
      for (const s of location) {
        expect(s.conditions, stack).toEqual({});
        expect(s.resources, stack).toEqual(['arn:aws:s3:::stratus-lake']);
      }
      for (const s of statements.filter((st) => JSON.stringify(st.conditions).includes('s3:prefix')))
        expect(s.actions, stack).toEqual(['s3:ListBucket']);
    }
  });

  // https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-destination-supp.html: "For Timestamp data
  // types, you must always send in microseconds"; the records carry RFC 3339 strings.
  it('4. converts timestamps to microseconds in a Firehose transform on every Iceberg sink', () => {
    const stack = 'Stratus-Tenant-payments';
    const [[, stream]] = resourcesOf(stack, 'AWS::KinesisFirehose::DeliveryStream') as [[string, Resource]];
    const iceberg = (stream.Properties as Json).IcebergDestinationConfiguration as Json;
    const processor = (
      iceberg.ProcessingConfiguration as { Processors: Array<{ Type: string; Parameters: Json[] }> }
    ).Processors[0]!;
    expect(processor.Type).toBe('Lambda');
    const lambdaArn = JSON.stringify(processor.Parameters.find((p) => p.ParameterName === 'LambdaArn'));
    const [[functionId, fn]] = resourcesOf(stack, 'AWS::Lambda::Function').filter(([id]) =>
      lambdaArn.includes(`"${id}"`),
    ) as [[string, Resource]];
    const columns = JSON.parse(
      ((fn.Properties as Json).Environment as { Variables: Record<string, string> }).Variables[
        ICEBERG_COLUMNS_ENV
      ]!,
    );
    expect(columns).toMatchObject({ createdAt: 'timestamptz', enrichedAt: 'timestamptz', eventId: 'string' });
    expect(columns).not.toHaveProperty('amount');
    // The schema registry's custom-resource provider invokes its own handler; that is not Firehose's role.
    const invoke = statementsOf(stack).filter(
      (s) => s.actions.includes('lambda:InvokeFunction') && !s.policy.startsWith('SchemaRegistry'),
    );
    expect(invoke.flatMap((s) => s.resources)).toEqual([`<GetAtt:${functionId}.Arn>`]);
    // S3 sinks convert with Firehose's own record format conversion: no transform there.
    for (const [, s] of resourcesOf('Stratus-Tenant-clickstream', 'AWS::KinesisFirehose::DeliveryStream'))
      expect(JSON.stringify(s.Properties)).not.toContain('"Type":"Lambda"');
  });

  // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3 (MSK source):
  // kafka-cluster:DescribeGroup on group/<cluster>/<uuid>/*.
  it("5. lets Firehose describe consumer groups, Firehose's own group included", () => {
    const describe = statementsOf('Stratus-Tenant-payments').filter(
      (s) => s.actions.length === 1 && s.actions[0] === 'kafka-cluster:DescribeGroup',
    );
    expect(describe.flatMap((s) => s.resources)).toEqual([
      'arn:aws:kafka:eu-west-1:123456789012:group/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3/*',
    ]);
  });

  // https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html lists ec2:AssignPrivateIpAddresses and
  // ec2:UnassignPrivateIpAddresses among a VPC function's execution-role permissions; AWSLambdaMSKExecutionRole
  // (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSLambdaMSKExecutionRole.html) lacks them.
  it('6. gives every function in the VPC the VPC execution policy', () => {
    let checked = 0;
    for (const stack of tenantStacks()) {
      const resources = templates[stack]!.toJSON().Resources as Record<string, Resource>;
      for (const [id, fn] of resourcesOf(stack, 'AWS::Lambda::Function')) {
        if (!(fn.Properties as Json).VpcConfig) continue;
        checked++;
        const roleId = ((fn.Properties as Json).Role as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0]!;
        expect(JSON.stringify(resources[roleId]!.Properties), `${stack}/${id}`).toContain(
          'service-role/AWSLambdaVPCAccessExecutionRole',
        );
      }
    }
    // Two consumers, the topic provider (serverless) and the two example tenants' ingest functions.
    expect(checked).toBe(5);
  });

  // https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-metric.html: DeliveryToIceberg.Success is
  // the "sum of successful commits", so an idle stream reads as below 1; alarm on failed rows and freshness
  // (https://docs.aws.amazon.com/firehose/latest/dev/firehose-cloudwatch-metrics-best-practices.html).
  it('7. alarms on failed rows and data freshness of Iceberg sinks, never on their commit count', () => {
    const alarms = resourcesOf('Stratus-Tenant-late', 'AWS::CloudWatch::Alarm').map(
      ([, r]) => r.Properties as Json,
    );
    expect(alarms.map((a) => a.MetricName)).not.toContain('DeliveryToIceberg.Success');
    const names = alarms.map((a) => `${a.AlarmName} ${a.MetricName} ${a.Threshold}`).sort();
    expect(names).toEqual(
      expect.arrayContaining([
        'stratus-late-sink-from-now-failed-rows DeliveryToIceberg.FailedRowCount 0',
        'stratus-late-sink-from-now-freshness DeliveryToIceberg.DataFreshness 600',
        // S3's Success is a ratio of successful PUTs: below 1 is a failure there.
        'stratus-late-sink-raw-delivery DeliveryToS3.Success 1',
        'stratus-late-sink-raw-freshness DeliveryToS3.DataFreshness 600',
      ]),
    );
  });

  // https://docs.aws.amazon.com/firehose/latest/APIReference/API_MSKSourceConfiguration.html: without
  // ReadFromTimestamp Firehose starts when the stream becomes active; the epoch means the earliest record.
  it('8. starts sinks at the earliest record unless the manifest says latest or a time', () => {
    const startOf = (stack: string) =>
      Object.fromEntries(
        resourcesOf(stack, 'AWS::KinesisFirehose::DeliveryStream').map(([, r]) => [
          (r.Properties as Json).DeliveryStreamName,
          ((r.Properties as Json).MSKSourceConfiguration as Json).ReadFromTimestamp,
        ]),
      );
    expect(startOf('Stratus-Tenant-payments')).toEqual({
      'stratus-payments-orders-lake': '1970-01-01T00:00:00Z',
    });
    expect(startOf('Stratus-Tenant-late')).toEqual({
      'stratus-late-from-now': undefined,
      'stratus-late-from-june': '2026-06-01T00:00:00Z',
      'stratus-late-raw': '1970-01-01T00:00:00Z',
    });
  });

  // Deleting a stack keeps what has DeletionPolicy Retain; re-creating it fails on any such resource with a
  // fixed name ("already exists"). Only topics are kept, on purpose, and AWS::MSK::Topic supports resource
  // import (a read handler and a primary identifier), which docs/deploy.md describes.
  // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resource-import-supported-resources.html
  it('9. keeps nothing but topics when a tenant stack is deleted, and topics can be imported back', async () => {
    for (const stack of tenantStacks())
      for (const [id, r] of resourcesOf(stack))
        if (r.DeletionPolicy === 'Retain' || r.DeletionPolicy === 'RetainExceptOnCreate')
          expect(r.Type, `${stack}/${id} outlives its stack`).toBe('AWS::MSK::Topic');
    for (const stack of tenantStacks())
      for (const [id, r] of resourcesOf(stack, 'AWS::Logs::LogGroup'))
        expect(r.DeletionPolicy, `${stack}/${id}`).toBe('Delete');
    const python = await ensurePythonEnv();
    const schemas = spawnSync(
      python.python,
      ['-c', 'import cfnlint, os; print(os.path.join(os.path.dirname(cfnlint.__file__), "data/schemas"))'],
      { encoding: 'utf8' },
    ).stdout.trim();
    const providers = JSON.parse(readFileSync(path.join(schemas, 'providers/eu-west-1.json'), 'utf8'));
    const topic = JSON.parse(
      readFileSync(path.join(schemas, 'resources', `${providers['AWS::MSK::Topic']}.json`), 'utf8'),
    );
    expect(topic.primaryIdentifier).toEqual(['/properties/TopicArn']);
    expect(Object.keys(topic.handlers)).toEqual(expect.arrayContaining(['read', 'list']));
  });
});
