import { search } from '@aws-lambda-powertools/jmespath';
import { schemaFromFile } from '../contracts/schema-files.ts';
import { validateFilterPattern } from '../core/event-filter.ts';
import { FIREHOSE_BUFFER_LIMITS, usesFormatConversionOrPartitioning } from '../core/firehose-limits.ts';
import {
  consumerGroupId,
  DLQ_TOPIC_KEY,
  defaultTableName,
  dlqTopicName,
  glueDatabaseName,
  RESERVED_TOPIC_KEYS,
  RESOURCE_KEY_PATTERN,
  TENANT_NAME_PATTERN,
  topicName,
} from '../core/naming.ts';
import { quote } from '../core/quote.ts';
import { type SchemaColumn, schemaColumns } from '../core/table-columns.ts';
import { percent, readCompatibility, readQualityRules, readSinkExpectations } from './contracts.ts';
import { didYouMean, type ManifestError } from './errors.ts';
import { FieldReader, type Mapping } from './fields.ts';
import { checkHandlerFile, loadJsonSchema } from './module-files.ts';
import { checkTenantPolicies, resolveTags } from './policies.ts';
import { resolveIngest, resolveProducers, WRITES_ARE_NOT_SHARED } from './producers.ts';
import type {
  AlertsSpec,
  ConsumerSpec,
  PartitionFieldSpec,
  PlatformSpec,
  QuotasSpec,
  SharedRead,
  ShareSpec,
  SinkFormat,
  SinkSpec,
  SinkStartFrom,
  SourceRef,
  StartingPosition,
  TenantSpec,
  TopicSpec,
} from './spec.ts';
import type { FieldPath, YamlSource } from './yaml-source.ts';

const SECOND = 1_000;
const DAY = 86_400_000;
const MIB = 1_048_576;

/** Every default a tenant manifest gets; the README's manifest reference lists the same values. */
export const TENANT_DEFAULTS = {
  topic: { partitions: 3, retentionMs: 7 * DAY, cleanupPolicy: 'delete', removalPolicy: 'retain' },
  dlq: { partitions: 1, retentionMs: 14 * DAY },
  consumer: {
    batchSize: 100,
    // Lambda's default MaximumBatchingWindowInSeconds for Kafka sources is 0.5 s.
    batchWindowMs: 500,
    startingPosition: 'TRIM_HORIZON',
    retries: 3,
    maxRecordAgeMs: -1,
    bisectOnError: false,
    onFailure: 'dlq',
    idempotencyKey: '[topic, partition, offset]',
    idempotencyTtlMs: 3_600_000,
  },
  // Firehose's own defaults (BufferingHints): 5 MiB or 300 s, whichever comes first.
  sink: { format: 'iceberg', bufferSizeBytes: 5 * MIB, bufferIntervalMs: 300 * SECOND },
} as const;

/** The rules for the names a team picks (tenant; topic, consumer and sink keys), shared with `stratus new`. */
export const NAME_RULES = {
  tenant: {
    pattern: TENANT_NAME_PATTERN,
    hint: 'must be 2–31 characters: a lower-case letter, then lower-case letters, digits or "-"',
  },
  resource: {
    pattern: RESOURCE_KEY_PATTERN,
    hint: 'must be 1–48 characters: a lower-case letter, then lower-case letters, digits or "-"',
  },
} as const;

