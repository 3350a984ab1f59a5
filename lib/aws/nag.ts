/**
 * cdk-nag's AwsSolutions checks on every Stratus stack, and the findings Stratus accepts, each with its
 * reason. cdk-nag 3 acknowledges each finding by its exact id (`AwsSolutions-IAM5[Resource::…]`), and those
 * ids carry tenant-specific ARNs, so the accepted findings are listed here as patterns and acknowledged on
 * the exact construct that raised them; any finding that matches no pattern stays an error.
 */
import { type App, type Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** A kind of finding Stratus accepts. */
export interface AcceptedFinding {
  /** Matches the finding id, e.g. `AwsSolutions-IAM5[Resource::…]`. */
  readonly id: RegExp;
  /** Matches the path of the construct that raised it. @default - any construct */
  readonly path?: RegExp;
  /** Why it is accepted. */
  readonly reason: string;
}

const MANAGED = (name: string) =>
  new RegExp(
    `^AwsSolutions-IAM4\\[Policy::arn:(<AWS::Partition>|aws):iam::aws:policy/service-role/${name}\\]$`,
  );

/** Findings accepted in every Stratus stack. */
export const ACCEPTED_FINDINGS: AcceptedFinding[] = [
  {
    id: MANAGED('AWSLambdaMSKExecutionRole'),
    reason:
      'Kafka event-source mappings need AWSLambdaMSKExecutionRole (ManagedKafkaEventSource attaches it: VPC ENIs, kafka:Describe*). It grants no kafka-cluster data action; data access is granted per tenant by TenantAccess.',
  },
  {
    id: MANAGED('AWSLambdaBasicExecutionRole'),
    reason: 'Lambda logging to CloudWatch Logs; the AWS-managed policy is the documented minimum.',
  },
  {
    id: MANAGED('AWSLambdaVPCAccessExecutionRole'),
    reason:
      'Consumer functions and the topic and quota custom-resource handlers run in the VPC to reach the brokers; this is the documented ENI policy (it has ec2:AssignPrivateIpAddresses/UnassignPrivateIpAddresses, which AWSLambdaMSKExecutionRole lacks).',
  },
  {
    id: /^AwsSolutions-L1$/,
    path: /\/(AWS[0-9a-f]{32}|(TopicProvider|KafkaQuotas)\/Provider\/framework-onEvent)\//,
    reason:
      'The runtime of CDK-provided functions (AwsCustomResource, the provider framework) is chosen by aws-cdk-lib.',
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::<[A-Za-z0-9]+\.Arn>:\*\]$/,
    path: /\/(TopicProvider|VpcConnectivity|KafkaQuotas)\/Provider\/(framework-[A-Za-z]+|waiter-state-machine)\//,
    reason:
      'The custom-resource provider framework (and its waiter state machine) may invoke any version of its own handler functions.',
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    path: /\/(Access\/FirehoseRole|BootstrapBrokers\/CustomResourcePolicy)\//,
    reason:
      'kafka:GetBootstrapBrokers has no resource type in IAM, so only Resource "*" grants it; it returns broker addresses, no data.',
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    path: /\/VpcConnectivity\/Provider\/waiter-state-machine\/Role\/DefaultPolicy\//,
    reason:
      'Step Functions log delivery (logs:CreateLogDelivery, GetLogDelivery, ..., DescribeLogGroups) accepts only Resource "*".',
  },
  {
    id: /^AwsSolutions-SF2$/,
    path: /\/VpcConnectivity\/Provider\/waiter-state-machine\/Resource$/,
    reason:
      "The provider framework's waiter state machine offers no X-Ray option; it only polls the isComplete handler once a minute, and its execution history is logged.",
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::\*\]$/,
    path: /\/(Consumer-[^/]+\/Function|TopicProvider\/Handler|KafkaQuotas\/Handler|Ingest\/Function)\/ServiceRole\/DefaultPolicy\//,
    reason: 'X-Ray PutTraceSegments/PutTelemetryRecords accept only Resource "*" (Lambda active tracing).',
  },
  {
    id: /^AwsSolutions-SMG4$/,
    path: /\/Ingest\/ApiKey\/Resource$/,
    reason:
      "The ingest API key is handed to the tenant's clients, so rotating it is a step the team takes with them (put a new value; the authorizer reads the secret at most every 5 minutes, no deploy needed). An automatic rotation would lock every client out.",
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::arn:(<AWS::Partition>|aws):s3:::<[A-Za-z0-9]+>\/[a-z][a-z0-9-]+\/\*\]$/,
    path: /\/Access\/FirehoseRole\//,
    reason:
      "Firehose writes objects under the tenant's own prefix '<tenant>/' only (tenant names cannot contain '/').",
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::.*:group\/.*\/\*\]$/,
    path: /\/Access\/FirehoseRole\//,
    reason:
      "Firehose's documented MSK-source role has kafka-cluster:DescribeGroup on group/<cluster>/<uuid>/*: its own consumer group's name is not documented. Read-only; AlterGroup is not granted.",
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::<[A-Za-z0-9]+\.Arn>:\*\]$/,
    path: /\/Access\/FirehoseRole\//,
    reason: "Firehose writes log streams of the sink's own delivery log group.",
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::.*:topic\/.*\/[a-z][a-z0-9-]+\.\*\]$/,
    path: /\/TopicProvider\/Handler\//,
    reason:
      "The topic custom resource manages the tenant's topics, 'topic/<cluster>/<uuid>/<tenant>.*' ('.' cannot occur in tenant names).",
  },
  {
    id: /^AwsSolutions-L1$/,
    path: /\/SchemaRegistry\/Provider\/framework-onEvent\//,
    reason: 'The runtime of the provider framework function is chosen by aws-cdk-lib.',
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::<SchemaRegistryHandler[A-F0-9]{8}\.Arn>:\*\]$/,
    path: /\/SchemaRegistry\/Provider\/framework-onEvent\//,
    reason: 'The custom-resource provider framework may invoke any version of its own handler function.',
  },
  {
    id: /^AwsSolutions-IAM5\[Resource::arn:(<AWS::Partition>|aws[a-z-]*):glue:(<AWS::Region>|[a-z0-9-]+):(<AWS::AccountId>|\d{12}):schema\/stratus-[a-z][a-z0-9-]+\/\*\]$/,
    path: /\/(SchemaRegistry\/Handler|Consumer-[^/]+\/Function)\/ServiceRole\/DefaultPolicy\//,
    reason: "Every schema of the tenant's own registry, 'schema/stratus-<tenant>/*' (one schema per topic).",
  },
  {
    id: /^AwsSolutions-KDF1$/,
    path: /\/Sink-[^/]+\/Resource$/,
    reason:
      'Firehose server-side encryption applies to Direct PUT streams only; these streams read from MSK (encrypted at rest) and write to the encrypted lakehouse bucket.',
  },
  {
    id: /^AwsSolutions-S1$/,
    path: /\/AccessLogs\/Resource$/,
    reason: 'This is the server access log bucket itself; logging it into itself would loop.',
  },
];

