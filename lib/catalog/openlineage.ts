/**
 * `stratus lineage --format openlineage`: the declared lineage as OpenLineage static events (spec 2-0-2), one
 * JSON object per line, ready for any OpenLineage endpoint (Marquez, DataHub, Amazon DataZone): a DatasetEvent
 * per topic, table and S3 prefix (schema, owners, tags, storage), then a JobEvent per consumer and sink with
 * its inputs and outputs. Dataset names follow OpenLineage's naming conventions: Kafka
 * `kafka://<host>:<port>` + topic, Glue `arn:aws:glue:<region>:<account>` + `table/<db>/<table>`, S3
 * `s3://<bucket>` + key prefix. https://openlineage.io/docs/spec/naming
 */
import { sinkGroupId } from '../core/naming.ts';
import { piiFields } from '../core/schema-fields.ts';
import type { PlatformSpec, TenantSpec } from '../manifest/spec.ts';
import type { LineageGraph, LineageNode } from './graph.ts';

const SPEC = 'https://openlineage.io/spec/2-0-2/OpenLineage.json';
const FACETS = 'https://openlineage.io/spec/facets';
/** Identifies Stratus as the producer of the metadata (a URI, as the spec requires). */
export const OPENLINEAGE_PRODUCER = 'urn:stratus:lineage:0.1.0';

export interface OpenLineageNamespaces {
  /** `kafka://<bootstrap host>:<port>`. */
  kafka: string;
  /** `arn:aws:glue:<region>:<account>`. */
  glue: string;
  /** Prefix of the job namespaces; a tenant's jobs are in `<jobs>/<tenant>`. */
  jobs: string;
}

/** The namespaces of the platform's cluster and catalog; `bootstrap` is `host:port` of one broker. */
export function defaultNamespaces(platform: PlatformSpec, bootstrap?: string): OpenLineageNamespaces {
  return {
    kafka: `kafka://${bootstrap ?? `127.0.0.1:${platform.local.kafkaPort}`}`,
    glue: `arn:aws:glue:${platform.region}:${platform.account ?? '000000000000'}`,
    jobs: `stratus://${platform.cluster.name}`,
  };
}

type Facet = Record<string, unknown>;
interface Dataset {
  namespace: string;
  name: string;
  facets?: Record<string, Facet>;
}
export type OpenLineageEvent = Record<string, unknown>;

function facet(file: string, version: string, body: Record<string, unknown>): Facet {
  return {
    _producer: OPENLINEAGE_PRODUCER,
    _schemaURL: `${FACETS}/${version}/${file}.json#/$defs/${file}`,
    ...body,
  };
}

function datasetOf(node: LineageNode, ns: OpenLineageNamespaces): Dataset | undefined {
  switch (node.kind) {
    case 'topic':
      return { namespace: ns.kafka, name: node.name };
    case 'table':
      return { namespace: ns.glue, name: `table/${node.database}/${node.table}` };
    case 'objects':
      return { namespace: `s3://${node.bucket}`, name: node.prefix.replace(/\/$/, '') };
    default:
      return undefined;
  }
}

/** OpenLineage schema fields from a JSON Schema's properties (nested objects become nested fields). */
function schemaFields(schema: Record<string, unknown> | undefined): Facet[] {
  const properties = schema?.properties;
  if (!properties || typeof properties !== 'object') return [];
  return Object.entries(properties as Record<string, Record<string, unknown>>).map(([name, property]) => {
    const declared = Array.isArray(property?.type)
      ? (property.type as string[]).find((t) => t !== 'null')
      : property?.type;
    const type = typeof declared === 'string' ? declared : Array.isArray(property?.enum) ? 'enum' : 'any';
    const nested = type === 'array' ? (property.items as Record<string, unknown>) : property;
    const fields = schemaFields(nested);
    return {
      name,
      type: typeof property?.format === 'string' ? `${type}(${property.format})` : type,
      ...(typeof property?.description === 'string' ? { description: property.description } : {}),
      ...(fields.length > 0 ? { fields } : {}),
    };
  });
}

function owners(tenant: TenantSpec | undefined, name: string): Facet[] {
  return [
    { name: `team:${name}`, type: 'OWNER' },
    ...(tenant?.owners ?? []).map((email) => ({ name: `user:${email}`, type: 'MAINTAINER' })),
  ];
}

function tenantTags(tenant: TenantSpec | undefined, name: string): Facet[] {
  const tags = [{ key: 'stratus:tenant', value: name, source: 'STRATUS' }];
  if (tenant?.costCenter)
    tags.push({ key: 'stratus:cost-center', value: tenant.costCenter, source: 'STRATUS' });
  return tags;
}