const TOP_LEVEL = [
  'tenant',
  'description',
  'owners',
  'costCenter',
  'topics',
  'dlq',
  'consumers',
  'sinks',
  'alerts',
  'tags',
  'quotas',
  'producers',
  'ingest',
];
const TOPIC_FIELDS = [
  'partitions',
  'retention',
  'schema',
  'cleanupPolicy',
  'removalPolicy',
  'compatibility',
  'quality',
  'shareWith',
];
const CONSUMER_FIELDS = [
  'topic',
  'handler',
  'output',
  'batchSize',
  'batchWindow',
  'startingPosition',
  'filters',
  'retries',
  'maxRecordAge',
  'bisectOnError',
  'idempotency',
  'onFailure',
  'memory',
  'timeout',
  'pollers',
];
const SINK_FIELDS = [
  'topic',
  'format',
  'table',
  'buffer',
  'partitionBy',
  'uniqueKeys',
  'prefix',
  'startFrom',
  'expect',
];
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const PARTITION_TRANSFORM =
  /^(identity|year|month|day|hour)\(\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$|^(bucket|truncate)\(\s*(\d+)\s*,\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)$|^([A-Za-z_][A-Za-z0-9_]*)$/;

/** The name a manifest with an invalid `tenant:` is resolved under; it fails TENANT_NAME_PATTERN. */
export const INVALID_TENANT_NAME = '(invalid)';

/**
 * Resolves one tenant manifest. Problems go to `errors`; the returned spec is only meaningful when no
 * error was added, but is always returned so that cross-tenant checks can still run.
 */
export function resolveTenant(
  source: YamlSource,
  platform: PlatformSpec,
  errors: ManifestError[],
): TenantSpec | undefined {
  const read = new FieldReader(source, errors);
  if (source.value === undefined || source.value === null) {
    read.fail([], 'the manifest is empty; it needs at least tenant, owners and topics');
    return undefined;
  }
  const root = read.mapping([], source.value);
  if (!root) return undefined;
  read.onlyKeys([], root, TOP_LEVEL);
  const ref = (path: FieldPath, at: 'value' | 'key' = 'key'): SourceRef => ({
    file: source.file,
    ...source.locate(path, at),
  });

  // An invalid name is resolved under a placeholder no tenant can be named, so the rest of the file is still
  // checked exactly as it would be with a valid name and the loader never sees a clash between placeholders.
  const name =
    read.string(['tenant'], root.tenant, {
      pattern: NAME_RULES.tenant.pattern,
      hint: NAME_RULES.tenant.hint,
    }) ?? INVALID_TENANT_NAME;

  const owners = read.stringList(['owners'], root.owners, {
    pattern: EMAIL,
    hint: 'is not an e-mail address',
  });
  const ownersGiven = Array.isArray(root.owners) && root.owners.length > 0;
  if (
    platform.governance.requireOwners &&
    !ownersGiven &&
    !(root.owners !== undefined && !Array.isArray(root.owners))
  ) {
    read.fail(
      ['owners'],
      'at least one owner e-mail is required by the platform governance (governance.requireOwners)',
    );
  }
  const costCenter = read.string(['costCenter'], root.costCenter, {
    optional: !platform.governance.requireCostCenter,
  });

  const topics = resolveTopics(read, root, name, platform, ref);
  const dlq = resolveDlq(read, root, name, platform, ref);
  const topicsByKey = new Map([...topics, dlq].map((topic) => [topic.key, topic]));

  const totalPartitions = [...topics, dlq].reduce((sum, topic) => sum + topic.partitions, 0);
  if (totalPartitions > platform.governance.maxPartitionsPerTenant) {
    read.fail(
      ['topics'],
      `the tenant's topics have ${totalPartitions} partitions in all (the DLQ included); the platform allows ${platform.governance.maxPartitionsPerTenant} per tenant (governance.maxPartitionsPerTenant)`,
    );
  }

  const sharedReads: SharedRead[] = [];
  const consumers = resolveConsumers(read, root, name, platform, topicsByKey, dlq, ref, sharedReads);
  const sinks = resolveSinks(read, root, name, topicsByKey, ref);
  const writable = (path: FieldPath, value: unknown) =>
    topicRef(read, path, value, topicsByKey, false, WRITES_ARE_NOT_SHARED);
  const producers = resolveProducers(
    read,
    entries(read, root, 'producers', 'producer'),
    name,
    platform,
    writable,
    ref,
  );
  const ingest = resolveIngest(read, root, writable, ref);
  const alerts = resolveAlerts(read, root, producers.length > 0 || ingest !== undefined);
  const userTags = resolveTags(read, root);
  const quotas = resolveQuotas(read, root, platform);
  const given = (section: unknown, key?: string): boolean => {
    const mapping = key === undefined ? section : (section as Mapping | null | undefined)?.[key];
    return !!mapping && typeof mapping === 'object' && (mapping as Mapping).retention !== undefined;
  };
  checkTenantPolicies(read, platform.governance.policies, userTags, [...topics, dlq], consumers, (topic) =>
    topic.isDlq ? given(root.dlq) : given(root.topics, topic.key),
  );

  const tags: Record<string, string> = { ...userTags, 'stratus:tenant': name };
  if (owners.length > 0) tags['stratus:owners'] = owners.join(' ');
  if (costCenter) tags['stratus:cost-center'] = costCenter;

  return {
    name,
    file: source.file,
    description: read.string(['description'], root.description, { optional: true }),
    owners,
    costCenter,
    topics: [...topics, dlq],
    dlq,
    consumers,
    sinks,
    alerts,
    glueDatabase: glueDatabaseName(name),
    quotas,
    sharedReads,
    sharedTopics: [],
    tags,
    producers,
    ingest,
  };
}

function entries(read: FieldReader, root: Mapping, key: string, label: string): Array<[string, Mapping]> {
  const section = read.mapping([key], root[key], { optional: true });
  if (!section) return [];
  const out: Array<[string, Mapping]> = [];
  for (const [entryKey, value] of Object.entries(section)) {
    if (!NAME_RULES.resource.pattern.test(entryKey)) {
      read.fail([key, entryKey], `${label} name ${quote(entryKey)} ${NAME_RULES.resource.hint}`, 'key');
      continue;
    }
    // `{}` and `~` both mean "all defaults".
    const mapping = value === null ? {} : read.mapping([key, entryKey], value);
    if (mapping) out.push([entryKey, mapping]);
  }
  return out;
}

function resolveTopics(
  read: FieldReader,
  root: Mapping,
  tenant: string,
  platform: PlatformSpec,
  ref: (path: FieldPath) => SourceRef,
): TopicSpec[] {
  const d = TENANT_DEFAULTS.topic;
  const topics: TopicSpec[] = [];
  const before = read.errors.length;
  for (const [key, topic] of entries(read, root, 'topics', 'topic')) {
    const path = ['topics', key];
    read.onlyKeys(path, topic, TOPIC_FIELDS);
    if (key === DLQ_TOPIC_KEY) {
      read.fail(
        path,
        `"${DLQ_TOPIC_KEY}" is the tenant's dead-letter topic, which the platform creates; configure it under "dlq:"`,
        'key',
      );
      continue;
    }
    if (RESERVED_TOPIC_KEYS.includes(key)) {
      read.fail(
        path,
        `"${key}" is reserved for the platform (reserved topic keys: ${RESERVED_TOPIC_KEYS.join(', ')})`,
        'key',
      );
      continue;
    }
    const schemaFile = read.string([...path, 'schema'], topic.schema, { optional: true });
    let schema: Record<string, unknown> | undefined;
    if (schemaFile) {
      const loaded = loadJsonSchema(platform.rootDir, schemaFile);
      if (loaded.problem) read.fail([...path, 'schema'], loaded.problem);
      schema = loaded.schema;
    }
    topics.push({
      key,
      name: topicName(tenant, key),
      partitions: partitions(read, [...path, 'partitions'], topic.partitions, d.partitions, platform),
      retentionMs: retention(read, [...path, 'retention'], topic.retention, d.retentionMs, platform),
      cleanupPolicy: read.oneOf(
        [...path, 'cleanupPolicy'],
        topic.cleanupPolicy,
        ['delete', 'compact'],
        d.cleanupPolicy,
      ),
      removalPolicy: read.oneOf(
        [...path, 'removalPolicy'],
        topic.removalPolicy,
        ['retain', 'destroy'],
        d.removalPolicy,
      ),
      schemaFile,
      schema,
      isDlq: false,
      compatibility: readCompatibility(
        read,
        [...path, 'compatibility'],
        topic.compatibility,
        platform.defaultCompatibility,
      ),
      quality: readQualityRules(
        read,
        [...path, 'quality'],
        topic.quality,
        schemaFile && schema ? schemaFromFile(platform.rootDir, schemaFile) : undefined,
        ref,
      ),
      shareWith: resolveShares(read, [...path, 'shareWith'], topic.shareWith, tenant, ref),
      source: ref(path),
    });
  }
  // Only this file's topic errors explain an empty list (`errors` holds every file's problems).
  const topicErrors = read.errors.slice(before).filter((e) => e.file === read.source.file);
  if (topics.length === 0 && topicErrors.length === 0) {
    read.fail(['topics'], 'a tenant declares at least one topic');
  }
  return topics;
}

function resolveDlq(
  read: FieldReader,
  root: Mapping,
  tenant: string,
  platform: PlatformSpec,
  ref: (path: FieldPath) => SourceRef,
): TopicSpec {
  const d = TENANT_DEFAULTS.dlq;
  const dlq = read.mapping(['dlq'], root.dlq, { optional: true }) ?? {};
  read.onlyKeys(['dlq'], dlq, ['partitions', 'retention', 'removalPolicy']);
  return {
    key: DLQ_TOPIC_KEY,
    name: dlqTopicName(tenant),
    partitions: partitions(read, ['dlq', 'partitions'], dlq.partitions, d.partitions, platform),
    retentionMs: retention(
      read,
      ['dlq', 'retention'],
      dlq.retention,
      Math.min(d.retentionMs, maxRetention(platform)),
      platform,
    ),
    cleanupPolicy: 'delete',
    removalPolicy: read.oneOf(['dlq', 'removalPolicy'], dlq.removalPolicy, ['retain', 'destroy'], 'retain'),
    isDlq: true,
    compatibility: platform.defaultCompatibility,
    quality: [],
    shareWith: [],
    source: ref(root.dlq === undefined ? ['tenant'] : ['dlq']),
  };
}

function partitions(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  fallback: number,
  platform: PlatformSpec,
): number {
  const max = platform.governance.maxPartitionsPerTopic;
  if (typeof value === 'number' && Number.isInteger(value) && value > max) {
    read.fail(
      path,
      `${value} partitions exceed the platform limit of ${max} per topic (governance.maxPartitionsPerTopic)`,
    );
    return fallback;
  }
  return read.integer(path, value, { min: 1, max, fallback });
}

function maxRetention(platform: PlatformSpec): number {
  return platform.governance.maxRetentionMs === -1
    ? Number.MAX_SAFE_INTEGER
    : platform.governance.maxRetentionMs;
}

function retention(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  fallback: number,
  platform: PlatformSpec,
): number {
  const limit = platform.governance.maxRetentionMs;
  const ms = read.duration(path, value, {
    min: 60_000,
    max: Number.MAX_SAFE_INTEGER,
    fallback,
    infinite: true,
    label: '1m and forever',
  });
  if (limit !== -1 && (ms === -1 || ms > limit)) {
    read.fail(
      path,
      `retention ${ms === -1 ? 'forever' : quote(String(value))} exceeds the platform limit of ${limit / DAY}d (governance.maxRetention)`,
    );
    return Math.min(fallback, limit);
  }
  return ms;
}

/**
 * A reference to one of this tenant's topics by key. `crossTenant` explains why `<owner>/<topic>` is refused
 * there (only consumers read shared topics).
 */
export function topicRef(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  topics: Map<string, TopicSpec>,
  optional = false,
  crossTenant?: string,
): TopicSpec | undefined {
  const key = read.string(path, value, { optional });
  if (key === undefined) return undefined;
  if (key.includes('/'))
    return read.fail(
      path,
      crossTenant
        ? `"${key}" belongs to another tenant: ${crossTenant}`
        : path.includes('output')
          ? `"${key}" belongs to another tenant: only reads are shared, a processor writes its own tenant's topics`
          : `"${key}" belongs to another tenant: a sink lands its own tenant's topics (read the shared topic with a consumer that writes one of yours)`,
    );
  const topic = topics.get(key);
  if (!topic) {
    const qualified = topics.get(key.slice(key.indexOf('.') + 1));
    const hint =
      key.includes('.') && qualified
        ? `; name topics by their key in this manifest ("${qualified.key}")`
        : didYouMean(key, topics.keys());
    return read.fail(path, `unknown topic ${quote(key)}${hint}`);
  }
  return topic;
}

/**
 * `topic: <owner>/<topic>`: a topic another tenant shares. The slash reads as "owner's topic" and cannot be
 * confused with the cluster name `<owner>.<topic>` (which names no grant). Whether the owner shares it is
 * checked once every manifest is resolved (shares.ts).
 */
function sharedTopicRef(
  read: FieldReader,
  path: FieldPath,
  value: string,
  tenant: string,
  consumer: string,
  ref: (path: FieldPath, at?: 'value' | 'key') => SourceRef,
): SharedRead | undefined {
  const [owner = '', key = '', ...rest] = value.split('/');
  if (rest.length > 0 || !TENANT_NAME_PATTERN.test(owner) || !RESOURCE_KEY_PATTERN.test(key)) {
    read.fail(
      path,
      `"${value}" is not a shared topic reference; write <tenant>/<topic>, e.g. payments/orders`,
    );
    return undefined;
  }
  if (owner === tenant) {
    read.fail(path, `"${value}" is this tenant's own topic; name it by its key ("${key}")`);
    return undefined;
  }
  return { owner, key, topic: topicName(owner, key), consumer, source: ref(path, 'value') };
}

/** `shareWith: [analytics, { tenant: risk, allowPii: true }]` or `shareWith: '*'` (every tenant). */
function resolveShares(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  owner: string,
  ref: (path: FieldPath, at?: 'value' | 'key') => SourceRef,
): ShareSpec[] {
  if (value === undefined || value === null) return [];
  const items = value === '*' ? ['*'] : Array.isArray(value) ? value : undefined;
  if (!items) {
    read.fail(
      path,
      'must be a list of tenant names (or { tenant, allowPii } entries), or "*" for every tenant',
    );
    return [];
  }
  const shares: ShareSpec[] = [];
  for (const [index, item] of items.entries()) {
    const at = value === '*' ? path : [...path, index];
    const entry = typeof item === 'string' ? { tenant: item } : read.mapping(at, item);
    if (!entry) continue;
    if (typeof item !== 'string') read.onlyKeys(at, entry, ['tenant', 'allowPii']);
    const tenant = read.string(typeof item === 'string' ? at : [...at, 'tenant'], entry.tenant, {
      pattern: /^(\*|[a-z][a-z0-9-]{1,30})$/,
      hint: 'must be a tenant name or "*"',
    });
    if (!tenant) continue;
    if (tenant === owner) {
      read.fail(at, `"${owner}" owns the topic; a tenant does not share with itself`);
      continue;
    }
    if (shares.some((s) => s.tenant === tenant)) {
      read.fail(at, `"${tenant}" is listed twice`);
      continue;
    }
    const allowPii = read.boolean([...at, 'allowPii'], entry.allowPii, false);
    shares.push({ tenant, allowPii, source: ref(at, 'value') });
  }
  return shares;
}

function resolveConsumers(
  read: FieldReader,
  root: Mapping,
  tenant: string,
  platform: PlatformSpec,
  topics: Map<string, TopicSpec>,
  dlq: TopicSpec,
  ref: (path: FieldPath) => SourceRef,
  sharedReads: SharedRead[],
): ConsumerSpec[] {
  const d = TENANT_DEFAULTS.consumer;
  const consumers: ConsumerSpec[] = [];
  for (const [key, consumer] of entries(read, root, 'consumers', 'consumer')) {
    const path = ['consumers', key];
    read.onlyKeys(path, consumer, CONSUMER_FIELDS);
    const crossTenant = typeof consumer.topic === 'string' && consumer.topic.includes('/');
    const shared = crossTenant
      ? sharedTopicRef(read, [...path, 'topic'], consumer.topic as string, tenant, key, ref)
      : undefined;
    if (shared) sharedReads.push(shared);
    const topic = crossTenant ? undefined : topicRef(read, [...path, 'topic'], consumer.topic, topics);
    const output = topicRef(read, [...path, 'output'], consumer.output, topics, true);
    if (topic && output && topic.key === output.key) {
      read.fail(
        [...path, 'output'],
        `a processor must not write to the topic it reads ("${topic.key}"): that is an endless loop`,
      );
    }
    if (output?.isDlq)
      read.fail(
        [...path, 'output'],
        'processors write to their own topics; the DLQ is written by the platform',
      );

    const handlerFile = read.string([...path, 'handler'], consumer.handler);
    if (handlerFile) {
      const problem = checkHandlerFile(platform.rootDir, handlerFile);
      if (problem) read.fail([...path, 'handler'], problem);
    }

    const position = startingPosition(read, [...path, 'startingPosition'], consumer.startingPosition);
    const onFailure = read.oneOf([...path, 'onFailure'], consumer.onFailure, ['dlq', 'none'], d.onFailure);
    if (onFailure === 'dlq' && topic?.isDlq) {
      // Lambda refuses an on-failure destination equal to the source topic (recursion prevention).
      read.fail(
        [...path, 'onFailure'],
        'a consumer of the DLQ cannot dead-letter into the DLQ; set onFailure: none',
      );
    }
    const retries = read.integer([...path, 'retries'], consumer.retries, {
      min: -1,
      max: 10_000,
      fallback: d.retries,
    });
    const pollers = resolvePollers(read, [...path, 'pollers'], consumer.pollers);

    consumers.push({
      key,
      tenant,
      groupId: consumerGroupId(tenant, key),
      topicKey: shared?.key ?? topic?.key ?? '',
      topic: shared?.topic ?? topic?.name ?? '',
      topicOwner: shared?.owner,
      handlerFile: handlerFile ?? '',
      outputKey: output?.key,
      output: output?.name,
      batchSize: read.integer([...path, 'batchSize'], consumer.batchSize, {
        min: 1,
        max: 10_000,
        fallback: d.batchSize,
      }),
      batchWindowMs: batchWindow(read, [...path, 'batchWindow'], consumer.batchWindow),
      startingPosition: position.position,
      startingPositionTimestamp: position.timestamp,
      filters: filters(read, [...path, 'filters'], consumer.filters),
      retries,
      maxRecordAgeMs: read.duration([...path, 'maxRecordAge'], consumer.maxRecordAge, {
        min: 60 * SECOND,
        max: 604_800 * SECOND,
        fallback: d.maxRecordAgeMs,
        infinite: true,
        label: '60s and 7d (MaximumRecordAgeInSeconds)',
      }),
      bisectOnError: read.boolean([...path, 'bisectOnError'], consumer.bisectOnError, d.bisectOnError),
      idempotency: idempotency(read, [...path, 'idempotency'], consumer.idempotency),
      onFailureTopic: onFailure === 'dlq' ? dlq.name : undefined,
      memoryMb: read.integer([...path, 'memory'], consumer.memory, {
        min: 128,
        max: 10_240,
        fallback: platform.functionDefaults.memoryMb,
      }),
      timeoutMs: read.duration([...path, 'timeout'], consumer.timeout, {
        min: SECOND,
        max: 900 * SECOND,
        fallback: platform.functionDefaults.timeoutMs,
        label: '1s and 15m',
      }),
      pollers,
      source: ref(path),
    });
  }
  return consumers;
}

/**
 * MaximumBatchingWindowInSeconds is whole seconds, 0–300; Lambda's Kafka default of 0.5 s is what an unset
 * window means, so `500ms` is the one sub-second value that exists on AWS.
 */
function batchWindow(read: FieldReader, path: FieldPath, value: unknown): number {
  const { batchWindowMs: fallback } = TENANT_DEFAULTS.consumer;
  const ms = read.duration(path, value, {
    min: 0,
    max: 300 * SECOND,
    fallback,
    label: '0s and 300s (MaximumBatchingWindowInSeconds)',
  });
  if (ms % SECOND !== 0 && ms !== fallback) {
    read.fail(
      path,
      `must be whole seconds (MaximumBatchingWindowInSeconds), or 500ms, Lambda's Kafka default; got ${quote(String(value))}`,
    );
    return fallback;
  }
  return ms;
}

function startingPosition(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
): { position: StartingPosition; timestamp?: number } {
  if (value === undefined || value === null) return { position: TENANT_DEFAULTS.consumer.startingPosition };
  if (value instanceof Date) return { position: 'AT_TIMESTAMP', timestamp: value.getTime() };
  if (value === 'TRIM_HORIZON' || value === 'LATEST') return { position: value };
  if (typeof value === 'string' && ISO_TIMESTAMP.test(value) && !Number.isNaN(Date.parse(value))) {
    const timestamp = Date.parse(value);
    if (timestamp > Date.now()) {
      read.fail(path, `${quote(value)} is in the future`);
      return { position: 'TRIM_HORIZON' };
    }
    return { position: 'AT_TIMESTAMP', timestamp };
  }
  read.fail(
    path,
    `must be TRIM_HORIZON, LATEST or an ISO 8601 time with zone (2026-11-01T00:00:00Z), got ${JSON.stringify(value)}`,
  );
  return { position: 'TRIM_HORIZON' };
}

/**
 * A sink's start: `earliest` (default: records produced before the sink existed land too), `latest` (from
 * the moment the stream is active, Firehose's own default) or an ISO time with zone — what
 * MSKSourceConfiguration.ReadFromTimestamp can express.
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_MSKSourceConfiguration.html
 */
function sinkStartFrom(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
): { startFrom: SinkStartFrom; timestamp?: number } {
  if (value === undefined || value === null) return { startFrom: 'earliest' };
  if (value === 'earliest' || value === 'latest') return { startFrom: value };
  const timestamp =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'string' && ISO_TIMESTAMP.test(value)
        ? Date.parse(value)
        : Number.NaN;
  if (Number.isNaN(timestamp)) {
    read.fail(
      path,
      `must be earliest, latest or an ISO 8601 time with zone (2026-11-01T00:00:00Z), got ${JSON.stringify(value)}`,
    );
    return { startFrom: 'earliest' };
  }
  if (timestamp > Date.now()) {
    read.fail(path, `${quote(value instanceof Date ? value.toISOString() : String(value))} is in the future`);
    return { startFrom: 'earliest' };
  }
  return { startFrom: 'timestamp', timestamp };
}

function filters(read: FieldReader, path: FieldPath, value: unknown): Record<string, unknown>[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    read.fail(path, 'must be a list of filter patterns');
    return [];
  }
  // Lambda allows 5 filters per event-source mapping by default (a raisable quota of up to 10).
  if (value.length > 5)
    read.fail(path, `at most 5 filters per consumer (Lambda's FilterCriteria quota), got ${value.length}`);
  value.forEach((pattern, index) => {
    // A YAML number is deployed as JSON's text of its double, so the checks see the digits as written.
    const numberSource = (at: string[]) => read.source.scalarSource([...path, index, ...at]);
    for (const problem of validateFilterPattern(pattern, { numberSource }))
      read.fail([...path, index, ...problem.path], problem.message);
  });
  return value as Record<string, unknown>[];
}

