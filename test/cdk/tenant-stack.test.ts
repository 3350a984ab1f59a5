import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TOPIC_RESOURCE_TYPE } from '../../lib/aws/kafka-topic.ts';
import { TenantStack } from '../../lib/aws/tenant-stack.ts';
import { loadStratusOrThrow } from '../../lib/manifest/load.ts';
import { appWithoutBundling, exampleSpec, generatedProject } from './helpers.ts';

const facts = {
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-3',
  bootstrapBrokers: 'b-1:9098,b-2:9098',
  subnetIds: ['subnet-0a1b2c3d4e5f60001'],
  securityGroupId: 'sg-0a1b2c3d4e5f60003',
  lakehouseBucketName: 'stratus-lake',
  idempotencyTableName: 'stratus-idempotency',
  alarmTopicArn: 'arn:aws:sns:eu-west-1:123456789012:alarms',
};

describe('TenantStack', () => {
  it('creates only the topics and the DLQ for a tenant without consumers or sinks, reading no SSM parameter it does not use', () => {
    const root = generatedProject({ tenants: [] });
    writeFileSync(
      path.join(root, 'tenants/audit.yaml'),
      'tenant: audit\nowners: [audit@example.com]\ncostCenter: cc-9\ntopics:\n  events: { partitions: 2 }\n',
    );
    const spec = loadStratusOrThrow({ rootDir: root });
    const stack = new TenantStack(appWithoutBundling(), 'Stratus-Tenant-audit', {
      tenant: spec.tenants[0]!,
      platform: spec.platform,
    });
    const template = Template.fromStack(stack);
    expect(
      Object.values(template.findResources('AWS::MSK::Topic')).map((t) => t.Properties.TopicName),
    ).toEqual(['audit.events', 'audit.dlq']);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 0);
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    const ssm = Object.values(template.toJSON().Parameters as Record<string, { Default?: string }>)
      .map((p) => p.Default)
      .filter((name) => name?.startsWith('/stratus/'));
    expect(ssm).toEqual(['/stratus/platform/msk/cluster-arn']);
  });

  it('manages topics through its own admin-API provider on MSK Serverless', () => {
    const spec = exampleSpec();
    const platform = { ...spec.platform, cluster: { ...spec.platform.cluster, mode: 'serverless' as const } };
    const stack = new TenantStack(appWithoutBundling(), 'Stratus-Tenant-payments', {
      tenant: spec.tenants.find((t) => t.name === 'payments')!,
      platform,
      facts,
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::MSK::Topic', 0);
    expect(
      Object.values(template.findResources(TOPIC_RESOURCE_TYPE)).map((t) => t.Properties.TopicName),
    ).toEqual(['payments.orders', 'payments.orders-enriched', 'payments.dlq']);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Stratus: Kafka topics of tenant payments on MSK Serverless',
      Environment: { Variables: { STRATUS_TOPIC_PREFIX: 'payments.', STRATUS_KAFKA_AUTH: 'iam' } },
      VpcConfig: { SubnetIds: facts.subnetIds, SecurityGroupIds: [facts.securityGroupId] },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: Match.arrayWith(['kafka-cluster:CreateTopic', 'kafka-cluster:DeleteTopic']),
            Resource: 'arn:aws:kafka:eu-west-1:123456789012:topic/stratus/0a1b2c3d-3/payments.*',
          }),
        ]),
      },
    });
    // The event-source mapping waits for its topics.
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0]!;
    expect(mapping.DependsOn).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Topicorders[A-F0-9]{8}$/)]),
    );
  });
});
