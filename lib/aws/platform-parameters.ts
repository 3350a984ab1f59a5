/**
 * The facts the platform stack publishes for tenant stacks, as SSM parameters. Tenant stacks read them at
 * deploy time (`AWS::SSM::Parameter::Value<…>` template parameters) and never import a CloudFormation export,
 * so deploying or deleting one tenant never touches the platform stack or another tenant's stack.
 */
import { Fn } from 'aws-cdk-lib';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';

/** Prefix of every parameter the platform writes. */
export const PLATFORM_PARAMETER_PREFIX = '/stratus/platform';

/** The parameter names, one definition for the writer (platform) and the readers (tenants). */
export const PLATFORM_PARAMETERS = {
  clusterArn: `${PLATFORM_PARAMETER_PREFIX}/msk/cluster-arn`,
  /** Comma-separated SASL/IAM bootstrap brokers (port 9098). */
  bootstrapBrokers: `${PLATFORM_PARAMETER_PREFIX}/msk/bootstrap-brokers-iam`,
  /** StringList of the private subnets that reach the brokers. */
  subnetIds: `${PLATFORM_PARAMETER_PREFIX}/network/subnet-ids`,
  /** Security group that the cluster admits on 9098; tenant functions run in it. */
  clientSecurityGroupId: `${PLATFORM_PARAMETER_PREFIX}/network/client-security-group-id`,
  lakehouseBucketName: `${PLATFORM_PARAMETER_PREFIX}/lakehouse/bucket-name`,
  idempotencyTableName: `${PLATFORM_PARAMETER_PREFIX}/idempotency/table-name`,
  alarmTopicArn: `${PLATFORM_PARAMETER_PREFIX}/alarms/topic-arn`,
} as const;

/** The platform facts a tenant stack builds on; tokens that resolve at deploy time. */
export interface PlatformFacts {
  /** `arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`. */
  readonly clusterArn: string;
  /** Comma-separated SASL/IAM bootstrap brokers. */
  readonly bootstrapBrokers: string;
  /** Subnets the tenant's functions run in. */
  readonly subnetIds: string[];
  /** Security group of the tenant's functions. */
  readonly securityGroupId: string;
  /** Name of the lakehouse bucket. */
  readonly lakehouseBucketName: string;
  /** Name of the shared idempotency table. */
  readonly idempotencyTableName: string;
  /** ARN of the SNS topic every alarm notifies. */
  readonly alarmTopicArn: string;
}

/**
 * Reads the platform facts from SSM, as deploy-time template parameters of the calling stack. Each parameter
 * is added on first use only, so a tenant without idempotent consumers has no idempotency-table parameter.
 */
export function readPlatformFacts(scope: Construct): PlatformFacts {
  const cache = new Map<string, string | string[]>();
  const once = <T extends string | string[]>(name: string, read: () => T): T => {
    if (!cache.has(name)) cache.set(name, read());
    return cache.get(name) as T;
  };
  const value = (name: string) => once(name, () => ssm.StringParameter.valueForStringParameter(scope, name));
  return {
    get clusterArn() {
      return value(PLATFORM_PARAMETERS.clusterArn);
    },
    get bootstrapBrokers() {
      return value(PLATFORM_PARAMETERS.bootstrapBrokers);
    },
    get subnetIds() {
      return once(PLATFORM_PARAMETERS.subnetIds, () =>
        ssm.StringListParameter.valueForTypedListParameter(scope, PLATFORM_PARAMETERS.subnetIds),
      );
    },
    get securityGroupId() {
      return value(PLATFORM_PARAMETERS.clientSecurityGroupId);
    },
    get lakehouseBucketName() {
      return value(PLATFORM_PARAMETERS.lakehouseBucketName);
    },
    get idempotencyTableName() {
      return value(PLATFORM_PARAMETERS.idempotencyTableName);
    },
    get alarmTopicArn() {
      return value(PLATFORM_PARAMETERS.alarmTopicArn);
    },
  };
}

/** The MSK resource kinds IAM access control names. */
export type MskResourceKind = 'topic' | 'group' | 'transactional-id';

/**
 * ARN of a topic or group on the cluster, derived at deploy time from the cluster ARN
 * (`…:cluster/<name>/<uuid>` → `…:topic/<name>/<uuid>/<topic>`), so it works with a cluster ARN that is
 * only known from SSM. https://docs.aws.amazon.com/msk/latest/developerguide/iam-access-control.html#msk-iam-resources
 */
export function mskResourceArn(clusterArn: string, kind: MskResourceKind, name: string): string {
  const [head, path] = [
    Fn.select(0, Fn.split(':cluster/', clusterArn)),
    Fn.select(1, Fn.split(':cluster/', clusterArn)),
  ];
  return Fn.join('', [head, `:${kind}/`, path, `/${name}`]);
}

/** The cluster name inside a cluster ARN (the `Cluster Name` dimension of AWS/Kafka metrics). */
export function mskClusterName(clusterArn: string): string {
  return Fn.select(1, Fn.split('/', clusterArn));
}