/** Registers the AwsSolutions pack on the app; `app.synth()` fails on any finding not acknowledged. */
export function addNagChecks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}

/** Acknowledges the {@link ACCEPTED_FINDINGS} that `stack` raises, on the constructs that raise them. */
export function acknowledgeAcceptedFindings(stack: Stack, accepted = ACCEPTED_FINDINGS): void {
  const report = new AwsSolutionsChecks().validateScope(stack);
  const byPath = new Map<string, IConstruct>(stack.node.findAll().map((c) => [c.node.path, c]));
  for (const violation of report.violations) {
    for (const resource of violation.violatingResources) {
      const path = resource.constructPath ?? '';
      const match = accepted.find(
        (a) => a.id.test(violation.ruleName) && (!a.path || a.path.test(`/${path}`)),
      );
      const construct = byPath.get(path);
      if (match && construct)
        Validations.of(construct).acknowledge({ id: violation.ruleName, reason: match.reason });
    }
  }
}

/** The unacknowledged AwsSolutions findings of a stack (for tests). */
export function nagFindings(stack: Stack): Array<{ rule: string; path: string; severity: string }> {
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.flatMap((v) =>
    v.violatingResources.map((r) => ({
      rule: v.ruleName,
      path: r.constructPath ?? '',
      severity: v.severity ?? 'error',
    })),
  );
}
