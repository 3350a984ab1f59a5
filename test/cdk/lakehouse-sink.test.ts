import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { LakehouseSink, partitionQuery } from '../../lib/aws/lakehouse-sink.ts';
import type { SinkSpec } from '../../lib/manifest/spec.ts';
import { appWithoutBundling, exampleTenant, resolveIntrinsics } from './helpers.ts';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/stratus/0a1b2c3d-3';
const payments = exampleTenant('payments');
const clickstream = exampleTenant('clickstream');
const schemaOf = (tenant: typeof payments, topicKey: string) =>
  tenant.topics.find((t) => t.key === topicKey)!.schema;

function synth(
  sink: SinkSpec,
  schema = schemaOf(sink.tenant === 'payments' ? payments : clickstream, sink.topicKey),
) {
  const stack = new Stack(appWithoutBundling(), 'Test', {
    env: { region: 'eu-west-1', account: '123456789012' },
  });
  const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com') });
  const construct = new LakehouseSink(stack, 'Sink', {
    sink,
    schema,
    clusterArn: CLUSTER,
    bucketName: 'stratus-lake',
    role,
  });
  const template = Template.fromStack(stack);
  // Partition-qualified ARNs are Fn::Join tokens; resolve them to compare against literal ARNs.
  const resolved = resolveIntrinsics(template.toJSON(), template.toJSON() as never, { ssm: {} }) as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const properties = (type: string) =>
    Object.values(resolved.Resources).find((r) => r.Type === type)!.Properties;
  return { stack, construct, template, properties };
}