function idempotency(read: FieldReader, path: FieldPath, value: unknown): ConsumerSpec['idempotency'] {
  const d = TENANT_DEFAULTS.consumer;
  if (value === undefined || value === null || value === false) return undefined;
  if (value === true) return { key: d.idempotencyKey, ttlMs: d.idempotencyTtlMs };
  const mapping = read.mapping(path, value);
  if (!mapping) return undefined;
  read.onlyKeys(path, mapping, ['key', 'ttl']);
  const key = read.string([...path, 'key'], mapping.key, { optional: true }) ?? d.idempotencyKey;
  try {
    search(key, {});
  } catch (error) {
    read.fail([...path, 'key'], `is not a valid JMESPath expression: ${(error as Error).message}`);
  }
  return {
    key,
    ttlMs: read.duration([...path, 'ttl'], mapping.ttl, {
      min: SECOND,
      max: 365 * DAY,
      fallback: d.idempotencyTtlMs,
      label: '1s and 365d',
    }),
  };
}

function resolvePollers(read: FieldReader, path: FieldPath, value: unknown): ConsumerSpec['pollers'] {
  const mapping = read.mapping(path, value, { optional: true });
  if (!mapping) return undefined;
  read.onlyKeys(path, mapping, ['min', 'max']);
  // ProvisionedPollerConfig: MinimumPollers 1–200, MaximumPollers 1–2000.
  const min = read.integer([...path, 'min'], mapping.min, { min: 1, max: 200, fallback: 1 });
  const max = read.integer([...path, 'max'], mapping.max, {
    min: 1,
    max: 2_000,
    fallback: Math.max(min, 200),
  });
  if (max < min) read.fail([...path, 'max'], `must be at least pollers.min (${min}), got ${max}`);
  return { min, max };
}

