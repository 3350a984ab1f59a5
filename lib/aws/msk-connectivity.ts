import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as cr from 'aws-cdk-lib/custom-resources';
import { Construct } from 'constructs';

const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Properties of an {@link MskVpcConnectivity}. */
export interface MskVpcConnectivityProps {
  /** ARN of the MSK Provisioned cluster. */
  readonly clusterArn: string;
  /**
   * How long the deployment waits for MSK's rolling update.
   * @default Duration.hours(2), the provider framework's maximum
   */
  readonly timeout?: Duration;
  /**
   * Retention of the handler's logs.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Turns on multi-VPC private connectivity with IAM on a cluster once it is ACTIVE, and completes only when MSK
 * has finished the rolling update (functions/platform/connectivity-handler.ts). MSK refuses the setting at
 * cluster creation, so it cannot be a property of `AWS::MSK::Cluster`; whatever must come after it (the
 * cluster policy, the parameters tenant stacks read) depends on this construct.
 * https://docs.aws.amazon.com/msk/latest/developerguide/mvpc-cluster-owner-action-turn-on.html
 */
export class MskVpcConnectivity extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: MskVpcConnectivityProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.hours(2);
    if (timeout.toMinutes() < 30 || timeout.toHours({ integral: false }) > 2)
      throw new Error(
        `MskVpcConnectivity: timeout must be 30 minutes to 2 hours (MSK's update takes 30 minutes or more), got ${timeout.toHumanString()}`,
      );
    const retention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const handler = (name: 'onEvent' | 'isComplete') =>
      new nodejs.NodejsFunction(this, name === 'onEvent' ? 'OnEvent' : 'IsComplete', {
        description: `Stratus: MSK multi-VPC connectivity (${name})`,
        entry: path.join(PROJECT_ROOT, 'functions/platform/connectivity-handler.ts'),
        handler: name,
        runtime: lambda.Runtime.NODEJS_24_X,
        architecture: lambda.Architecture.ARM_64,
        timeout: Duration.minutes(1),
        memorySize: 256,
        logGroup: new logs.LogGroup(this, `${name}Logs`, { retention, removalPolicy: RemovalPolicy.DESTROY }),
        projectRoot: PROJECT_ROOT,
        depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
        bundling: {
          format: nodejs.OutputFormat.CJS,
          target: 'node24',
          minify: true,
          externalModules: ['@aws-sdk/*'],
        },
      });
    const onEvent = handler('onEvent');
    const isComplete = handler('isComplete');
    isComplete.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kafka:DescribeClusterV2', 'kafka:UpdateConnectivity'],
        resources: [props.clusterArn],
      }),
    );
    const provider = new cr.Provider(this, 'Provider', {
      onEventHandler: onEvent,
      isCompleteHandler: isComplete,
      queryInterval: Duration.minutes(1),
      totalTimeout: timeout,
      logGroup: new logs.LogGroup(this, 'ProviderLogs', { retention, removalPolicy: RemovalPolicy.DESTROY }),
      // The waiter's history shows each poll while MSK updates the brokers.
      disableWaiterStateMachineLogging: false,
      waiterStateMachineLogOptions: {
        destination: new logs.LogGroup(this, 'WaiterLogs', {
          retention,
          removalPolicy: RemovalPolicy.DESTROY,
        }),
        level: sfn.LogLevel.ALL,
      },
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::StratusMskVpcConnectivity',
      properties: { ClusterArn: props.clusterArn },
    });
  }
}
