import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { KafkaTopic, TOPIC_RESOURCE_TYPE, TopicProvisioning } from '../../lib/aws/kafka-topic.ts';
import { appWithoutBundling } from './helpers.ts';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d-3';

describe('KafkaTopic', () => {
  it('is a native AWS::MSK::Topic with base64 configs, retained by default', () => {
    const stack = new Stack(appWithoutBundling(), 'Test');
    new KafkaTopic(stack, 'Topic', {
      clusterArn: CLUSTER,
      topicName: 'payments.orders',
      partitions: 6,
      replicationFactor: 3,
      retentionMs: 604_800_000,
      cleanupPolicy: 'compact',
    });
    const template = Template.fromStack(stack);
    template.hasResource('AWS::MSK::Topic', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: {
        ClusterArn: CLUSTER,
        TopicName: 'payments.orders',
        PartitionCount: 6,
        ReplicationFactor: 3,
      },
    });
    const configs = Object.values(template.findResources('AWS::MSK::Topic'))[0]!.Properties.Configs as string;
    expect(JSON.parse(Buffer.from(configs, 'base64').toString('utf8'))).toEqual({
      'retention.ms': '604800000',
      'cleanup.policy': 'compact',
    });
  });

  it('is deleted with the stack only when told to', () => {
    const stack = new Stack(appWithoutBundling(), 'Test');
    new KafkaTopic(stack, 'Topic', {
      clusterArn: CLUSTER,
      topicName: 'payments.scratch',
      partitions: 1,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    Template.fromStack(stack).hasResource('AWS::MSK::Topic', { DeletionPolicy: 'Delete' });
  });

  it('is a custom resource on MSK Serverless, carrying partitions, configs and removal policy', () => {
    const stack = new Stack(appWithoutBundling(), 'Test');
    new KafkaTopic(stack, 'Topic', {
      clusterArn: CLUSTER,
      topicName: 'payments.orders',
      partitions: 6,
      retentionMs: -1,
      provisioning: TopicProvisioning.CUSTOM_RESOURCE,
      serviceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::MSK::Topic', 0);
    template.hasResource(TOPIC_RESOURCE_TYPE, {
      DeletionPolicy: 'Retain',
      Properties: {
        TopicName: 'payments.orders',
        Partitions: 6,
        ReplicationFactor: 3,
        Configs: { 'retention.ms': '-1', 'cleanup.policy': 'delete' },
        RemovalPolicy: 'retain',
      },
    });
  });

  it.each([
    [{ topicName: 'payments orders' }, /topicName "payments orders" must be/],
    [{ partitions: 0 }, /partitions must be a positive integer, got 0/],
    [{ replicationFactor: 1.5 }, /replicationFactor must be a positive integer/],
    [{ retentionMs: 0 }, /retentionMs must be a positive integer or -1/],
    [{ provisioning: TopicProvisioning.CUSTOM_RESOURCE }, /serviceToken is required/],
  ])('rejects %o', (override, message) => {
    const stack = new Stack(appWithoutBundling(), 'Test');
    expect(
      () =>
        new KafkaTopic(stack, 'Topic', {
          clusterArn: CLUSTER,
          topicName: 'payments.orders',
          partitions: 3,
          ...override,
        }),
    ).toThrow(message);
  });
});
