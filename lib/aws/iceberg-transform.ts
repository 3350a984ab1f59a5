import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { type ConvertedColumns, ICEBERG_COLUMNS_ENV } from '../core/iceberg-record.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Lambda caps all environment variables of a function at 4 KB together. */
const ENV_LIMIT_BYTES = 4096;

/** Properties of an {@link IcebergTransform}. */
export interface IcebergTransformProps {
  /** The table's columns the conversion rewrites (timestamps, dates, strings). */
  readonly columns: ConvertedColumns;
  /** Role of the Firehose stream; it is allowed to invoke the function. */
  readonly firehoseRole: iam.IRole;
  /**
   * Firehose's buffering interval for the function, in seconds (0–900).
   * @default 60, Firehose's default
   */
  readonly bufferIntervalSeconds?: number;
  /**
   * Retention of the function's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * The Firehose data transformation of an Iceberg sink (functions/platform/iceberg-transform.ts): records carry
 * RFC 3339 timestamps, Firehose's Iceberg destination takes microseconds.
 * https://docs.aws.amazon.com/firehose/latest/dev/apache-iceberg-destination-supp.html
 */
export class IcebergTransform extends Construct {
  readonly function: nodejs.NodejsFunction;
  /** The stream's ProcessingConfiguration. */
  readonly processingConfiguration: firehose.CfnDeliveryStream.ProcessingConfigurationProperty;

  constructor(scope: Construct, id: string, props: IcebergTransformProps) {
    super(scope, id);
    const columns = JSON.stringify(props.columns);
    if (Buffer.byteLength(columns) + ICEBERG_COLUMNS_ENV.length > ENV_LIMIT_BYTES - 256)
      throw new Error(
        `IcebergTransform: columns take ${Buffer.byteLength(columns)} bytes, more than a Lambda environment holds (4 KB); shorten the schema's property names or split the topic`,
      );
    const interval = props.bufferIntervalSeconds ?? 60;
    if (!Number.isInteger(interval) || interval < 0 || interval > 900)
      throw new Error(`IcebergTransform: bufferIntervalSeconds must be an integer 0–900, got ${interval}`);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      description: 'Stratus: Firehose transform of an Iceberg sink (timestamps to microseconds)',
      entry: path.join(PROJECT_ROOT, 'functions/platform/iceberg-transform.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      // Firehose allows an invocation up to 5 minutes; a 3 MB batch takes well under a second.
      timeout: Duration.minutes(1),
      memorySize: 256,
      environment: { [ICEBERG_COLUMNS_ENV]: columns },
      logGroup: new logs.LogGroup(this, 'Logs', {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      bundling: { format: nodejs.OutputFormat.CJS, target: 'node24', minify: true },
    });
    // Firehose's documented permissions for a transform: invoke it and read its configuration.
    // https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#using-iam-s3
    props.firehoseRole.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'],
        resources: [this.function.functionArn],
      }),
    );
    this.processingConfiguration = {
      enabled: true,
      processors: [
        {
          type: 'Lambda',
          parameters: [
            { parameterName: 'LambdaArn', parameterValue: this.function.functionArn },
            { parameterName: 'BufferIntervalInSeconds', parameterValue: String(interval) },
          ],
        },
      ],
    };
  }
}
