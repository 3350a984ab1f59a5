/**
 * The resolved, typed form of the platform config and the tenant manifests. Every name is already
 * qualified, every duration is in milliseconds, every size in bytes and every default applied, so the CDK
 * stacks and the local runtime read the same facts and never re-derive them.
 */

/** A Lambda event-filtering pattern, applied to the record as AWS does (`value` is the JSON-decoded value). */
export type FilterPattern = Record<string, unknown>;

export type StartingPosition = 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';

/**
 * Where a sink starts reading its topic the first time: Firehose's MSK source starts at the time the stream
 * becomes active unless ReadFromTimestamp says otherwise (the epoch for the earliest record).
 */
export type SinkStartFrom = 'earliest' | 'latest' | 'timestamp';

export type SinkFormat = 'iceberg' | 'parquet' | 'json';

export type ClusterMode = 'provisioned' | 'serverless' | 'existing';

import type { CompatibilityMode } from '../contracts/compatibility.ts';
import type { QualityRule } from '../contracts/quality-rules.ts';

/** Where a resolved value came from, so later checks can point at the line that declared it. */
export interface SourceRef {
  /** Manifest file path, relative to the project root. */
  file: string;
  line: number;
  col: number;
}

export interface PlatformSpec {
  /** The config file, relative to the project root; `(defaults)` when there is none. */
  file: string;
  /** Absolute project root; manifests' handler and schema paths are relative to it. */
  rootDir: string;
  region: string;
  /** AWS account id; `undefined` synthesizes environment-agnostic stacks. */
  account?: string;
  cluster: ClusterSpec;
  governance: GovernanceSpec;
  /** Directory of tenant manifests, relative to the project root. */
  tenantsDir: string;
  /** The lambda runtime's settings for every consumer function unless a consumer overrides them. */
  functionDefaults: { memoryMb: number; timeoutMs: number; logRetentionDays: number; logLevel: string };
  local: LocalSpec;
  /** Compatibility mode of topics that set none (`contracts.compatibility`). */
  defaultCompatibility: CompatibilityMode;
}

export interface ClusterSpec {
  mode: ClusterMode;
  /** Cluster name (provisioned/serverless) – used in IAM ARNs. */
  name: string;
  /** ARN of an existing cluster (mode `existing`). */
  arn?: string;
  kafkaVersion: string;
  brokerNodes: number;
  instanceType: string;
  /** EBS volume per broker in GiB. */
  volumeSizeGiB: number;
  /** Import this VPC instead of creating one. */
  vpcId?: string;
}

export interface GovernanceSpec {
  maxPartitionsPerTopic: number;
  maxPartitionsPerTenant: number;
  maxRetentionMs: number;
  requireOwners: boolean;
  requireCostCenter: boolean;
  policies: PoliciesSpec;
  /** Highest Kafka quotas a tenant may ask for, bytes per second per broker; undefined is unlimited. */
  maxProduceBytesPerSecond?: number;
  maxConsumeBytesPerSecond?: number;
}

/**
 * A tenant's Kafka quotas, bytes per second per broker, on its client id (`stratus-<tenant>`): the manifest's
 * `quotas`, else the platform's maxima. Undefined means no quota.
 */
export interface QuotasSpec {
  produceBytesPerSecond?: number;
  consumeBytesPerSecond?: number;
}

/** Platform policies every manifest is checked against (`governance.policies`). */
export interface PoliciesSpec {
  /** Tags every tenant must set in `tags:`, optionally restricted to some values. */
  requiredTags: Array<{ key: string; allowed?: string[] }>;
  /** Rule for topic keys, matched against the whole key. */
  topicNamePattern?: { source: string; regex: RegExp };
  /** Topics whose schema marks a field `x-pii: true` keep records at most this long. */
  piiMaxRetentionMs?: number;
}

export interface LocalSpec {
  /** Port of the embedded Kafka broker (PLAINTEXT). */
  kafkaPort: number;
  /** Port of the embedded AWS emulator (moto_server). */
  awsPort: number;
  /** Port of the metrics and health server. */
  metricsPort: number;
  /** Port of the web portal `stratus dev` serves (`stratus portal --port` overrides it). */
  portalPort: number;
  /** Working directory for broker data, logs and the warehouse, relative to the project root. */
  stateDir: string;
}

