/**
 * The repository's example tenants, synthesized exactly as `cdk synth` does it (esbuild bundles, cdk-nag),
 * once for the whole file.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileValueValidator, precompiledValueValidator } from '../../functions/sdk/schema.ts';
import { addStratusStacks, type StratusStacks } from '../../lib/aws/app.ts';
import { BUNDLED_OUTPUT_SCHEMA_FILE, BUNDLED_SCHEMA_FILE } from '../../lib/aws/kafka-consumer.ts';
import { nagFindings } from '../../lib/aws/nag.ts';
import { PLATFORM_PARAMETERS } from '../../lib/aws/platform-parameters.ts';
import { precompiledValidatorFile } from '../../lib/core/precompiled-validator.ts';
import { cdkJsonContext, exampleSpec, REPO_ROOT, resolveIntrinsics } from './helpers.ts';

let stacks: StratusStacks;
let assemblyDir: string;
const templates = new Map<string, Template>();

beforeAll(() => {
  const app = new App({
    outdir: mkdtempSync(path.join(os.tmpdir(), 'stratus-examples-')),
    // cdk.json's feature flags, with validateAgainstDefaultRules: the built-in template validation fails the
    // synth instead of warning.
    context: cdkJsonContext(),
  });
  stacks = addStratusStacks(app, exampleSpec());
  // Throws if any validation plugin (cdk-nag, CloudFormation validation) reports an unacknowledged error.
  assemblyDir = app.synth().directory;
  for (const stack of [stacks.platform, ...stacks.tenants])
    templates.set(stack.stackName, Template.fromStack(stack));
}, 180_000);

const tenantTemplate = (name: string) => templates.get(`Stratus-Tenant-${name}`)!;
const resources = (template: Template, type: string) =>
  Object.values(template.findResources(type)) as Array<{ Properties: Record<string, unknown> }>;

describe('the example app', () => {
  it('has the platform and one stack per tenant, named as `cdk deploy` expects', () => {
    expect([stacks.platform, ...stacks.tenants].map((s) => s.stackName)).toEqual([
      'Stratus-Platform',
      'Stratus-Tenant-clickstream',
      'Stratus-Tenant-payments',
    ]);
  });

  it('couples tenant stacks to the platform only through SSM parameters, never exports', () => {
    const platform = templates.get('Stratus-Platform')!.toJSON();
    expect(JSON.stringify(platform.Outputs ?? {})).not.toContain('Export');
    for (const stack of stacks.tenants) {
      const template = templates.get(stack.stackName)!.toJSON();
      expect(JSON.stringify(template)).not.toContain('Fn::ImportValue');
      expect(stack.dependencies).toEqual([]);
      const ssmNames = Object.values(
        template.Parameters as Record<string, { Type: string; Default?: string }>,
      )
        .filter((p) => p.Type.startsWith('AWS::SSM::Parameter::Value'))
        .map((p) => p.Default)
        .filter((name) => !name?.startsWith('/cdk-bootstrap/'));
      expect(ssmNames.length).toBeGreaterThan(3);
      expect(ssmNames.every((name) => Object.values(PLATFORM_PARAMETERS).includes(name as never))).toBe(true);
    }
  });

  it('passes cdk-nag AwsSolutions with every accepted finding carrying a reason', () => {
    for (const stack of [stacks.platform, ...stacks.tenants]) {
      expect(nagFindings(stack), stack.stackName).toEqual([]);
      const acknowledged = stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
      for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(30);
    }
  });
});

describe('Stratus-Tenant-payments', () => {
  it('creates its topics and its DLQ as native MSK topics, retained', () => {
    const topics = resources(tenantTemplate('payments'), 'AWS::MSK::Topic').map((t) => [
      t.Properties.TopicName,
      t.Properties.PartitionCount,
      t.Properties.ReplicationFactor,
    ]);
    expect(topics).toEqual([
      ['payments.orders', 6, 3],
      ['payments.orders-enriched', 6, 3],
      ['payments.dlq', 2, 3],
    ]);
    tenantTemplate('payments').allResources('AWS::MSK::Topic', { DeletionPolicy: 'Retain' });
  });

  it('feeds enrich-orders from an event-source mapping with every manifest setting', () => {
    tenantTemplate('payments').hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['payments.orders'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'payments.enrich-orders' },
      BatchSize: 100,
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: '{"value":{"type":["order.created","order.updated"]}}' }] },
      MaximumRetryAttempts: 3,
      MaximumRecordAgeInSeconds: 3600,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: 'kafka://payments.dlq' } },
    });
    tenantTemplate('payments').hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'stratus-payments-enrich-orders',
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Environment: {
        Variables: Match.objectLike({
          STRATUS_SOURCE_TOPIC: 'payments.orders',
          STRATUS_OUTPUT_TOPIC: 'payments.orders-enriched',
          STRATUS_DLQ_TOPIC: 'payments.dlq',
          STRATUS_KAFKA_AUTH: 'iam',
          STRATUS_SCHEMA_FILE: BUNDLED_SCHEMA_FILE,
          STRATUS_OUTPUT_SCHEMA_FILE: BUNDLED_OUTPUT_SCHEMA_FILE,
          STRATUS_IDEMPOTENCY_KEY: 'value.eventId',
          POWERTOOLS_SERVICE_NAME: 'payments',
        }),
      },
    });
  });

  it('bundles the handler with the source and output topic schemas as files, and their validators', () => {
    const consumer = stacks.tenants
      .find((s) => s.tenant.name === 'payments')!
      .consumers.get('enrich-orders')!;
    const asset = consumer.function.node.findChild('Code') as s3assets.Asset;
    const bundle = path.join(assemblyDir, asset.assetPath);
    expect(existsSync(path.join(bundle, 'index.js'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(bundle, BUNDLED_SCHEMA_FILE), 'utf8'))).toEqual(
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/payments/order.schema.json'), 'utf8')),
    );
    expect(JSON.parse(readFileSync(path.join(bundle, BUNDLED_OUTPUT_SCHEMA_FILE), 'utf8'))).toEqual(
      JSON.parse(readFileSync(path.join(REPO_ROOT, 'schemas/payments/order-enriched.schema.json'), 'utf8')),
    );
    // Each with its precompiled validator, which the SDK loads instead of compiling the schema at cold start.
    for (const file of [BUNDLED_SCHEMA_FILE, BUNDLED_OUTPUT_SCHEMA_FILE]) {
      const schema = JSON.parse(readFileSync(path.join(bundle, file), 'utf8')) as Record<string, unknown>;
      const precompiled = precompiledValueValidator(path.join(bundle, file), schema);
      expect(precompiled, `${precompiledValidatorFile(file)} in the asset`).toBeDefined();
      expect(precompiled!({ amount: 'ten' })).toEqual(compileValueValidator(schema)({ amount: 'ten' }));
    }
  });

  it('delivers orders-lake into its Iceberg table through Firehose', () => {
    const template = tenantTemplate('payments');
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamName: 'stratus-payments-orders-lake',
      DeliveryStreamType: 'MSKAsSource',
      MSKSourceConfiguration: { TopicName: 'payments.orders-enriched' },
      IcebergDestinationConfiguration: Match.objectLike({
        DestinationTableConfigurationList: [
          Match.objectLike({ DestinationTableName: 'orders_enriched', UniqueKeys: ['eventId'] }),
        ],
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
      }),
    });
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'stratus_payments',
      OpenTableFormatInput: { IcebergInput: Match.objectLike({ MetadataOperation: 'CREATE' }) },
    });
  });

  it('has its dashboard and one alarm per alert, on the platform topic', () => {
    const template = tenantTemplate('payments');
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'Stratus-payments' });
    const alarms = resources(template, 'AWS::CloudWatch::Alarm');
    expect(alarms.map((a) => a.Properties.AlarmName).sort()).toEqual([
      'stratus-payments-enrich-orders-dlq-growth',
      'stratus-payments-enrich-orders-error-rate',
      'stratus-payments-enrich-orders-offset-lag',
      'stratus-payments-enrich-orders-time-lag',
      'stratus-payments-orders-silence',
      'stratus-payments-sink-orders-lake-failed-rows',
      'stratus-payments-sink-orders-lake-freshness',
    ]);
    const json = template.toJSON();
    const topicParameter = Object.entries(json.Parameters as Record<string, { Default?: string }>).find(
      ([, p]) => p.Default === PLATFORM_PARAMETERS.alarmTopicArn,
    )![0];
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicParameter }]);
  });

  it('tags every taggable resource with tenant, owners and cost centre', () => {
    const json = tenantTemplate('payments').toJSON() as {
      Resources: Record<string, { Type: string; Properties: { Tags?: unknown } }>;
    };
    const tagged = [
      'AWS::Lambda::Function',
      'AWS::IAM::Role',
      'AWS::KinesisFirehose::DeliveryStream',
      'AWS::Logs::LogGroup',
    ];
    const taggable = Object.values(json.Resources).filter((r) => tagged.includes(r.Type));
    expect(taggable.length).toBeGreaterThan(5);
    for (const resource of taggable) {
      expect(resource.Properties.Tags, resource.Type).toEqual(
        expect.arrayContaining([
          { Key: 'stratus:tenant', Value: 'payments' },
          { Key: 'stratus:owners', Value: 'payments-oncall@example.com' },
          { Key: 'stratus:cost-center', Value: 'cc-1234' },
        ]),
      );
    }
  });
});

describe('Stratus-Tenant-clickstream', () => {
  it('runs sessionize with its filters and no idempotency', () => {
    const template = tenantTemplate('clickstream');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      Topics: ['clickstream.page-views'],
      AmazonManagedKafkaEventSourceConfig: { ConsumerGroupId: 'clickstream.sessionize' },
      BatchSize: 500,
      MaximumBatchingWindowInSeconds: 1,
      FilterCriteria: { Filters: [{ Pattern: '{"value":{"isBot":[false]}}' }] },
      MaximumRetryAttempts: 2,
      BisectBatchOnFunctionError: true,
      DestinationConfig: { OnFailure: { Destination: 'kafka://clickstream.dlq' } },
    });
    const json = JSON.stringify(template.toJSON());
    expect(json).not.toContain('dynamodb:');
    expect(json).not.toContain(PLATFORM_PARAMETERS.idempotencyTableName);
  });

  it('writes sessions-s3 as Parquet under its own prefix, partitioned by day', () => {
    const template = tenantTemplate('clickstream');
    const stream = resources(template, 'AWS::KinesisFirehose::DeliveryStream')[0]!;
    const s3 = resolveIntrinsics(
      stream.Properties.ExtendedS3DestinationConfiguration,
      template.toJSON() as never,
      {
        ssm: { [PLATFORM_PARAMETERS.lakehouseBucketName]: 'stratus-lake' },
      },
    ) as Record<string, unknown>;
    expect(s3).toMatchObject({
      BucketARN: 'arn:aws:s3:::stratus-lake',
      Prefix: 'clickstream/sessions-s3/day=!{partitionKeyFromQuery:day}/',
      DataFormatConversionConfiguration: { Enabled: true },
    });
    expect(
      resources(template, 'AWS::CloudWatch::Alarm')
        .map((a) => a.Properties.AlarmName)
        .sort(),
    ).toEqual([
      'stratus-clickstream-sessionize-error-rate',
      'stratus-clickstream-sessionize-time-lag',
      'stratus-clickstream-sink-sessions-s3-delivery',
      'stratus-clickstream-sink-sessions-s3-failed-rows',
      'stratus-clickstream-sink-sessions-s3-freshness',
    ]);
  });
});
