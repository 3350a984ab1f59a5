/**
 * The one definition of every name Stratus derives from a manifest. The CDK stacks, the local runtime,
 * the handler SDK and the operations commands all import these; never build one of these strings elsewhere.
 */

/** Tenant names: lower-case, start with a letter, 2–31 characters; they prefix every resource. */
export const TENANT_NAME_PATTERN = /^[a-z][a-z0-9-]{1,30}$/;

/** Topic, consumer and sink keys inside a manifest. Dots are reserved as the tenant separator. */
export const RESOURCE_KEY_PATTERN = /^[a-z][a-z0-9-]{0,47}$/;

/** Key of the dead-letter topic every tenant gets; manifests may not declare a topic with this key. */
export const DLQ_TOPIC_KEY = 'dlq';

/** `<tenant>.<topic>`: the topic's name on the Kafka cluster. */
export function topicName(tenant: string, topicKey: string): string {
  return `${tenant}.${topicKey}`;
}

/**
 * `<tenant>.<consumer>`: the Kafka consumer group. It never contains ':' because MSK emits no consumer-lag
 * metrics for such groups (https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html).
 */
export function consumerGroupId(tenant: string, consumerKey: string): string {
  return `${tenant}.${consumerKey}`;
}

/**
 * `stratus-<tenant>`: the Kafka client id every client of a tenant uses (its handlers' producers, its local
 * event-source consumers). Kafka applies a client-id quota to all clients sharing the id, so this is the
 * entity the tenant's produce/consume quotas are set on. https://kafka.apache.org/documentation/#design_quotas
 */
export function tenantClientId(tenant: string): string {
  return `stratus-${tenant}`;
}

/** `<tenant>.dlq`: the tenant's dead-letter topic. */
export function dlqTopicName(tenant: string): string {
  return topicName(tenant, DLQ_TOPIC_KEY);
}

/**
 * `<tenant>.dlq-redriven`: the compacted ledger of DLQ records `stratus dlq redrive` has re-published (Kafka
 * records are immutable, so "already redriven" is kept beside the DLQ, keyed by the DLQ record's coordinates).
 */
export function dlqRedriveLedgerTopicName(tenant: string): string {
  return topicName(tenant, DLQ_REDRIVE_LEDGER_KEY);
}

const DLQ_REDRIVE_LEDGER_KEY = `${DLQ_TOPIC_KEY}-redriven`;

/** Topic keys the platform owns in every tenant; a manifest may not declare topics with these keys. */
export const RESERVED_TOPIC_KEYS: readonly string[] = [DLQ_TOPIC_KEY, DLQ_REDRIVE_LEDGER_KEY];

/** Sandbox names of `stratus replay --into <sandbox>`: like resource keys, short enough for every derived name. */
export const SANDBOX_NAME_PATTERN = /^[a-z][a-z0-9-]{0,23}$/;

/**
 * `<tenant>.<consumer>.replay-<label>`: the temporary group of a bounded replay (`stratus replay --to`); and
 * `<tenant>.<consumer>.sandbox-<name>` for `--into`. Inside the tenant's prefix (IAM), never equal to a
 * consumer's group (consumer keys contain no '.').
 */
export function replayGroupId(tenant: string, consumerKey: string, label: string): string {
  return `${consumerGroupId(tenant, consumerKey)}.${label}`;
}

/** `<tenant>.<topic>.sandbox-<name>`: where a sandboxed replay's processor writes instead of its output topic. */
export function sandboxTopicName(tenant: string, topicKey: string, sandbox: string): string {
  return `${topicName(tenant, topicKey)}.sandbox-${sandbox}`;
}

/** `<table>_sandbox_<name>`: the sandbox copy of a sink's table (Glue allows only [a-z0-9_]). */
export function sandboxTableName(table: string, sandbox: string): string {
  return `${table}_sandbox_${sandbox.replaceAll('-', '_')}`;
}

/** The prefix every topic and group of a tenant starts with; IAM isolation is written against it. */
export function tenantResourcePrefix(tenant: string): string {
  return `${tenant}.`;
}

/** `stratus_<tenant>` with '-' → '_': Glue database names allow only lower-case letters, digits and '_'. */
export function glueDatabaseName(tenant: string): string {
  return `stratus_${tenant.replaceAll('-', '_')}`;
}

/** A sink's default Iceberg/Glue table name: the sink key with '-' → '_'. */
export function defaultTableName(sinkKey: string): string {
  return sinkKey.replaceAll('-', '_');
}

/** CloudFormation stack of one tenant: `Stratus-Tenant-<tenant>`. */
export function tenantStackName(tenant: string): string {
  return `Stratus-Tenant-${tenant}`;
}

/** CloudFormation stack of the shared platform. */
export const PLATFORM_STACK_NAME = 'Stratus-Platform';

/** Lambda function name of a consumer: `stratus-<tenant>-<consumer>` (64 characters at most on AWS). */
export function consumerFunctionName(tenant: string, consumerKey: string): string {
  return `stratus-${tenant}-${consumerKey}`.slice(0, 64);
}