describe('LakehouseSink', () => {
  it('delivers from MSK into an Iceberg table it creates in Glue, upserting on the unique keys', () => {
    const sink = payments.sinks[0]!;
    const { template, construct, properties } = synth(sink);
    expect(construct.streamName).toBe('stratus-payments-orders-lake');
    template.hasResourceProperties('AWS::Glue::Table', {
      CatalogId: '123456789012',
      DatabaseName: 'stratus_payments',
      TableInput: { Name: 'orders_enriched', TableType: 'EXTERNAL_TABLE' },
      OpenTableFormatInput: {
        IcebergInput: {
          MetadataOperation: 'CREATE',
          Version: '2',
          IcebergTableInput: {
            Location: 's3://stratus-lake/payments/iceberg/orders_enriched/',
            Schema: {
              Type: 'struct',
              Fields: Match.arrayWith([
                { Id: 1, Name: 'eventId', Type: 'string', Required: true },
                { Id: 5, Name: 'amount', Type: 'double', Required: true },
                { Id: 8, Name: 'itemCount', Type: 'long', Required: true },
                { Id: 10, Name: 'country', Type: 'string', Required: false },
                { Id: 11, Name: 'createdAt', Type: 'timestamptz', Required: true },
              ]),
              IdentifierFieldIds: [1],
            },
            PartitionSpec: {
              Fields: [{ FieldId: 1000, SourceId: 11, Name: 'createdAt_day', Transform: 'day' }],
            },
          },
        },
      },
    });
    // Firehose checks its access when the stream is created: the role's policy must exist by then.
    template.hasResource('AWS::KinesisFirehose::DeliveryStream', {
      DependsOn: Match.arrayWith([Match.stringLikeRegexp('^RoleDefaultPolicy')]),
    });
    expect(properties('AWS::KinesisFirehose::DeliveryStream')).toMatchObject({
      DeliveryStreamName: 'stratus-payments-orders-lake',
      DeliveryStreamType: 'MSKAsSource',
      MSKSourceConfiguration: {
        MSKClusterARN: CLUSTER,
        TopicName: 'payments.orders-enriched',
        AuthenticationConfiguration: { Connectivity: 'PRIVATE' },
      },
      IcebergDestinationConfiguration: {
        CatalogConfiguration: { CatalogArn: 'arn:aws:glue:eu-west-1:123456789012:catalog' },
        DestinationTableConfigurationList: [
          {
            DestinationDatabaseName: 'stratus_payments',
            DestinationTableName: 'orders_enriched',
            UniqueKeys: ['eventId'],
            S3ErrorOutputPrefix: 'payments/errors/orders-lake/',
          },
        ],
        AppendOnly: false,
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 60 },
        S3Configuration: {
          BucketARN: 'arn:aws:s3:::stratus-lake',
          ErrorOutputPrefix: 'payments/errors/orders-lake/',
        },
        CloudWatchLoggingOptions: { Enabled: true },
      },
    });
  });

  it('converts to Parquet against a Glue table and partitions dynamically, with the 64 MiB buffer', () => {
    const sink = clickstream.sinks[0]!;
    const { template, construct } = synth(sink);
    expect(construct.bufferSizeMiB).toBe(64);
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'stratus_clickstream',
      TableInput: {
        Name: 'sessions_s3',
        PartitionKeys: [{ Name: 'day', Type: 'string' }],
        StorageDescriptor: {
          Location: 's3://stratus-lake/clickstream/sessions-s3/',
          Columns: Match.arrayWith([
            { Name: 'durationms', Type: 'bigint' },
            { Name: 'viewedat', Type: 'timestamp' },
          ]),
        },
      },
    });
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'MSKAsSource',
      ExtendedS3DestinationConfiguration: {
        Prefix: 'clickstream/sessions-s3/day=!{partitionKeyFromQuery:day}/',
        ErrorOutputPrefix: 'clickstream/errors/sessions-s3/!{firehose:error-output-type}/',
        BufferingHints: { SizeInMBs: 64, IntervalInSeconds: 30 },
        CompressionFormat: 'UNCOMPRESSED',
        DynamicPartitioningConfiguration: { Enabled: true },
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            {
              Type: 'MetadataExtraction',
              Parameters: Match.arrayWith([
                { ParameterName: 'MetadataExtractionQuery', ParameterValue: '{day: .viewedAt[0:10]}' },
              ]),
            },
          ],
        },
        DataFormatConversionConfiguration: {
          Enabled: true,
          OutputFormatConfiguration: { Serializer: { ParquetSerDe: { Compression: 'SNAPPY' } } },
          SchemaConfiguration: { DatabaseName: 'stratus_clickstream', TableName: 'sessions_s3' },
        },
      },
    });
  });

  it('writes gzipped JSON without a table when the format is json', () => {
    const sink: SinkSpec = {
      ...clickstream.sinks[0]!,
      format: 'json',
      partitionBy: [],
      bufferSizeBytes: 5 * 1_048_576,
    };
    const { template } = synth(sink, undefined);
    template.resourceCountIs('AWS::Glue::Table', 0);
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: {
        // The same arrival-time folders and one-record-per-line objects as the local sink writes.
        Prefix: 'clickstream/sessions-s3/!{timestamp:yyyy/MM/dd/HH}/',
        CompressionFormat: 'GZIP',
        BufferingHints: { SizeInMBs: 5 },
        DataFormatConversionConfiguration: Match.absent(),
        DynamicPartitioningConfiguration: Match.absent(),
        ProcessingConfiguration: { Enabled: true, Processors: [{ Type: 'AppendDelimiterToRecord' }] },
      },
    });
  });

  it('builds jq partition keys for every S3 transform', () => {
    expect(
      partitionQuery([
        { transform: 'year', field: 'ts' },
        { transform: 'hour', field: 'ts' },
        { transform: 'identity', field: 'country' },
        { transform: 'truncate', field: 'userId', param: 2 },
      ]),
    ).toBe('{year: .ts[0:4], hour: .ts[0:13], country: .country, userId_trunc: (.userId|tostring)[0:2]}');
  });

  it.each<[string, Partial<SinkSpec>, RegExp]>([
    [
      'a prefix outside the tenant',
      { prefix: 'payments-archive/x/' },
      /sink.prefix "payments-archive\/x\/" must start with "clickstream\/"/,
    ],
    [
      'bucket partitioning on S3',
      { partitionBy: [{ transform: 'bucket', field: 'userId', param: 8 }] },
      /bucket\(N, field\) is available for iceberg sinks only/,
    ],
    [
      'an unknown partition field',
      { partitionBy: [{ transform: 'day', field: 'nope' }] },
      /partitionBy field "nope" is not a column/,
    ],
    [
      'an optional unique key',
      { format: 'iceberg', uniqueKeys: ['referrerHost'] },
      /uniqueKeys "referrerHost" must be a required property/,
    ],
    [
      'a 200 MiB buffer',
      { bufferSizeBytes: 200 * 1_048_576 },
      /sink.bufferSizeBytes must be 64–128 MiB for a parquet sink with partitionBy/,
    ],
    [
      'a Parquet buffer under 64 MiB (Firehose minimum with conversion)',
      { bufferSizeBytes: 8 * 1_048_576 },
      /sink.bufferSizeBytes must be 64–128 MiB for a parquet sink/,
    ],
    [
      'a JSON buffer under 1 MiB',
      { format: 'json', partitionBy: [], bufferSizeBytes: 1_000 },
      /sink.bufferSizeBytes must be 1–128 MiB for a json sink/,
    ],
  ])('rejects %s', (_, override, message) => {
    expect(() => synth({ ...clickstream.sinks[0]!, ...override })).toThrow(message);
  });

  it('rejects a parquet sink without a schema', () => {
    expect(() => synth(clickstream.sinks[0]!, {})).toThrow(/schema is required for format parquet/);
  });
});
