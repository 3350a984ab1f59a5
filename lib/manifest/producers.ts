/**
 * The ingestion fields of a manifest: `producers:` (services outside Stratus that write the tenant's topics, and
 * who they are on AWS) and `ingest:` (the HTTP ingest endpoint). Both write only the tenant's own topics: shares
 * grant reads, never writes, and the DLQ is written by the platform alone.
 */
import { INGEST_PRODUCER_NAME } from '../core/naming.ts';
import { quote } from '../core/quote.ts';
import { didYouMean } from './errors.ts';
import type { FieldReader, Mapping } from './fields.ts';
import type {
  IngestSpec,
  IngestTopicSpec,
  PlatformSpec,
  ProducerPrincipal,
  ProducerSpec,
  ProducerTrust,
  SourceRef,
  TenantSpec,
  TopicSpec,
} from './spec.ts';
import type { FieldPath } from './yaml-source.ts';

const KIB = 1024;
const MIB = 1024 * KIB;

export const INGEST_DEFAULTS = {
  maxBodyBytes: MIB,
  /**
   * The Lambda behind the endpoint takes at most 6 MB per synchronous request, and API Gateway base64-encodes
   * a body it does not treat as text (a third more); 4 MiB stays within that either way.
   * https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
   */
  maxBodyBytesLimit: 4 * MIB,
  rateLimit: 100,
  burstLimit: 200,
  /** API Gateway's account-level defaults are 10,000 requests per second with a burst of 5,000. */
  maxRateLimit: 10_000,
  maxBurstLimit: 5_000,
} as const;

const PRODUCER_FIELDS = ['topics', 'principal', 'trust'];
const INGEST_FIELDS = ['topics', 'auth', 'maxBodyBytes', 'throttle'];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
const FIELD_PATH = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;
const TRUSTS = ['ecs-task', 'lambda', 'eks-pod'] as const;

/** Why `<owner>/<topic>` is refused where something writes. */
export const WRITES_ARE_NOT_SHARED =
  "shares grant reads only; a producer writes its own tenant's topics (the owner declares the producer in its manifest)";

/** Resolves a topic key of this tenant (unknown keys and other tenants' topics are reported there). */
export type WritableTopic = (path: FieldPath, value: unknown) => TopicSpec | undefined;

type Ref = (path: FieldPath, at?: 'value' | 'key') => SourceRef;

/** `producers.<name>: { topics, principal, trust }`. */
export function resolveProducers(
  read: FieldReader,
  entries: Array<[string, Mapping]>,
  tenant: string,
  platform: PlatformSpec,
  writable: WritableTopic,
  ref: Ref,
): ProducerSpec[] {
  const producers: ProducerSpec[] = [];
  for (const [key, producer] of entries) {
    const path = ['producers', key];
    read.onlyKeys(path, producer, PRODUCER_FIELDS);
    if (key === INGEST_PRODUCER_NAME) {
      read.fail(
        path,
        `"${INGEST_PRODUCER_NAME}" is the name the HTTP ingest endpoint writes under; name the producer after the service`,
        'key',
      );
      continue;
    }
    const topics = writableTopics(read, [...path, 'topics'], producer.topics, writable);
    const principal = resolvePrincipal(read, path, producer, platform);
    if (!principal) continue;
    producers.push({
      key,
      tenant,
      topicKeys: topics.map((t) => t.key),
      topics: topics.map((t) => t.name),
      principal,
      source: ref(path),
    });
  }
  return producers;
}

/** A non-empty list of the tenant's own topics, each once, never the DLQ. */
function writableTopics(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  writable: WritableTopic,
): TopicSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    read.fail(path, 'must list the topics it writes, e.g. [orders]');
    return [];
  }
  const topics: TopicSpec[] = [];
  value.forEach((item, index) => {
    const at = [...path, index];
    const topic = writable(at, item);
    if (!topic) return;
    if (topic.isDlq) read.fail(at, 'the DLQ is written by the platform only');
    else if (topics.includes(topic)) read.fail(at, `"${topic.key}" is listed twice`);
    else topics.push(topic);
  });
  return topics;
}

