import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { FIREHOSE_BUFFER_LIMITS, usesFormatConversionOrPartitioning } from '../core/firehose-limits.ts';
import { convertedColumns } from '../core/iceberg-record.ts';
import { icebergTablePrefix, sinkStreamName } from '../core/naming.ts';
import { partitionKeyName, TIME_TRANSFORM_LENGTH } from '../core/s3-partitioning.ts';
import type { PartitionFieldSpec, SinkSpec } from '../manifest/spec.ts';
import { IcebergTransform } from './iceberg-transform.ts';
import { schemaColumns, type TableColumn } from './schema-columns.ts';

const MIB = 1_048_576;

/** Firehose's default arrival-time folders, `yyyy/MM/dd/HH/` in UTC. */
const ARRIVAL_TIME_PREFIX = '!{timestamp:yyyy/MM/dd/HH}/';

/** Properties of a {@link LakehouseSink}. */
export interface LakehouseSinkProps {
  /** The resolved manifest sink: topic, format, table, buffering, partitioning. */
  readonly sink: SinkSpec;
  /** JSON Schema of the sink topic's values; the table's columns come from it. Required unless format is json. */
  readonly schema?: Record<string, unknown>;
  /** ARN of the MSK cluster. */
  readonly clusterArn: string;
  /** Name of the lakehouse bucket. */
  readonly bucketName: string;
  /** Role Firehose assumes; it must already be allowed to read the topic and write the tenant's prefix. */
  readonly role: iam.IRole;
  /**
   * Firehose stream name.
   * @default sinkStreamName(sink.tenant, sink.key)
   */
  readonly streamName?: string;
  /**
   * Retention of the delivery error log group.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * One manifest sink: a Firehose stream that reads the sink's topic from MSK (IAM auth, private connectivity)
 * and writes either an Iceberg table in the Glue catalog (created here as an Iceberg table) or objects in S3 —
 * Parquet through record format conversion against a Glue table, or JSON — under the tenant's prefix with
 * Firehose dynamic partitioning.
 */
export class LakehouseSink extends Construct {
  /** The Firehose stream name. */
  readonly streamName: string;
  /** The delivery stream. */
  readonly deliveryStream: firehose.CfnDeliveryStream;
  /** The Glue table (Iceberg or Parquet schema); undefined for JSON sinks. */
  readonly table?: glue.CfnTable;
  /** Buffer size Firehose is given, in MiB. */
  readonly bufferSizeMiB: number;
  /** The Firehose transform of an Iceberg sink; undefined for S3 sinks. */
  readonly transform?: IcebergTransform;