export interface TopicSpec {
  /** Key in the manifest (`orders`). */
  key: string;
  /** Name on the cluster (`payments.orders`). */
  name: string;
  partitions: number;
  /** `-1` keeps records forever. */
  retentionMs: number;
  cleanupPolicy: 'delete' | 'compact';
  /** JSON Schema file, relative to the project root. */
  schemaFile?: string;
  /** The parsed JSON Schema. */
  schema?: Record<string, unknown>;
  /** Keep the topic when its stack is deleted (the default) or delete it. */
  removalPolicy: 'retain' | 'destroy';
  /** True for the tenant's dead-letter topic, which the platform adds. */
  isDlq: boolean;
  /** How the schema may evolve; checked by `stratus schema check`, `validate` and the registry. */
  compatibility: CompatibilityMode;
  /** Data-quality rules, type-checked against `schema`; run by the SDK on records of this topic. */
  quality: QualityRuleSpec[];
  /**
   * Tenants allowed to read the topic (`shareWith`); only reads are shared, writes stay with the owner.
   * @default none
   */
  shareWith?: ShareSpec[];
  source: SourceRef;
}

/** One grant of `topics.<t>.shareWith`. */
export interface ShareSpec {
  /** A tenant name, or `*` for every tenant. */
  tenant: string;
  /** The share may carry fields marked `x-pii: true` (policy governance.policies.pii.share). */
  allowPii: boolean;
  source: SourceRef;
}

/** A consumer reading another tenant's topic (`topic: <owner>/<topic>`). */
export interface SharedRead {
  /** The tenant that owns the topic. */
  owner: string;
  /** The topic's key in the owner's manifest. */
  key: string;
  /** Full name on the cluster (`<owner>.<key>`). */
  topic: string;
  /** The reading consumer's key. */
  consumer: string;
  /** Where the reference is written (the consumer's `topic:` value). */
  source: SourceRef;
}

export interface QualityRuleSpec extends QualityRule {
  /** Alarm when more than this percentage of records fail the rule (rule's `alarmPercent`, else `alerts.quality`). */
  alarmPercent?: number;
  source: SourceRef;
}

/** Table-level expectations of a sink, as alarms on AWS and locally. */
export interface SinkExpectationsSpec {
  /** Alarm when the newest delivered row is older than this. */
  freshnessMs?: number;
  /** Alarm when fewer rows than `minRows` arrive within `periodMs`. */
  volume?: { minRows: number; periodMs: number };
}

export interface IdempotencySpec {
  /** JMESPath into the decoded record (`value.orderId`); default: topic, partition and offset. */
  key: string;
  ttlMs: number;
}

export interface ConsumerSpec {
  key: string;
  tenant: string;
  /** `<tenant>.<consumer>`. */
  groupId: string;
  /** Topic key (in its owner's manifest) and full name the consumer reads. */
  topicKey: string;
  topic: string;
  /**
   * Tenant owning the topic when another tenant shares it with this one (`topic: <owner>/<topic>`).
   * @default the consumer's own tenant
   */
  topicOwner?: string;
  /** Handler module, relative to the project root; must export `handler`. */
  handlerFile: string;
  /** Output topic key and full name when the consumer is a processor. */
  outputKey?: string;
  output?: string;
  batchSize: number;
  batchWindowMs: number;
  startingPosition: StartingPosition;
  /** Epoch milliseconds, with `AT_TIMESTAMP`. */
  startingPositionTimestamp?: number;
  filters: FilterPattern[];
  /** `-1` retries until the record expires. */
  retries: number;
  /** `-1` never expires records. */
  maxRecordAgeMs: number;
  bisectOnError: boolean;
  idempotency?: IdempotencySpec;
  /** Full name of the on-failure topic (the tenant's DLQ) or undefined to drop after retries. */
  onFailureTopic?: string;
  memoryMb: number;
  timeoutMs: number;
  /** Provisioned-mode pollers for the event-source mapping. */
  pollers?: { min: number; max: number };
  source: SourceRef;
}

/** An Iceberg partition transform over a top-level field of the record value. */
export interface PartitionFieldSpec {
  transform: 'identity' | 'year' | 'month' | 'day' | 'hour' | 'bucket' | 'truncate';
  field: string;
  /** Bucket count or truncate width. */
  param?: number;
}

export interface SinkSpec {
  key: string;
  tenant: string;
  topicKey: string;
  topic: string;
  format: SinkFormat;
  /** Glue database (`stratus_<tenant>`). */
  database: string;
  /** Iceberg / Glue table name. */
  table: string;
  bufferSizeBytes: number;
  bufferIntervalMs: number;
  partitionBy: PartitionFieldSpec[];
  /** Columns that identify a row; Firehose upserts on them, the local sink de-duplicates on them. */
  uniqueKeys?: string[];
  /** S3 prefix of the objects for `parquet` and `json`. */
  prefix: string;
  expectations: SinkExpectationsSpec;
  /** Where the sink starts reading when it has no position yet (Firehose `ReadFromTimestamp`). */
  startFrom: SinkStartFrom;
  /** Epoch milliseconds, with `startFrom: timestamp`. */
  startFromTimestamp?: number;
  source: SourceRef;
}

