import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { PLATFORM_PARAMETERS } from '../../lib/aws/platform-parameters.ts';
import { PlatformStack } from '../../lib/aws/platform-stack.ts';
import type { ClusterSpec } from '../../lib/manifest/spec.ts';
import { appWithoutBundling, exampleSpec } from './helpers.ts';

function synth(cluster: Partial<ClusterSpec> = {}) {
  const spec = exampleSpec();
  const platform = { ...spec.platform, cluster: { ...spec.platform.cluster, ...cluster } };
  const stack = new PlatformStack(appWithoutBundling(), 'Platform', {
    env: { region: 'eu-west-1', account: '123456789012' },
    platform,
    tenants: spec.tenants,
  });
  return Template.fromStack(stack);
}

describe('PlatformStack', () => {
  const template = synth();

  it('runs MSK Provisioned with IAM only, TLS everywhere, per-topic metrics and a Firehose cluster policy', () => {
    template.hasResource('AWS::MSK::Cluster', {
      DeletionPolicy: 'Retain',
      Properties: {
        ClusterName: 'stratus',
        KafkaVersion: '3.9.x',
        NumberOfBrokerNodes: 3,
        ClientAuthentication: { Sasl: { Iam: { Enabled: true } }, Unauthenticated: { Enabled: false } },
        EncryptionInfo: { EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true } },
        EnhancedMonitoring: 'PER_TOPIC_PER_BROKER',
        BrokerNodeGroupInfo: { InstanceType: 'kafka.m7g.large' },
      },
    });
    const cluster = Object.values(template.findResources('AWS::MSK::Cluster'))[0]!;
    expect(cluster.Properties.BrokerNodeGroupInfo.ClientSubnets).toHaveLength(3);
    template.hasResourceProperties('AWS::MSK::ClusterPolicy', {
      Policy: { Statement: [Match.objectLike({ Principal: { Service: 'firehose.amazonaws.com' } })] },
    });
    template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 9098, ToPort: 9098 });
    template.resourceCountIs('AWS::EC2::Subnet', 6);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
  });

  it('keeps an encrypted, versioned, TLS-only, private lakehouse bucket and a Glue database per tenant', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        LoggingConfiguration: { LogFilePrefix: 'lakehouse/' },
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const databases = Object.values(template.findResources('AWS::Glue::Database')).map(
      (db) => db.Properties.DatabaseInput.Name,
    );
    expect(databases.sort()).toEqual(['stratus_clickstream', 'stratus_payments']);
  });

  it('shares one idempotency table (id, TTL expiration), an encrypted alarm topic and an overview dashboard', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Stratus-Platform' });
  });

  it('publishes every fact tenant stacks read as an SSM parameter', () => {
    const names = Object.values(template.findResources('AWS::SSM::Parameter')).map((p) => p.Properties.Name);
    expect(names.sort()).toEqual(Object.values(PLATFORM_PARAMETERS).sort());
    template.hasResourceProperties('AWS::SSM::Parameter', {
      Name: PLATFORM_PARAMETERS.subnetIds,
      Type: 'StringList',
    });
    expect(JSON.stringify(template.findResources('Custom::AWS'))).toContain('getBootstrapBrokers');
  });

  it('runs MSK Serverless with IAM when configured', () => {
    const serverless = synth({ mode: 'serverless' });
    serverless.resourceCountIs('AWS::MSK::Cluster', 0);
    serverless.hasResourceProperties('AWS::MSK::ServerlessCluster', {
      ClusterName: 'stratus',
      ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
    });
  });

  it('uses an existing cluster by ARN without creating one', () => {
    const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/shared/0a1b2c3d-3';
    const existing = synth({ mode: 'existing', arn, name: 'shared' });
    existing.resourceCountIs('AWS::MSK::Cluster', 0);
    existing.resourceCountIs('AWS::MSK::ServerlessCluster', 0);
    existing.resourceCountIs('AWS::MSK::ClusterPolicy', 0);
    existing.hasResourceProperties('AWS::SSM::Parameter', {
      Name: PLATFORM_PARAMETERS.clusterArn,
      Value: arn,
    });
  });

  it('rejects a broker count the subnets cannot spread evenly', () => {
    expect(() => synth({ brokerNodes: 5 })).toThrow(/cluster.brokerNodes \(5\) must be a multiple of 2 or 3/);
  });
});