  constructor(scope: Construct, id: string, props: LakehouseSinkProps) {
    super(scope, id);
    const { sink } = props;
    const columns = schemaColumns(props.schema);
    validate(props, columns);
    const stack = Stack.of(this);
    this.streamName = props.streamName ?? sinkStreamName(sink.tenant, sink.key);
    const bucketArn = stack.formatArn({ service: 's3', region: '', account: '', resource: props.bucketName });
    const errorPrefix = `${sink.tenant}/errors/${sink.key}/`;

    // Deleted with the stack: a retained log group of this fixed name would make re-creating a deleted
    // tenant stack fail ("already exists").
    const logGroup = new logs.LogGroup(this, 'DeliveryLogs', {
      logGroupName: `/aws/kinesisfirehose/${this.streamName}`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logStream = new logs.LogStream(this, 'DeliveryLogStream', {
      logGroup,
      logStreamName: 'DestinationDelivery',
      removalPolicy: RemovalPolicy.DESTROY,
    });
    logGroup.grantWrite(props.role);
    const cloudWatchLoggingOptions = {
      enabled: true,
      logGroupName: logGroup.logGroupName,
      logStreamName: logStream.logStreamName,
    };

    const mskSourceConfiguration: firehose.CfnDeliveryStream.MSKSourceConfigurationProperty = {
      mskClusterArn: props.clusterArn,
      topicName: sink.topic,
      authenticationConfiguration: { roleArn: props.role.roleArn, connectivity: 'PRIVATE' },
      readFromTimestamp: readFromTimestamp(sink),
    };

    this.bufferSizeMiB = Math.round(sink.bufferSizeBytes / MIB);
    const bufferingHints = {
      sizeInMBs: this.bufferSizeMiB,
      intervalInSeconds: Math.round(sink.bufferIntervalMs / 1000),
    };

    if (sink.format === 'iceberg') {
      this.table = this.icebergTable(props, columns);
      // Records carry RFC 3339 timestamps; Firehose's Iceberg destination takes microseconds and values of
      // the columns' own types, so every record passes the conversion the local sink applies too.
      this.transform = new IcebergTransform(this, 'Transform', {
        columns: convertedColumns(columns.map((c) => ({ name: c.name, type: c.icebergType }))),
        firehoseRole: props.role,
        bufferIntervalSeconds: Math.min(60, bufferingHints.intervalInSeconds),
        logRetention: props.logRetention,
      });
      this.deliveryStream = new firehose.CfnDeliveryStream(this, 'Resource', {
        deliveryStreamName: this.streamName,
        deliveryStreamType: 'MSKAsSource',
        mskSourceConfiguration,
        icebergDestinationConfiguration: {
          roleArn: props.role.roleArn,
          // https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-destination.html
          catalogConfiguration: { catalogArn: stack.formatArn({ service: 'glue', resource: 'catalog' }) },
          destinationTableConfigurationList: [
            {
              destinationDatabaseName: sink.database,
              destinationTableName: sink.table,
              uniqueKeys: sink.uniqueKeys,
              s3ErrorOutputPrefix: errorPrefix,
            },
          ],
          // Without unique keys every record is an insert; with them Firehose upserts.
          appendOnly: !sink.uniqueKeys || sink.uniqueKeys.length === 0,
          bufferingHints,
          processingConfiguration: this.transform.processingConfiguration,
          cloudWatchLoggingOptions,
          s3BackupMode: 'FailedDataOnly',
          s3Configuration: {
            bucketArn,
            roleArn: props.role.roleArn,
            errorOutputPrefix: errorPrefix,
            bufferingHints: { sizeInMBs: 5, intervalInSeconds: 300 },
          },
        },
      });
    } else {
      if (sink.format === 'parquet') this.table = this.parquetTable(props, columns);
      const partitioned = sink.partitionBy.length > 0;
      const processors: firehose.CfnDeliveryStream.ProcessorProperty[] = [];
      if (partitioned)
        processors.push({
          type: 'MetadataExtraction',
          parameters: [
            { parameterName: 'MetadataExtractionQuery', parameterValue: partitionQuery(sink.partitionBy) },
            { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
          ],
        });
      // JSON objects hold one record per line, as the local sink writes them; Firehose would otherwise
      // concatenate the records.
      if (sink.format === 'json') processors.push({ type: 'AppendDelimiterToRecord' });
      this.deliveryStream = new firehose.CfnDeliveryStream(this, 'Resource', {
        deliveryStreamName: this.streamName,
        deliveryStreamType: 'MSKAsSource',
        mskSourceConfiguration,
        extendedS3DestinationConfiguration: {
          bucketArn,
          roleArn: props.role.roleArn,
          // Without partition keys the arrival-time folders are spelt out rather than left to Firehose's
          // default, so AWS and the local sink write the same layout.
          // https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
          prefix: sink.prefix + (partitioned ? partitionPrefix(sink.partitionBy) : ARRIVAL_TIME_PREFIX),
          errorOutputPrefix: `${errorPrefix}!{firehose:error-output-type}/`,
          bufferingHints,
          // Parquet compresses its own pages.
          compressionFormat: sink.format === 'json' ? 'GZIP' : 'UNCOMPRESSED',
          cloudWatchLoggingOptions,
          dynamicPartitioningConfiguration: partitioned ? { enabled: true } : undefined,
          processingConfiguration: processors.length > 0 ? { enabled: true, processors } : undefined,
          dataFormatConversionConfiguration:
            sink.format === 'parquet'
              ? {
                  enabled: true,
                  inputFormatConfiguration: { deserializer: { openXJsonSerDe: {} } },
                  outputFormatConfiguration: { serializer: { parquetSerDe: { compression: 'SNAPPY' } } },
                  schemaConfiguration: {
                    catalogId: stack.account,
                    region: stack.region,
                    databaseName: sink.database,
                    tableName: sink.table,
                    roleArn: props.role.roleArn,
                    versionId: 'LATEST',
                  },
                }
              : undefined,
        },
      });
    }
    // The role's policy must exist before Firehose validates access to the source and destination (the
    // role itself is already a dependency through its ARN).
    const policy = props.role.node.tryFindChild('DefaultPolicy');
    if (policy) this.deliveryStream.node.addDependency(policy);
    if (this.table) this.deliveryStream.node.addDependency(this.table);
  }

  private icebergTable(props: LakehouseSinkProps, columns: TableColumn[]): glue.CfnTable {
    const { sink } = props;
    const ids = new Map(columns.map((column, index) => [column.name, index + 1]));
    const stack = Stack.of(this);
    return new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: sink.database,
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-glue-table-iceberginput.html
      openTableFormatInput: {
        icebergInput: {
          metadataOperation: 'CREATE',
          version: '2',
          icebergTableInput: {
            location: `s3://${props.bucketName}/${icebergTablePrefix(sink.tenant, sink.table)}/`,
            schema: {
              schemaId: 0,
              type: 'struct',
              fields: columns.map((column) => ({
                id: ids.get(column.name)!,
                name: column.name,
                type: column.icebergType,
                required: column.required,
              })),
              identifierFieldIds: sink.uniqueKeys?.map((key) => ids.get(key)!),
            },
            partitionSpec:
              sink.partitionBy.length > 0
                ? {
                    specId: 0,
                    fields: sink.partitionBy.map((field, index) => ({
                      fieldId: 1000 + index,
                      sourceId: ids.get(field.field)!,
                      name: `${field.field}_${field.transform}`,
                      transform: icebergTransform(field),
                    })),
                  }
                : undefined,
          },
        },
      },
      tableInput: { name: sink.table, tableType: 'EXTERNAL_TABLE' },
    });
  }

  private parquetTable(props: LakehouseSinkProps, columns: TableColumn[]): glue.CfnTable {
    const { sink } = props;
    const stack = Stack.of(this);
    const partitionNames = new Set(sink.partitionBy.map(partitionKeyName));
    return new glue.CfnTable(this, 'Table', {
      catalogId: stack.account,
      databaseName: sink.database,
      tableInput: {
        name: sink.table,
        tableType: 'EXTERNAL_TABLE',
        parameters: { classification: 'parquet', 'parquet.compression': 'SNAPPY' },
        partitionKeys: [...partitionNames].map((name) => ({ name, type: 'string' })),
        storageDescriptor: {
          location: `s3://${props.bucketName}/${sink.prefix}`,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          columns: columns
            .filter((column) => !partitionNames.has(column.name))
            .map((column) => ({ name: column.name.toLowerCase(), type: column.glueType })),
        },
      },
    });
  }
}

/**
 * The sink's `startFrom` as MSKSourceConfiguration.ReadFromTimestamp: the epoch for `earliest` (Firehose's
 * way of saying "from the first record"), unset for `latest` (Firehose starts when the stream becomes active),
 * else the UTC time. CloudFormation replaces the stream when it changes.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_MSKSourceConfiguration.html
 */
export function readFromTimestamp(
  sink: Pick<SinkSpec, 'startFrom' | 'startFromTimestamp'>,
): string | undefined {
  switch (sink.startFrom) {
    case 'earliest':
      return '1970-01-01T00:00:00Z';
    case 'latest':
      return undefined;
    case 'timestamp':
      return new Date(sink.startFromTimestamp!).toISOString().replace('.000Z', 'Z');
  }
}

/** Iceberg transform text: `day`, `bucket[16]`, `truncate[10]`. */
function icebergTransform(field: PartitionFieldSpec): string {
  return field.param === undefined ? field.transform : `${field.transform}[${field.param}]`;
}

/** `day=!{partitionKeyFromQuery:day}/` for each partition field, in order. */
export function partitionPrefix(fields: PartitionFieldSpec[]): string {
  return fields
    .map((field) => `${partitionKeyName(field)}=!{partitionKeyFromQuery:${partitionKeyName(field)}}/`)
    .join('');
}

/**
 * The jq query Firehose runs on each record to compute the partition keys. Time transforms slice the ISO
 * 8601 timestamp (`2026-11-24T07:30:00Z`[0:10] is the day).
 * https://docs.aws.amazon.com/firehose/latest/dev/dynamic-partitioning-partitioning-keys.html
 */
export function partitionQuery(fields: PartitionFieldSpec[]): string {
  const parts = fields.map((field) => {
    const source = `.${field.field}`;
    const expression =
      field.transform === 'identity'
        ? source
        : field.transform === 'truncate'
          ? `(${source}|tostring)[0:${field.param}]`
          : `${source}[0:${TIME_TRANSFORM_LENGTH[field.transform]}]`;
    return `${partitionKeyName(field)}: ${expression}`;
  });
  return `{${parts.join(', ')}}`;
}

function validate(props: LakehouseSinkProps, columns: TableColumn[]): void {
  const { sink } = props;
  const fail = (message: string): never => {
    throw new Error(`LakehouseSink ${sink.tenant}.${sink.key}: ${message}`);
  };
  if (!sink.prefix.startsWith(`${sink.tenant}/`))
    fail(
      `sink.prefix "${sink.prefix}" must start with "${sink.tenant}/", the tenant's own part of the bucket`,
    );
  if (sink.format !== 'json' && columns.length === 0)
    fail(`schema is required for format ${sink.format}: the table's columns come from it`);
  const names = new Set(columns.map((column) => column.name));
  for (const field of sink.partitionBy) {
    if (columns.length > 0 && !names.has(field.field))
      fail(`sink.partitionBy field "${field.field}" is not a column of the schema`);
    if (sink.format !== 'iceberg' && field.transform === 'bucket')
      fail('sink.partitionBy bucket(N, field) is available for iceberg sinks only; S3 prefixes cannot hash');
  }
  for (const key of sink.uniqueKeys ?? []) {
    const column = columns.find((c) => c.name === key);
    if (!column) fail(`sink.uniqueKeys "${key}" is not a column of the schema`);
    else if (!column.required) fail(`sink.uniqueKeys "${key}" must be a required property of the schema`);
  }
  const limits = FIREHOSE_BUFFER_LIMITS;
  const minBytes = usesFormatConversionOrPartitioning(sink.format, sink.partitionBy.length)
    ? limits.minConvertedBytes
    : limits.minBytes;
  if (sink.bufferSizeBytes < minBytes || sink.bufferSizeBytes > limits.maxBytes)
    fail(
      `sink.bufferSizeBytes must be ${minBytes / MIB}–${limits.maxBytes / MIB} MiB for a ${sink.format} sink${sink.partitionBy.length > 0 ? ' with partitionBy' : ''}, got ${sink.bufferSizeBytes}`,
    );
  if (sink.startFrom === 'timestamp' && !Number.isFinite(sink.startFromTimestamp))
    fail('sink.startFromTimestamp is required with startFrom timestamp');
  if (sink.bufferIntervalMs < 0 || sink.bufferIntervalMs > limits.maxIntervalMs)
    fail(`sink.bufferIntervalMs must be 0–${limits.maxIntervalMs}, got ${sink.bufferIntervalMs}`);
}
