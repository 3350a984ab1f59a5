/**
 * `stratus catalog --format backstage`: Backstage catalog entities, so a platform team can register Stratus
 * in an existing developer portal (a `catalog-info.yaml` with several documents). Per tenant: a Group (the
 * owning team), a System, an API of type `asyncapi` carrying the tenant's AsyncAPI document, a Component per
 * consumer and sink, and a Resource per topic and per table or S3 prefix. Relations come from the lineage:
 * a component `dependsOn` the resources it reads and writes, provides its tenant's API when it writes a
 * topic, and consumes another tenant's API when it reads a shared topic.
 * https://backstage.io/docs/features/software-catalog/descriptor-format
 */
import { createHash } from 'node:crypto';
import { stringify } from 'yaml';
import { piiFields } from '../core/schema-fields.ts';
import type { PlatformSpec } from '../manifest/spec.ts';
import { asyncApiDocument } from './asyncapi.ts';
import type { LineageGraph, LineageNode } from './graph.ts';

const API_VERSION = 'backstage.io/v1alpha1';
const ANNOTATION = 'stratus.dev';

export interface BackstageEntity {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    title?: string;
    description?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    tags?: string[];
  };
  spec: Record<string, unknown>;
}

/**
 * A Backstage entity name: `[a-zA-Z0-9]` separated by `-`, `_` or `.`, at most 63 characters. Longer names
 * (a 31-character tenant and a 48-character topic) keep their start and get a hash of the whole.
 */
export function entityName(name: string): string {
  if (name.length <= 63) return name;
  return `${name.slice(0, 50).replace(/[-_.]+$/, '')}-${createHash('sha256').update(name).digest('hex').slice(0, 12)}`;
}

/** Label values follow the name rule; a cost centre such as `CC 12/a` becomes `CC-12-a`. */
function labelValue(value: string): string {
  return entityName(value.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-_.]+|[-_.]+$/g, '')) || 'unknown';
}

function resourceName(node: LineageNode): string {
  switch (node.kind) {
    case 'topic':
      return entityName(node.name);
    case 'table':
      return entityName(`${node.database}.${node.table}`);
    case 'objects':
      return entityName(`${node.tenant}.${node.prefix.replace(/\/+$/, '').replaceAll('/', '.')}.objects`);
    default:
      return entityName(`${node.tenant}.${node.label}`);
  }
}

const apiName = (tenant: string) => entityName(`${tenant}-events`);