function resolvePrincipal(
  read: FieldReader,
  path: FieldPath,
  producer: Mapping,
  platform: PlatformSpec,
): ProducerPrincipal | undefined {
  const at = [...path, 'principal'];
  const value = producer.principal;
  if (value === undefined || value === null)
    return read.fail(
      at,
      'is required: the ARN of an existing IAM role to grant (arn:aws:iam::<account>:role/<name>), or "create" with trust: ecs-task | lambda | eks-pod | <account id>',
    );
  if (value === 'create') {
    const trust = resolveTrust(read, [...path, 'trust'], producer.trust);
    return trust ? { kind: 'create', trust } : undefined;
  }
  const match = typeof value === 'string' ? ROLE_ARN.exec(value) : null;
  if (!match)
    return read.fail(
      at,
      `${quote(String(value))} is neither "create" nor an IAM role ARN (arn:aws:iam::<account>:role/<name>)`,
    );
  if (producer.trust !== undefined)
    read.fail(
      [...path, 'trust'],
      'applies to a role the stack creates (principal: create); an existing role keeps its own trust policy',
      'key',
    );
  if (platform.account && match[1] !== platform.account)
    return read.fail(
      at,
      `the role is in account ${match[1]}, the platform deploys to ${platform.account}: a stack attaches policies to roles of its own account only; use principal: create with trust: '${match[1]}' and let that account assume the role`,
    );
  return { kind: 'existing', roleArn: value as string };
}

function resolveTrust(read: FieldReader, path: FieldPath, value: unknown): ProducerTrust | undefined {
  if (value === undefined || value === null)
    return read.fail(
      path,
      'is required with principal: create: ecs-task, lambda, eks-pod or a 12-digit AWS account id in quotes',
    );
  if (typeof value === 'number')
    return read.fail(
      path,
      `write the account id in quotes ('${String(value).padStart(12, '0')}'): YAML reads a bare number and drops leading zeros`,
    );
  if (typeof value === 'string' && ACCOUNT_ID.test(value)) return { kind: 'account', account: value };
  if (typeof value === 'string' && (TRUSTS as readonly string[]).includes(value))
    return { kind: value as (typeof TRUSTS)[number] };
  return read.fail(
    path,
    `must be ecs-task, lambda, eks-pod or a 12-digit AWS account id, got ${quote(String(value))}${typeof value === 'string' ? didYouMean(value, TRUSTS) : ''}`,
  );
}

/** `ingest: { topics, auth, maxBodyBytes, throttle }`. */
export function resolveIngest(
  read: FieldReader,
  root: Mapping,
  writable: WritableTopic,
  ref: Ref,
): IngestSpec | undefined {
  const ingest = read.mapping(['ingest'], root.ingest, { optional: true });
  if (!ingest) return undefined;
  read.onlyKeys(['ingest'], ingest, INGEST_FIELDS);
  const d = INGEST_DEFAULTS;
  const topics = ingestTopics(read, ['ingest', 'topics'], ingest.topics, writable);
  let auth: IngestSpec['auth'] = 'iam';
  if (ingest.auth === undefined || ingest.auth === null)
    read.fail(
      ['ingest', 'auth'],
      'is required: iam (requests signed with SigV4, allowed by IAM policies) or apiKey (a key the tenant stack generates in Secrets Manager)',
    );
  else auth = read.oneOf(['ingest', 'auth'], ingest.auth, ['iam', 'apiKey'], 'iam');
  const throttle = read.mapping(['ingest', 'throttle'], ingest.throttle, { optional: true }) ?? {};
  read.onlyKeys(['ingest', 'throttle'], throttle, ['rate', 'burst']);
  const rateLimit = read.integer(['ingest', 'throttle', 'rate'], throttle.rate, {
    min: 1,
    max: d.maxRateLimit,
    fallback: d.rateLimit,
  });
  const burstLimit = read.integer(['ingest', 'throttle', 'burst'], throttle.burst, {
    min: 1,
    max: d.maxBurstLimit,
    fallback: Math.min(d.maxBurstLimit, Math.max(d.burstLimit, rateLimit)),
  });
  return {
    topics,
    auth,
    maxBodyBytes: read.size(['ingest', 'maxBodyBytes'], ingest.maxBodyBytes, {
      min: KIB,
      max: d.maxBodyBytesLimit,
      fallback: d.maxBodyBytes,
      label: '1KiB and 4MiB (what a Lambda behind API Gateway can take in one request)',
    }),
    throttle: { rateLimit, burstLimit },
    source: ref(['ingest']),
  };
}