export interface AlertsSpec {
  /** Alarm when EstimatedMaxTimeLag exceeds this many seconds. */
  lagSeconds?: number;
  /** Alarm when SumOffsetLag exceeds this many records. */
  lagRecords?: number;
  /** Alarm when errors / invocations exceed this percentage. */
  errorRatePercent?: number;
  /** Alarm when more than this many records reach the DLQ within 5 minutes. */
  dlqRecords?: number;
  /** Default failure-rate alarm (percent) of every quality rule that sets no `alarmPercent`. */
  qualityRatePercent?: number;
  /** Alarm when a topic a declared producer or the ingest endpoint writes receives nothing for this long. */
  silenceMs?: number;
}

/** Who may assume the role the tenant stack creates for a producer (`trust:`). */
export type ProducerTrust =
  /** ECS tasks (`ecs-tasks.amazonaws.com`): the role is the task role of the service. */
  | { kind: 'ecs-task' }
  /** Lambda functions (`lambda.amazonaws.com`): the role is the function's execution role. */
  | { kind: 'lambda' }
  /** EKS Pod Identity (`pods.eks.amazonaws.com`): a pod identity association names the role. */
  | { kind: 'eks-pod' }
  /** Principals of an AWS account, which its own IAM policies then let assume the role. */
  | { kind: 'account'; account: string };

/** A declared producer's IAM principal on AWS (`principal:`). */
export type ProducerPrincipal =
  /** An existing role of the platform's account: the tenant stack attaches the producer's policy to it. */
  | { kind: 'existing'; roleArn: string }
  /** A role the tenant stack creates, assumable as `trust` says. */
  | { kind: 'create'; trust: ProducerTrust };

/** `producers.<name>`: a service outside Stratus that writes some of the tenant's topics. */
export interface ProducerSpec {
  key: string;
  tenant: string;
  /** Topic keys it writes, in manifest order. */
  topicKeys: string[];
  /** Their full names (`<tenant>.<key>`). */
  topics: string[];
  principal: ProducerPrincipal;
  source: SourceRef;
}

/** One topic of the HTTP ingest endpoint. */
export interface IngestTopicSpec {
  key: string;
  /** Full name on the cluster. */
  name: string;
  /**
   * Dotted path of the value field whose text becomes the record key (`orderId`, `customer.id`).
   * @default no key
   */
  keyField?: string;
}

/** `ingest:`: the tenant's HTTP ingest endpoint (`POST /ingest/<tenant>/<topic>`). */
export interface IngestSpec {
  topics: IngestTopicSpec[];
  /** `iam`: SigV4-signed requests (API Gateway AWS_IAM); `apiKey`: a key the tenant stack generates. */
  auth: 'iam' | 'apiKey';
  /** Largest request body accepted; larger ones are answered 413. */
  maxBodyBytes: number;
  /** API Gateway stage throttling of the tenant's endpoint, requests per second and burst. */
  throttle: { rateLimit: number; burstLimit: number };
  source: SourceRef;
}

export interface TenantSpec {
  name: string;
  /** Manifest file, relative to the project root. */
  file: string;
  description?: string;
  owners: string[];
  costCenter?: string;
  /** Every topic including the DLQ, in manifest order with the DLQ last. */
  topics: TopicSpec[];
  dlq: TopicSpec;
  consumers: ConsumerSpec[];
  sinks: SinkSpec[];
  alerts: AlertsSpec;
  /** Glue database of the tenant's tables. */
  glueDatabase: string;
  /**
   * Kafka quotas of the tenant's clients.
   * @default none
   */
  quotas?: QuotasSpec;
  /**
   * Consumers of this tenant that read other tenants' topics.
   * @default none
   */
  sharedReads?: SharedRead[];
  /**
   * The owners' specs of those topics (schemas, partitions), filled once every manifest is resolved.
   * @default none
   */
  sharedTopics?: TopicSpec[];
  /** Tags on every AWS resource of the tenant: the manifest's `tags:` and the platform's `stratus:` tags. */
  tags: Record<string, string>;
  /**
   * Services outside Stratus that write the tenant's topics (`producers:`).
   * @default none
   */
  producers?: ProducerSpec[];
  /**
   * The HTTP ingest endpoint (`ingest:`).
   * @default none
   */
  ingest?: IngestSpec;
}

export interface StratusSpec {
  platform: PlatformSpec;
  tenants: TenantSpec[];
}