export function backstageEntities(
  graph: LineageGraph,
  platform: PlatformSpec,
  options: { bootstrap?: string } = {},
): BackstageEntity[] {
  const entities: BackstageEntity[] = [];
  const byId = new Map(graph.nodes.map((n) => [n.id, n]));
  const ref = (node: LineageNode) =>
    node.kind === 'consumer' || node.kind === 'sink'
      ? `component:default/${resourceName(node)}`
      : `resource:default/${resourceName(node)}`;

  for (const tenant of graph.tenants) {
    const owner = `group:default/${tenant.name}`;
    const labels = tenant.costCenter
      ? { [`${ANNOTATION}/cost-center`]: labelValue(tenant.costCenter) }
      : undefined;
    const annotations = {
      [`${ANNOTATION}/tenant`]: tenant.name,
      [`${ANNOTATION}/manifest`]: tenant.file,
      ...(tenant.owners.length > 0 ? { [`${ANNOTATION}/owners`]: tenant.owners.join(', ') } : {}),
      ...(tenant.costCenter ? { [`${ANNOTATION}/cost-center`]: tenant.costCenter } : {}),
    };
    const common = { owner, system: tenant.name };
    entities.push({
      apiVersion: API_VERSION,
      kind: 'Group',
      metadata: {
        name: tenant.name,
        description: `Owners of the Stratus tenant ${tenant.name}`,
        annotations,
      },
      spec: {
        type: 'team',
        children: [],
        ...(tenant.owners[0] ? { profile: { email: tenant.owners[0] } } : {}),
      },
    });
    entities.push({
      apiVersion: API_VERSION,
      kind: 'System',
      metadata: {
        name: tenant.name,
        description: tenant.description ?? `Stratus tenant ${tenant.name}`,
        ...(labels ? { labels } : {}),
        annotations,
        tags: ['stratus', 'kafka'],
      },
      spec: { owner },
    });
    entities.push({
      apiVersion: API_VERSION,
      kind: 'API',
      metadata: {
        name: apiName(tenant.name),
        title: `${tenant.name} event streams`,
        description: `The topics of ${tenant.name} and what its consumers and processors read and write (AsyncAPI 3.0)`,
        ...(labels ? { labels } : {}),
        annotations,
        tags: ['asyncapi', 'kafka'],
      },
      spec: {
        type: 'asyncapi',
        lifecycle: 'production',
        ...common,
        definition: stringify(asyncApiDocument(graph, tenant, platform, options)),
      },
    });

    for (const node of graph.nodes.filter((n) => n.tenant === tenant.name)) {
      if (node.kind === 'consumer' || node.kind === 'sink') {
        const inputs = graph.edges.filter((e) => e.to === node.id).map((e) => byId.get(e.from)!);
        const outputs = graph.edges.filter((e) => e.from === node.id).map((e) => byId.get(e.to)!);
        const foreign = [
          ...new Set(inputs.filter((n) => n.tenant !== tenant.name).map((n) => apiName(n.tenant))),
        ];
        const writesTopic = graph.edges.some((e) => e.from === node.id && e.kind === 'writes');
        entities.push({
          apiVersion: API_VERSION,
          kind: 'Component',
          metadata: {
            name: resourceName(node),
            title: `${tenant.name}/${node.label}`,
            description:
              node.kind === 'consumer'
                ? `${node.role === 'processor' ? 'Processor' : 'Consumer'} ${node.spec.handlerFile}, group ${node.spec.groupId}`
                : `Firehose sink of ${node.spec.topic} (${node.spec.format})`,
            annotations: { ...annotations, [`${ANNOTATION}/${node.kind}`]: node.label },
            tags: node.kind === 'sink' ? ['stratus', 'firehose'] : ['stratus', 'lambda'],
          },
          spec: {
            type: node.kind === 'sink' ? 'data-pipeline' : 'stream-processor',
            lifecycle: 'production',
            ...common,
            ...(writesTopic ? { providesApis: [`api:default/${apiName(tenant.name)}`] } : {}),
            ...(foreign.length > 0 ? { consumesApis: foreign.map((name) => `api:default/${name}`) } : {}),
            dependsOn: [...new Set([...inputs, ...outputs].map(ref))],
          },
        });
      } else {
        const pii = node.kind === 'topic' && piiFields(node.spec?.schema).length > 0;
        entities.push({
          apiVersion: API_VERSION,
          kind: 'Resource',
          metadata: {
            name: resourceName(node),
            title: node.kind === 'topic' ? node.name : node.label,
            description:
              node.kind === 'topic'
                ? `Kafka topic ${node.name}${node.isDlq ? ' (dead letters)' : ''}`
                : node.kind === 'table'
                  ? `Iceberg table ${node.database}.${node.table} at ${node.location}`
                  : `${node.format} objects under ${node.label}`,
            annotations: {
              ...annotations,
              ...(node.kind === 'topic' ? { [`${ANNOTATION}/topic`]: node.name } : {}),
            },
            tags: [
              node.kind === 'topic' ? 'kafka' : node.kind === 'table' ? 'iceberg' : 's3',
              ...(pii ? ['pii'] : []),
            ],
          },
          spec: {
            type:
              node.kind === 'topic' ? 'kafka-topic' : node.kind === 'table' ? 'iceberg-table' : 's3-prefix',
            ...common,
          },
        });
      }
    }
  }
  return entities;
}

/** The entities as one multi-document YAML file (`catalog-info.yaml`). */
export function renderBackstage(entities: BackstageEntity[]): string {
  return entities.map((entity) => `---\n${stringify(entity)}`).join('');
}

/**
 * Checks each entity with Backstage's own validators (@backstage/catalog-model: the entity envelope, the
 * JSON Schema of its kind, and the field-format policy for names, labels, annotations and tags).
 */
export async function checkBackstage(entities: BackstageEntity[]): Promise<string[]> {
  const model = await import('@backstage/catalog-model');
  const validators = [
    model.apiEntityV1alpha1Validator,
    model.componentEntityV1alpha1Validator,
    model.groupEntityV1alpha1Validator,
    model.resourceEntityV1alpha1Validator,
    model.systemEntityV1alpha1Validator,
  ];
  const formats = new model.FieldFormatEntityPolicy();
  const problems: string[] = [];
  for (const entity of entities) {
    const where = `${entity.kind}:${entity.metadata.name}`;
    try {
      model.entitySchemaValidator()(entity);
      await formats.enforce(entity as never);
      const results = await Promise.all(validators.map((v) => v.check(entity as never)));
      if (!results.some(Boolean)) problems.push(`${where}: no validator accepts kind ${entity.kind}`);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
    }
  }
  return problems;
}