/** Firehose delivery stream of a sink: `stratus-<tenant>-<sink>` (64 characters at most on AWS). */
export function sinkStreamName(tenant: string, sinkKey: string): string {
  return `stratus-${tenant}-${sinkKey}`.slice(0, 64);
}

/** Split a full topic or group name back into tenant and key; undefined when it is not a Stratus name. */
export function parseQualifiedName(name: string): { tenant: string; key: string } | undefined {
  const dot = name.indexOf('.');
  if (dot <= 0) return undefined;
  return { tenant: name.slice(0, dot), key: name.slice(dot + 1) };
}

/**
 * The fake MSK cluster ARN the local event-source emulator puts in `eventSourceArn`. It has the shape of a
 * real one (`arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid>`,
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list-amazonmanagedstreamingforapachekafka.html)
 * so handlers that parse it keep working; the account is the all-zero one no real account uses.
 */
export function localClusterArn(region = 'local', clusterName = 'stratus-local'): string {
  return `arn:aws:kafka:${region}:000000000000:cluster/${clusterName}/00000000-0000-0000-0000-000000000000-1`;
}

/**
 * `<tenant>.sink.<sink>`: the consumer group of a sink's delivery (the local sink runtime; on AWS Firehose
 * manages its own). Keys contain no '.', so it never collides with a consumer's `<tenant>.<consumer>`.
 */
export function sinkGroupId(tenant: string, sinkKey: string): string {
  return `${tenant}.sink.${sinkKey}`;
}

/**
 * The lakehouse bucket on the local emulator. On AWS, CloudFormation names the bucket (names are global) and
 * tenant stacks read it from the platform's SSM parameter.
 */
export function lakehouseBucketName(): string {
  return 'stratus-lakehouse';
}

/** Key prefix of a sink's Iceberg table in the lakehouse bucket: `<tenant>/iceberg/<table>`. */
export function icebergTablePrefix(tenant: string, table: string): string {
  return `${tenant}/iceberg/${table}`;
}

/**
 * The idempotency table on the local AWS emulator (partition key `id`, TTL attribute `expiration`, the layout
 * Powertools' DynamoDBPersistenceLayer expects). The local runtime creates it at start; on AWS the platform
 * stack owns the table and publishes its generated name.
 */
export const LOCAL_IDEMPOTENCY_TABLE = 'stratus-idempotency';

/**
 * `stratus-<tenant>`: the tenant's Glue Schema Registry (one per tenant, so IAM scopes a tenant to
 * `registry/stratus-<tenant>` and `schema/stratus-<tenant>/*`). Registry and schema names allow letters,
 * digits, '-', '_', '$' and '#' (https://docs.aws.amazon.com/glue/latest/dg/schema-registry-gs3.html).
 */
export function schemaRegistryName(tenant: string): string {
  return `stratus-${tenant}`;
}

/** A topic's schema in its tenant's registry: the topic key (a full topic name has a '.', which Glue forbids). */
export function registrySchemaName(topicKey: string): string {
  return topicKey;
}

/**
 * The producer name the HTTP ingest endpoint writes under (the `stratus-producer` lineage header); reserved, so
 * no declared producer of a manifest can take it.
 */
export const INGEST_PRODUCER_NAME = 'ingest';

/**
 * `/ingest/<tenant>/<topic>`: the HTTP ingest route, the same path on AWS (the tenant's HTTP API) and locally
 * (`stratus dev`'s server), so a client changes only the base URL between the two.
 */
export function ingestPath(tenant: string, topicKey: string): string {
  return `/ingest/${tenant}/${topicKey}`;
}

/** Lambda function name of a tenant's HTTP ingest endpoint: `stratus-<tenant>-ingest`. */
export function ingestFunctionName(tenant: string): string {
  return `stratus-${tenant}-${INGEST_PRODUCER_NAME}`.slice(0, 64);
}

/** Prefix of the SSM parameters a tenant stack publishes for its producers and its ingest endpoint. */
export function tenantParameterPrefix(tenant: string): string {
  return `/stratus/tenants/${tenant}`;
}

/**
 * The SSM parameters of one declared producer: the bootstrap brokers it connects to and the role it runs as.
 * The producer SDK reads `bootstrapBrokers` when STRATUS_KAFKA_BROKERS is not set.
 */
export function producerParameterNames(tenant: string, producer: string) {
  const prefix = `${tenantParameterPrefix(tenant)}/producers/${producer}`;
  return { bootstrapBrokers: `${prefix}/bootstrap-brokers`, roleArn: `${prefix}/role-arn` };
}

/** IAM role name of a producer the tenant stack creates: `stratus-<tenant>-producer-<producer>` (≤ 64). */
export function producerRoleName(tenant: string, producer: string): string {
  return `stratus-${tenant}-producer-${producer}`.slice(0, 64);
}