function datasetFacets(node: LineageNode, tenant: TenantSpec | undefined): Record<string, Facet> {
  const facets: Record<string, Facet> = {
    ownership: facet('OwnershipDatasetFacet', '1-0-1', { owners: owners(tenant, node.tenant) }),
  };
  const tags = tenantTags(tenant, node.tenant);
  if (node.kind === 'topic') {
    facets.datasetType = facet('DatasetTypeDatasetFacet', '1-0-1', {
      datasetType: 'TOPIC',
      ...(node.isDlq ? { subType: 'DEAD_LETTER' } : {}),
    });
    const schema = node.spec?.schema;
    if (schema) facets.schema = facet('SchemaDatasetFacet', '1-2-0', { fields: schemaFields(schema) });
    for (const field of piiFields(schema)) tags.push({ key: 'pii', value: 'true', source: 'STRATUS', field });
  } else if (node.kind === 'table') {
    facets.datasetType = facet('DatasetTypeDatasetFacet', '1-0-1', { datasetType: 'TABLE' });
    facets.storage = facet('StorageDatasetFacet', '1-0-1', {
      storageLayer: 'iceberg',
      fileFormat: 'parquet',
    });
    const location = new URL(node.location);
    facets.symlinks = facet('SymlinksDatasetFacet', '1-0-1', {
      identifiers: [
        { namespace: `s3://${location.host}`, name: location.pathname.slice(1), type: 'LOCATION' },
      ],
    });
  } else if (node.kind === 'objects') {
    facets.datasetType = facet('DatasetTypeDatasetFacet', '1-0-1', { datasetType: 'FILE' });
    facets.storage = facet('StorageDatasetFacet', '1-0-1', { storageLayer: 's3', fileFormat: node.format });
  }
  facets.tags = facet('TagsDatasetFacet', '1-0-0', { tags });
  return facets;
}

export interface OpenLineageOptions {
  namespaces: OpenLineageNamespaces;
  /** ISO time of the events. @default now */
  eventTime?: string;
}

/** Every event of the graph: datasets first (so a consumer of the stream knows them before the jobs). */
export function openLineageEvents(graph: LineageGraph, options: OpenLineageOptions): OpenLineageEvent[] {
  const ns = options.namespaces;
  const eventTime = options.eventTime ?? new Date().toISOString();
  const tenants = new Map(graph.tenants.map((t) => [t.name, t]));
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const base = (kind: 'DatasetEvent' | 'JobEvent') => ({
    eventTime,
    producer: OPENLINEAGE_PRODUCER,
    schemaURL: `${SPEC}#/$defs/${kind}`,
  });
  const events: OpenLineageEvent[] = [];
  for (const node of graph.nodes) {
    const dataset = datasetOf(node, ns);
    if (!dataset) continue;
    events.push({
      ...base('DatasetEvent'),
      dataset: { ...dataset, facets: datasetFacets(node, tenants.get(node.tenant)) },
    });
  }
  for (const node of graph.nodes) {
    if (node.kind !== 'consumer' && node.kind !== 'sink') continue;
    const tenant = tenants.get(node.tenant);
    const ends = (side: 'from' | 'to') =>
      graph.edges
        .filter((e) => e[side === 'from' ? 'to' : 'from'] === node.id)
        .map((e) => datasetOf(byId.get(e[side])!, ns))
        .filter((d): d is Dataset => d !== undefined);
    const jobType = node.kind === 'sink' ? 'SINK' : node.role === 'processor' ? 'PROCESSOR' : 'CONSUMER';
    const description =
      node.kind === 'sink'
        ? `Firehose delivery of ${node.spec.topic} into ${node.spec.format === 'iceberg' ? `${node.spec.database}.${node.spec.table}` : `s3 ${node.spec.prefix}`}`
        : `Lambda ${node.spec.handlerFile}, consumer group ${node.spec.groupId}`;
    events.push({
      ...base('JobEvent'),
      job: {
        namespace: `${ns.jobs}/${node.tenant}`,
        name: node.kind === 'sink' ? sinkGroupId(node.tenant, node.label) : node.spec.groupId,
        facets: {
          jobType: facet('JobTypeJobFacet', '2-0-4', {
            processingType: 'STREAMING',
            integration: 'STRATUS',
            jobType,
          }),
          ownership: facet('OwnershipJobFacet', '1-0-1', { owners: owners(tenant, node.tenant) }),
          documentation: facet('DocumentationJobFacet', '1-1-0', { description }),
          tags: facet('TagsJobFacet', '1-0-0', { tags: tenantTags(tenant, node.tenant) }),
        },
      },
      inputs: ends('from'),
      outputs: ends('to'),
    });
  }
  return events;
}

export function renderOpenLineage(events: OpenLineageEvent[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}

/**
 * Posts each event to an OpenLineage HTTP endpoint (`POST <url>` with a JSON body, as the spec's HTTP
 * transport does; Marquez's is `http://host:5000/api/v1/lineage`). Stops at the first refusal.
 */
export async function postOpenLineage(
  url: string,
  events: OpenLineageEvent[],
  headers: Record<string, string> = {},
): Promise<void> {
  for (const [index, event] of events.entries()) {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(event),
      signal: AbortSignal.timeout(30_000),
    });
    if (!response.ok) {
      const body = (await response.text()).slice(0, 300);
      throw new Error(
        `${url} refused event ${index + 1} of ${events.length} with HTTP ${response.status}${body ? `: ${body}` : ''}`,
      );
    }
  }
}
