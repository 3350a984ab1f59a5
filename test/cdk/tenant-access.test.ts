import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { TenantAccess } from '../../lib/aws/tenant-access.ts';
import { allowStatements, appWithoutBundling } from './helpers.ts';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-3';
const TOPIC = 'arn:aws:kafka:eu-west-1:123456789012:topic/stratus/0a1b2c3d-3';
const GROUP = 'arn:aws:kafka:eu-west-1:123456789012:group/stratus/0a1b2c3d-3';

function setup() {
  const stack = new Stack(appWithoutBundling(), 'Test', {
    env: { region: 'eu-west-1', account: '123456789012' },
  });
  const access = new TenantAccess(stack, 'Access', {
    tenant: 'payments',
    clusterArn: CLUSTER,
    idempotencyTableName: 'stratus-idempotency',
    lakehouseBucketName: 'stratus-lake',
  });
  const role = new iam.Role(stack, 'Fn', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  return { stack, access, role };
}

const statements = (stack: Stack) =>
  allowStatements(Template.fromStack(stack).toJSON() as never, { ssm: {} });

describe('TenantAccess', () => {
  it('grants a consumer exactly its topic, group, outputs and own idempotency keys', () => {
    const { stack, access, role } = setup();
    access.grantConsumer(role, {
      sourceTopic: 'payments.orders',
      groupId: 'payments.enrich-orders',
      writeTopics: ['payments.orders-enriched', 'payments.dlq'],
      idempotencyKeyPrefix: 'stratus-payments-enrich-orders',
    });
    const byAction = (action: string) => statements(stack).filter((s) => s.actions.includes(action));
    expect(byAction('kafka-cluster:Connect').map((s) => s.resources)).toEqual([[CLUSTER]]);
    expect(byAction('kafka-cluster:ReadData').map((s) => s.resources)).toEqual([
      [`${TOPIC}/payments.orders`],
    ]);
    expect(byAction('kafka-cluster:AlterGroup').map((s) => s.resources)).toEqual([
      [`${GROUP}/payments.enrich-orders`],
    ]);
    // cdk.json's minimizePolicies sorts resources.
    expect(byAction('kafka-cluster:WriteData').map((s) => [...s.resources].sort())).toEqual([
      [`${TOPIC}/payments.dlq`, `${TOPIC}/payments.orders-enriched`],
    ]);
    const dynamo = byAction('dynamodb:PutItem');
    expect(dynamo.map((s) => s.resources)).toEqual([
      ['arn:aws:dynamodb:eu-west-1:123456789012:table/stratus-idempotency'],
    ]);
    expect(dynamo[0]!.conditions).toEqual({
      'ForAllValues:StringLike': {
        'dynamodb:LeadingKeys': ['stratus-payments-enrich-orders#*', 'stratus-payments-enrich-orders.*'],
      },
    });
  });

  it("confines the Firehose role to the tenant's prefix, topic and Glue table", () => {
    const { stack, access } = setup();
    access.grantSink({ sourceTopic: 'payments.orders-enriched', table: 'orders_enriched' });
    const all = statements(stack);
    const objects = all.find((s) => s.actions.includes('s3:PutObject'))!;
    expect(objects.resources).toEqual(['arn:aws:s3:::stratus-lake/payments/*']);
    const listing = all.find((s) => s.actions.includes('s3:ListBucket'))!;
    expect(listing.conditions).toEqual({ StringLike: { 's3:prefix': ['payments/*', 'payments/'] } });
    const glue = all.find((s) => s.actions.includes('glue:UpdateTable'))!;
    expect(glue.resources).toEqual([
      'arn:aws:glue:eu-west-1:123456789012:catalog',
      'arn:aws:glue:eu-west-1:123456789012:database/stratus_payments',
      'arn:aws:glue:eu-west-1:123456789012:table/stratus_payments/orders_enriched',
    ]);
    expect(all.find((s) => s.actions.includes('kafka-cluster:ReadData'))!.resources).toEqual([
      `${TOPIC}/payments.orders-enriched`,
    ]);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Principal: { Service: 'firehose.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
          },
        ],
      },
    });
  });

  it.each([
    [
      { sourceTopic: 'clickstream.page-views' },
      /topic "clickstream.page-views" does not belong to tenant "payments"/,
    ],
    [{ sourceTopic: 'paymentsx.orders' }, /topic "paymentsx.orders" does not belong/],
    [{ groupId: 'pay.enrich' }, /group "pay.enrich" does not belong/],
    [{ writeTopics: ['clickstream.dlq'] }, /topic "clickstream.dlq" does not belong/],
    [
      { idempotencyKeyPrefix: 'stratus-clickstream-x' },
      /idempotencyKeyPrefix "stratus-clickstream-x" is not a function of tenant/,
    ],
  ])('refuses names of other tenants: %o', (override, message) => {
    const { access, role } = setup();
    expect(() =>
      access.grantConsumer(role, {
        sourceTopic: 'payments.orders',
        groupId: 'payments.enrich-orders',
        writeTopics: [],
        idempotencyKeyPrefix: 'stratus-payments-enrich-orders',
        ...override,
      }),
    ).toThrow(message);
  });

  it('rejects an invalid tenant name', () => {
    expect(
      () =>
        new TenantAccess(new Stack(appWithoutBundling(), 'Test'), 'Access', {
          tenant: 'Pay_ments',
          clusterArn: CLUSTER,
        }),
    ).toThrow(/tenant "Pay_ments" is not a valid tenant name/);
  });
});
