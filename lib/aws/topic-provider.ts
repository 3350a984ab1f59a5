import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';
import { tenantResourcePrefix } from '../core/naming.ts';
import { placeInVpc } from './function-vpc.ts';
import { mskResourceArn } from './platform-parameters.ts';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Properties of a {@link TopicProvider}. */
export interface TopicProviderProps {
  /** Tenant whose topics the provider manages; it can touch no other topic. */
  readonly tenant: string;
  /** ARN of the MSK cluster. */
  readonly clusterArn: string;
  /** Comma-separated SASL/IAM bootstrap brokers. */
  readonly bootstrapBrokers: string;
  /** Subnets and security groups that reach the brokers. */
  readonly vpcConfig?: { readonly subnetIds: string[]; readonly securityGroupIds: string[] };
  /**
   * Log retention of the handler.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Custom-resource provider for topics on MSK Serverless (which has no `AWS::MSK::Topic`): the Kafka admin API
 * over SASL/IAM, from functions/platform/topic-handler.ts. One per tenant stack, allowed to manage only the
 * tenant's own topics (`topic/<cluster>/<uuid>/<tenant>.*`; '.' cannot occur in tenant names).
 */
export class TopicProvider extends Construct {
  /** Service token for {@link KafkaTopic}'s custom resource. */
  readonly serviceToken: string;
  readonly handler: nodejs.NodejsFunction;

  constructor(scope: Construct, id: string, props: TopicProviderProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.handler = new nodejs.NodejsFunction(this, 'Handler', {
      description: `Stratus: Kafka topics of tenant ${props.tenant} on MSK Serverless`,
      entry: path.join(PROJECT_ROOT, 'functions/platform/topic-handler.ts'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.minutes(5),
      memorySize: 256,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      environment: {
        STRATUS_KAFKA_BROKERS: props.bootstrapBrokers,
        STRATUS_KAFKA_AUTH: 'iam',
        STRATUS_TOPIC_PREFIX: tenantResourcePrefix(props.tenant),
      },
      bundling: {
        format: nodejs.OutputFormat.CJS,
        target: 'node24',
        minify: true,
        externalModules: ['@aws-sdk/*'],
      },
    });
    if (props.vpcConfig) placeInVpc(this.handler, props.vpcConfig);
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['kafka-cluster:Connect'], resources: [props.clusterArn] }),
    );
    this.handler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DeleteTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: [mskResourceArn(props.clusterArn, 'topic', `${tenantResourcePrefix(props.tenant)}*`)],
      }),
    );
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: this.handler,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', {
        retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    });
    this.serviceToken = provider.serviceToken;
  }
}
