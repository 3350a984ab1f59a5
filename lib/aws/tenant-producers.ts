/**
 * The tenant's declared producers on AWS (`producers:`): for each, the IAM principal it runs as — an existing
 * role of the account, which gets a policy attached, or a role this stack creates with the trust the manifest
 * names — granted exactly what an idempotent producer of its topics needs (TenantAccess.grantProducer), plus
 * where to connect: SSM parameters with the bootstrap brokers and the role ARN, and stack outputs. The producer
 * SDK reads the brokers parameter when STRATUS_KAFKA_BROKERS is not set (docs/producers.md).
 */
import { CfnOutput, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { producerParameterNames, producerRoleName } from '../core/naming.ts';
import type { ProducerSpec, ProducerTrust } from '../manifest/spec.ts';
import type { TenantAccess } from './tenant-access.ts';

/** Properties of {@link TenantProducers}. */
export interface TenantProducersProps {
  /** Tenant name; every producer must belong to it. */
  readonly tenant: string;
  /** The manifest's `producers:`. */
  readonly producers: ProducerSpec[];
  /** The tenant's IAM scope: producers are granted through it, so they can reach only the tenant's topics. */
  readonly access: TenantAccess;
  /** Comma-separated SASL/IAM bootstrap brokers (the platform's SSM parameter). */
  readonly bootstrapBrokers: string;
  /**
   * ARN of the ingest route (`POST /ingest/<tenant>/<topic>`) of each topic with `ingest.auth: iam`: producers
   * writing such a topic may also call its route.
   * @default - no ingest route is granted
   */
  readonly ingestRouteArn?: (topicKey: string) => string | undefined;
}

/** What the stack made for one producer. */
export interface DeclaredProducer {
  /** The role it runs as (imported for an existing one). */
  readonly role: iam.IRole;
  readonly roleArn: string;
  readonly brokersParameter: ssm.StringParameter;
  readonly roleArnParameter: ssm.StringParameter;
}

export class TenantProducers extends Construct {
  readonly producers = new Map<string, DeclaredProducer>();

  constructor(scope: Construct, id: string, props: TenantProducersProps) {
    super(scope, id);
    for (const spec of props.producers) {
      if (spec.tenant !== props.tenant)
        throw new Error(
          `TenantProducers ${props.tenant}: producer "${spec.key}" belongs to tenant "${spec.tenant}"`,
        );
      this.producers.set(spec.key, this.declare(spec, props));
    }
  }

  private declare(spec: ProducerSpec, props: TenantProducersProps): DeclaredProducer {
    const scope = new Construct(this, spec.key);
    const role =
      spec.principal.kind === 'existing'
        ? iam.Role.fromRoleArn(scope, 'Role', spec.principal.roleArn, { mutable: true })
        : new iam.Role(scope, 'Role', {
            roleName: producerRoleName(props.tenant, spec.key),
            assumedBy: trustedPrincipal(scope, spec.principal.trust),
            description: `Stratus producer ${props.tenant}/${spec.key}: writes ${spec.topics.join(', ')}`,
          });
    props.access.grantProducer(role, spec.topics);
    const routes = spec.topicKeys.flatMap((key) => props.ingestRouteArn?.(key) ?? []);
    if (routes.length > 0)
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          sid: 'InvokeIngestRoutes',
          actions: ['execute-api:Invoke'],
          resources: routes,
        }),
      );

    const names = producerParameterNames(props.tenant, spec.key);
    const brokersParameter = new ssm.StringParameter(scope, 'BootstrapBrokers', {
      parameterName: names.bootstrapBrokers,
      stringValue: props.bootstrapBrokers,
      description: `SASL/IAM bootstrap brokers for producer ${props.tenant}/${spec.key} (STRATUS_KAFKA_BROKERS_PARAMETER)`,
    });
    const roleArnParameter = new ssm.StringParameter(scope, 'RoleArn', {
      parameterName: names.roleArn,
      stringValue: role.roleArn,
      description: `IAM role of producer ${props.tenant}/${spec.key}`,
    });
    // GetParameter only (what the producer SDK calls); StringParameter.grantRead would add DescribeParameters,
    // which IAM matches on "*" only.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadBrokersParameter',
        actions: ['ssm:GetParameter'],
        // Named literally (the parameter's name is known), so the grant reads as the one parameter it is.
        resources: [
          Stack.of(this).formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: names.bootstrapBrokers.replace(/^\//, ''),
          }),
        ],
      }),
    );
    const output = pascal(spec.key);
    new CfnOutput(Stack.of(this), `Producer${output}RoleArn`, {
      description: `Role of producer ${spec.key} (writes ${spec.topics.join(', ')})`,
      value: role.roleArn,
    });
    new CfnOutput(Stack.of(this), `Producer${output}BrokersParameter`, {
      description: `SSM parameter with the bootstrap brokers of producer ${spec.key}`,
      value: brokersParameter.parameterName,
    });
    return { role, roleArn: role.roleArn, brokersParameter, roleArnParameter };
  }
}

/**
 * Who may assume a created producer role. ECS tasks are held to this account's tasks (`aws:SourceAccount`,
 * `aws:SourceArn`), as ECS documents for task roles; EKS Pod Identity needs sts:TagSession besides AssumeRole;
 * an account's principals get the role only if that account's own policies allow them to assume it.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html
 * https://docs.aws.amazon.com/eks/latest/userguide/pod-id-role.html
 */
function trustedPrincipal(scope: Construct, trust: ProducerTrust): iam.IPrincipal {
  const stack = Stack.of(scope);
  switch (trust.kind) {
    case 'ecs-task':
      return new iam.ServicePrincipal('ecs-tasks.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ecs', resource: '*' }) },
        },
      });
    case 'lambda':
      return new iam.ServicePrincipal('lambda.amazonaws.com');
    case 'eks-pod':
      return new iam.SessionTagsPrincipal(new iam.ServicePrincipal('pods.eks.amazonaws.com'));
    case 'account':
      return new iam.AccountPrincipal(trust.account);
  }
}

/** `partner-bridge` → `PartnerBridge`, for output ids (letters and digits only). */
function pascal(key: string): string {
  return key
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