/** `topics: [orders, { topic: page-views, key: sessionId }]`. */
function ingestTopics(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  writable: WritableTopic,
): IngestTopicSpec[] {
  if (!Array.isArray(value) || value.length === 0) {
    read.fail(
      path,
      'must list the topics the endpoint accepts, e.g. [orders] or [{ topic: orders, key: orderId }]',
    );
    return [];
  }
  const topics: IngestTopicSpec[] = [];
  value.forEach((item, index) => {
    const at = [...path, index];
    const entry =
      item !== null && typeof item === 'object' && !Array.isArray(item) ? (item as Mapping) : undefined;
    if (entry) read.onlyKeys(at, entry, ['topic', 'key']);
    const topic = writable(entry ? [...at, 'topic'] : at, entry ? entry.topic : item);
    if (!topic) return;
    if (topic.isDlq) {
      read.fail(at, 'the DLQ is written by the platform only');
      return;
    }
    if (topics.some((t) => t.key === topic.key)) {
      read.fail(at, `"${topic.key}" is listed twice`);
      return;
    }
    const keyField = entry ? keyFieldOf(read, [...at, 'key'], entry.key, topic) : undefined;
    topics.push({ key: topic.key, name: topic.name, keyField });
  });
  return topics;
}

/** A dotted path to a string or number field of the topic's schema (when it has one). */
function keyFieldOf(
  read: FieldReader,
  path: FieldPath,
  value: unknown,
  topic: TopicSpec,
): string | undefined {
  const field = read.string(path, value, {
    optional: true,
    pattern: FIELD_PATH,
    hint: 'must be a dotted path of value fields, e.g. orderId or customer.id',
  });
  if (!field || !topic.schema) return field;
  const problem = keyFieldProblem(topic.schema, field);
  if (problem) read.fail(path, `${problem} (topic "${topic.key}"'s schema, ${topic.schemaFile})`);
  return field;
}

type Schema = Record<string, unknown>;

/** Why `field` cannot key records of `schema`, or undefined when it can. */
function keyFieldProblem(schema: Schema, field: string): string | undefined {
  let node: Schema | undefined = schema;
  const names = field.split('.');
  for (const [index, name] of names.entries()) {
    const properties = propertiesOf(node);
    const child = properties[name];
    if (!child) {
      const at = names.slice(0, index).join('.');
      return `"${field}" is not a field${at ? ` (no "${name}" under "${at}")` : ''}${didYouMean(name, Object.keys(properties))}`;
    }
    node = child;
  }
  const types = [node?.type].flat().filter((t): t is string => typeof t === 'string');
  if (types.length > 0 && !types.some((t) => t === 'string' || t === 'integer' || t === 'number'))
    return `"${field}" is ${types.join(' or ')}; a key field must be a string or a number`;
  return undefined;
}

/** Properties of an object schema, those of its `allOf`/`anyOf`/`oneOf` branches included. */
function propertiesOf(node: Schema | undefined): Record<string, Schema> {
  if (!node) return {};
  const own = (node.properties ?? {}) as Record<string, Schema>;
  const branches = ['allOf', 'anyOf', 'oneOf'].flatMap((k) =>
    Array.isArray(node[k]) ? (node[k] as Schema[]) : [],
  );
  return Object.assign({}, ...branches.map(propertiesOf), own);
}

/**
 * The tenant's source topics — those its declared producers or its ingest endpoint write — with their writers
 * (producer keys, and `ingest`), in manifest order: what the dashboard graphs, the silence alarms watch and the
 * lineage shows as entry points.
 */
export function sourceTopicWriters(
  tenant: Pick<TenantSpec, 'producers' | 'ingest' | 'topics'>,
): Array<{ topic: string; topicKey: string; writers: string[] }> {
  const writers = new Map<string, string[]>();
  const add = (topicKey: string, writer: string) => {
    if (!writers.has(topicKey)) writers.set(topicKey, []);
    writers.get(topicKey)!.push(writer);
  };
  for (const producer of tenant.producers ?? []) for (const key of producer.topicKeys) add(key, producer.key);
  for (const topic of tenant.ingest?.topics ?? []) add(topic.key, INGEST_PRODUCER_NAME);
  return tenant.topics
    .filter((topic) => writers.has(topic.key))
    .map((topic) => ({ topic: topic.name, topicKey: topic.key, writers: writers.get(topic.key)! }));
}