function resolveSinks(
  read: FieldReader,
  root: Mapping,
  tenant: string,
  topics: Map<string, TopicSpec>,
  ref: (path: FieldPath) => SourceRef,
): SinkSpec[] {
  const d = TENANT_DEFAULTS.sink;
  const sinks: SinkSpec[] = [];
  const tables = new Map<string, string>();
  for (const [key, sink] of entries(read, root, 'sinks', 'sink')) {
    const path = ['sinks', key];
    read.onlyKeys(path, sink, SINK_FIELDS);
    const topic = topicRef(read, [...path, 'topic'], sink.topic, topics);
    const format = read.oneOf([...path, 'format'], sink.format, ['iceberg', 'parquet', 'json'], d.format);
    if (
      topic &&
      format !== 'json' &&
      !topic.schema &&
      !topic.isDlq &&
      !read.errors.some((e) => e.file === read.source.file && e.path === `topics.${topic.key}.schema`)
    ) {
      read.fail(
        [...path, 'format'],
        `format ${format} needs a table schema: give topic "${topic.key}" a JSON Schema (topics.${topic.key}.schema)`,
      );
    }
    const table =
      read.string([...path, 'table'], sink.table, {
        optional: true,
        pattern: /^[a-z][a-z0-9_]{0,127}$/,
        hint: 'must be a Glue table name: lower-case letters, digits and "_"',
      }) ?? defaultTableName(key);
    const previous = tables.get(table);
    if (previous)
      read.fail([...path, 'table'], `table ${quote(table)} is already written by sink ${quote(previous)}`);
    tables.set(table, key);

    const buffer = read.mapping([...path, 'buffer'], sink.buffer, { optional: true }) ?? {};
    read.onlyKeys([...path, 'buffer'], buffer, ['size', 'interval']);
    const schemaCols = topic?.schema?.properties ? schemaColumns(topic.schema) : undefined;
    const columns = schemaCols?.map((c) => c.name);
    const partitionBy = partitionFields(read, [...path, 'partitionBy'], sink.partitionBy, schemaCols);
    partitionBy.forEach((field, index) => {
      if (format !== 'iceberg' && field.transform === 'bucket') {
        read.fail(
          [...path, 'partitionBy', index],
          'bucket(N, field) partitions iceberg tables only; S3 prefixes cannot hash',
        );
      }
    });
    const uniqueKeys =
      sink.uniqueKeys === undefined ? undefined : read.stringList([...path, 'uniqueKeys'], sink.uniqueKeys);
    if (uniqueKeys && format !== 'iceberg')
      read.fail([...path, 'uniqueKeys'], 'unique keys apply to iceberg tables only');
    const required = (schemaCols ?? []).filter((c) => c.required).map((c) => c.name);
    uniqueKeys?.forEach((column, index) => {
      if (columns && !columns.includes(column)) {
        read.fail(
          [...path, 'uniqueKeys', index],
          `${quote(column)} is not a field of topic "${topic?.key}"'s schema${didYouMean(column, columns)}`,
        );
      } else if (columns && !required.includes(column)) {
        // A row identity cannot be null: Firehose requires identifier fields to be required columns.
        read.fail(
          [...path, 'uniqueKeys', index],
          `${quote(column)} must be a required, non-nullable property of topic "${topic?.key}"'s schema`,
        );
      }
    });

    const start = sinkStartFrom(read, [...path, 'startFrom'], sink.startFrom);
    sinks.push({
      key,
      tenant,
      topicKey: topic?.key ?? '',
      topic: topic?.name ?? '',
      format,
      database: glueDatabaseName(tenant),
      table,
      bufferSizeBytes: bufferSize(read, [...path, 'buffer', 'size'], buffer.size, format, partitionBy.length),
      bufferIntervalMs: read.duration([...path, 'buffer', 'interval'], buffer.interval, {
        min: 0,
        max: FIREHOSE_BUFFER_LIMITS.maxIntervalMs,
        fallback: d.bufferIntervalMs,
        label: '0s and 900s',
      }),
      partitionBy,
      uniqueKeys,
      prefix:
        read.string([...path, 'prefix'], sink.prefix, {
          optional: true,
          pattern: /^[A-Za-z0-9!_.*'()/=-]+\/$/,
          hint: 'must be an S3 key prefix ending in "/"',
        }) ?? `${tenant}/${key}/`,
      expectations: readSinkExpectations(read, [...path, 'expect'], sink.expect),
      startFrom: start.startFrom,
      startFromTimestamp: start.timestamp,
      source: ref(path),
    });
  }
  return sinks;
}

/**
 * Firehose's buffer size: 1–128 MiB, and at least 64 MiB when it converts to Parquet or partitions
 * dynamically; such sinks default to that minimum instead of Firehose's general 5 MiB.
 */
function bufferSize(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  format: SinkFormat,
  partitionFields: number,
): number {
  const limits = FIREHOSE_BUFFER_LIMITS;
  const converted = usesFormatConversionOrPartitioning(format, partitionFields);
  const min = converted ? limits.minConvertedBytes : limits.minBytes;
  const label = converted
    ? `64MiB and 128MiB (Firehose's range with ${format === 'parquet' ? 'Parquet conversion' : 'dynamic partitioning'})`
    : '1MiB and 128MiB';
  const fallback = converted ? limits.minConvertedBytes : TENANT_DEFAULTS.sink.bufferSizeBytes;
  return read.size(path, value, { min, max: limits.maxBytes, fallback, label });
}

function partitionFields(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  schemaCols: SchemaColumn[] | undefined,
): PartitionFieldSpec[] {
  const specs: PartitionFieldSpec[] = [];
  const columns = schemaCols?.map((c) => c.name);
  read.stringList(path, value).forEach((text, index) => {
    const match = PARTITION_TRANSFORM.exec(text.trim());
    if (!match) {
      // `[bucket(16, userId)]` is two items to YAML: the comma ends a flow-list item.
      const split = /^(bucket|truncate)\(\s*\d+\s*$/.test(text.trim())
        ? `; a comma inside a [flow, list] splits the item: quote it, e.g. [${quote(`${text.trim()}, field)`)}]`
        : '; use field, identity(f), year|month|day|hour(f), bucket(N, f) or truncate(W, f)';
      read.fail([...path, index], `${quote(text)} is not a partition transform${split}`);
      return;
    }
    const spec: PartitionFieldSpec = match[1]
      ? { transform: match[1] as PartitionFieldSpec['transform'], field: match[2]! }
      : match[3]
        ? {
            transform: match[3] as PartitionFieldSpec['transform'],
            field: match[5]!,
            param: Number(match[4]),
          }
        : { transform: 'identity', field: match[6]! };
    if (spec.param !== undefined && spec.param < 1)
      read.fail([...path, index], `${spec.transform} needs a positive number, got ${spec.param}`);
    if (columns && !columns.includes(spec.field)) {
      read.fail(
        [...path, index],
        `"${spec.field}" is not a field of the topic's schema${didYouMean(spec.field, columns)}`,
      );
      return;
    }
    // Iceberg's time transforms take date and timestamp columns (hour: timestamps only); on S3 they slice the
    // ISO text of the same fields. https://iceberg.apache.org/spec/#partition-transforms
    const kind = schemaCols?.find((c) => c.name === spec.field)?.kind;
    const timeKinds = spec.transform === 'hour' ? ['date-time'] : ['date-time', 'date'];
    if (kind && ['year', 'month', 'day', 'hour'].includes(spec.transform) && !timeKinds.includes(kind)) {
      read.fail(
        [...path, index],
        `${spec.transform}(${spec.field}) needs a string field with format ${timeKinds.join(' or ')}, but "${spec.field}" is ${kind}`,
      );
      return;
    }
    specs.push(spec);
  });
  return specs;
}

/**
 * `quotas: { produce: 1MiB, consume: 4MiB }`, bytes per second per broker (Kafka's quota unit), within the
 * platform's governance.quotas; a tenant that sets none gets the platform's maxima.
 */
function resolveQuotas(read: FieldReader, root: Mapping, platform: PlatformSpec): QuotasSpec | undefined {
  const quotas = read.mapping(['quotas'], root.quotas, { optional: true }) ?? {};
  read.onlyKeys(['quotas'], quotas, ['produce', 'consume']);
  const g = platform.governance;
  const one = (key: 'produce' | 'consume', max: number | undefined) => {
    if (quotas[key] === undefined) return max;
    const limit = max ?? 10 * 1024 ** 3;
    const value = read.size(['quotas', key], quotas[key], {
      min: 1024,
      max: Number.MAX_SAFE_INTEGER,
      fallback: limit,
      label: '1KiB and any size (bytes per second)',
    });
    if (value > limit) {
      read.fail(
        ['quotas', key],
        `${String(quotas[key])}/s exceeds the platform limit of ${limit} bytes/s (governance.quotas.max${key === 'produce' ? 'Produce' : 'Consume'})`,
      );
      return limit;
    }
    return value;
  };
  const produce = one('produce', g.maxProduceBytesPerSecond);
  const consume = one('consume', g.maxConsumeBytesPerSecond);
  if (produce === undefined && consume === undefined) return undefined;
  return { produceBytesPerSecond: produce, consumeBytesPerSecond: consume };
}

function resolveAlerts(read: FieldReader, root: Mapping, hasProducers: boolean): AlertsSpec {
  const alerts = read.mapping(['alerts'], root.alerts, { optional: true }) ?? {};
  read.onlyKeys(['alerts'], alerts, ['lag', 'errors', 'dlq', 'quality', 'silence']);
  const lag = read.mapping(['alerts', 'lag'], alerts.lag, { optional: true }) ?? {};
  read.onlyKeys(['alerts', 'lag'], lag, ['maxSeconds', 'maxRecords']);
  const errorsAlert = read.mapping(['alerts', 'errors'], alerts.errors, { optional: true }) ?? {};
  read.onlyKeys(['alerts', 'errors'], errorsAlert, ['ratePercent']);
  const dlq = read.mapping(['alerts', 'dlq'], alerts.dlq, { optional: true }) ?? {};
  read.onlyKeys(['alerts', 'dlq'], dlq, ['maxRecords']);
  const quality = read.mapping(['alerts', 'quality'], alerts.quality, { optional: true }) ?? {};
  read.onlyKeys(['alerts', 'quality'], quality, ['ratePercent']);
  const optionalInt = (path: FieldPath, value: unknown, max: number) =>
    value === undefined ? undefined : read.integer(path, value, { min: 0, max });
  let errorRatePercent: number | undefined;
  if (errorsAlert.ratePercent !== undefined) {
    const rate = errorsAlert.ratePercent;
    if (typeof rate !== 'number' || rate <= 0 || rate > 100)
      read.fail(
        ['alerts', 'errors', 'ratePercent'],
        `must be a number above 0 and at most 100, got ${JSON.stringify(rate)}`,
      );
    else errorRatePercent = rate;
  }
  return {
    lagSeconds: optionalInt(['alerts', 'lag', 'maxSeconds'], lag.maxSeconds, 604_800),
    lagRecords: optionalInt(['alerts', 'lag', 'maxRecords'], lag.maxRecords, Number.MAX_SAFE_INTEGER),
    errorRatePercent,
    dlqRecords: optionalInt(['alerts', 'dlq', 'maxRecords'], dlq.maxRecords, Number.MAX_SAFE_INTEGER),
    qualityRatePercent: percent(read, ['alerts', 'quality', 'ratePercent'], quality.ratePercent),
    silenceMs: silence(read, alerts.silence, hasProducers),
  };
}

/**
 * `alerts.silence: 30m`: how long a topic that declared producers (or the ingest endpoint) write may receive
 * nothing. The alarm evaluates one-minute periods, and CloudWatch allows at most one day of them.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
function silence(read: FieldReader, value: unknown, hasProducers: boolean): number | undefined {
  if (value === undefined || value === null) return undefined;
  const ms = read.duration(['alerts', 'silence'], value, {
    min: 5 * 60 * SECOND,
    max: DAY,
    fallback: DAY,
    label: '5m and 1d',
  });
  if (ms % (60 * SECOND) !== 0) {
    read.fail(
      ['alerts', 'silence'],
      `must be whole minutes (one-minute alarm periods), got ${quote(String(value))}`,
    );
    return undefined;
  }
  if (!hasProducers) {
    read.fail(
      ['alerts', 'silence'],
      'watches the topics declared producers or the ingest endpoint write; this tenant declares neither (producers:, ingest:)',
      'key',
    );
    return undefined;
  }
  return ms;
}
