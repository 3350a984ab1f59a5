import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { tenantClientId } from '../core/naming.ts';
import { placeInVpc } from './function-vpc.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** One tenant's quotas, bytes per second per broker. */
export interface TenantQuota {
  readonly tenant: string;
  /** @default - no produce quota */
  readonly produceBytesPerSecond?: number;
  /** @default - no consume quota */
  readonly consumeBytesPerSecond?: number;
}

/** Properties of a {@link KafkaQuotas}. */
export interface KafkaQuotasProps {
  /** ARN of the MSK cluster (Provisioned: MSK Serverless has fixed quotas and no client quotas). */
  readonly clusterArn: string;
  /** Comma-separated SASL/IAM bootstrap brokers. */
  readonly bootstrapBrokers: string;
  /** Subnets and security groups that reach the brokers. */
  readonly vpcConfig: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /** The tenants' quotas; a tenant without rates gets no resource. */
  readonly quotas: TenantQuota[];
  /**
   * Log retention of the handler.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Per-tenant Kafka quotas on MSK: a `Custom::StratusKafkaQuota` per tenant on its client id `stratus-<tenant>`,
 * applied by functions/platform/quota-handler.ts over the Kafka protocol with IAM auth. It lives in the platform
 * stack, because altering client quotas is a cluster-wide permission (kafka-cluster:AlterClusterDynamicConfiguration,
 * https://docs.aws.amazon.com/msk/latest/developerguide/kafka-actions.html) that no tenant should hold.
 */
export class KafkaQuotas extends Construct {
  readonly handler: nodejs.NodejsFunction;
  /** The custom resource of each tenant with quotas, by tenant name. */
  readonly resources = new Map<string, CustomResource>();

  constructor(scope: Construct, id: string, props: KafkaQuotasProps) {
    super(scope, id);
    for (const quota of props.quotas)
      for (const [name, value] of Object.entries({
        produceBytesPerSecond: quota.produceBytesPerSecond,
        consumeBytesPerSecond: quota.consumeBytesPerSecond,
      }))
        if (value !== undefined && !(Number.isInteger(value) && value > 0))
          throw new Error(
            `KafkaQuotas: ${name} of tenant ${quota.tenant} must be a positive integer, got ${value}`,
          );
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    this.handler = new nodejs.NodejsFunction(this, 'Handler', {
      description: 'Stratus: per-tenant Kafka client quotas',
      entry: path.join(PROJECT_ROOT, 'functions/platform/quota-handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(2),
      memorySize: 256,
      logGroup: new logs.LogGroup(this, 'Logs', { retention, removalPolicy: RemovalPolicy.DESTROY }),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      environment: { STRATUS_KAFKA_BROKERS: props.bootstrapBrokers },
      bundling: {
        format: nodejs.OutputFormat.CJS,
        target: 'node24',
        minify: true,
        externalModules: ['@aws-sdk/*'],
      },
    });
    placeInVpc(this.handler, props.vpcConfig);
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'kafka-cluster:Connect',
          'kafka-cluster:AlterClusterDynamicConfiguration',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
        ],
        resources: [props.clusterArn],
      }),
    );
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention, removalPolicy: RemovalPolicy.DESTROY }),
    });
    const tenants = new Construct(this, 'Tenants');
    for (const quota of props.quotas) {
      if (quota.produceBytesPerSecond === undefined && quota.consumeBytesPerSecond === undefined) continue;
      this.resources.set(
        quota.tenant,
        new CustomResource(tenants, quota.tenant, {
          serviceToken: provider.serviceToken,
          resourceType: 'Custom::StratusKafkaQuota',
          properties: {
            ClientId: tenantClientId(quota.tenant),
            ProducerByteRate: quota.produceBytesPerSecond,
            ConsumerByteRate: quota.consumeBytesPerSecond,
          },
        }),
      );
    }
  }
}
