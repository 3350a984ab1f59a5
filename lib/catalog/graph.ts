/**
 * The lineage graph: topics, the consumers and sinks that read them, what processors write, and where sinks
 * deliver (Iceberg tables, S3 prefixes). Built from the resolved `TenantSpec`s only, so every rendering
 * (text, Mermaid, DOT, JSON, OpenLineage, AsyncAPI, Backstage) reads the same facts the CDK and the local
 * runtime read. A topic's owner is the tenant its name starts with (`<tenant>.<key>`, lib/core/naming.ts),
 * which is how an edge between two tenants shows up without any extra bookkeeping.
 */
import { icebergTablePrefix, lakehouseBucketName, parseQualifiedName } from '../core/naming.ts';
import type { ConsumerSpec, SinkSpec, StratusSpec, TenantSpec, TopicSpec } from '../manifest/spec.ts';

export type LineageNodeKind = 'topic' | 'consumer' | 'sink' | 'table' | 'objects';

interface NodeBase {
  /** Unique in the graph: `<kind>:<name>`. */
  id: string;
  kind: LineageNodeKind;
  /** Tenant that owns the node. */
  tenant: string;
  /** Short label (the manifest key, or the table name). */
  label: string;
}

export interface TopicNode extends NodeBase {
  kind: 'topic';
  /** Name on the cluster (`payments.orders`). */
  name: string;
  key: string;
  isDlq: boolean;
  /** Undefined when the owner's manifest is not part of the graph (an unknown tenant's topic). */
  spec?: TopicSpec;
}

export interface ConsumerNode extends NodeBase {
  kind: 'consumer';
  /** `consumer` when it only reads; `processor` when it writes an output topic. */
  role: 'consumer' | 'processor';
  spec: ConsumerSpec;
}

export interface SinkNode extends NodeBase {
  kind: 'sink';
  spec: SinkSpec;
}

/** An Iceberg table in the Glue catalog. */
export interface TableNode extends NodeBase {
  kind: 'table';
  database: string;
  table: string;
  /** `s3://<bucket>/<tenant>/iceberg/<table>`. */
  location: string;
}

/** Parquet or JSON objects under an S3 prefix. */
export interface ObjectsNode extends NodeBase {
  kind: 'objects';
  bucket: string;
  prefix: string;
  format: 'parquet' | 'json';
}

export type LineageNode = TopicNode | ConsumerNode | SinkNode | TableNode | ObjectsNode;

export type LineageEdgeKind = 'reads' | 'writes' | 'dead-letters' | 'delivers';

export interface LineageEdge {
  from: string;
  to: string;
  kind: LineageEdgeKind;
  /** True when the two ends belong to different tenants (a shared topic read by another team). */
  crossTenant: boolean;
}

export interface LineageGraph {
  /** Tenants whose manifests the graph shows, in manifest order. */
  tenants: TenantSpec[];
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export interface LineageOptions {
  /**
   * Keep only this tenant's nodes and the nodes of other tenants one edge away (what it reads from them and
   * who reads from it), so cross-tenant edges stay visible.
   * @default every tenant
   */
  tenant?: string;
  /**
   * Bucket of the lakehouse, for table locations and S3 prefixes.
   * @default lakehouseBucketName() (the local emulator's bucket)
   */
  bucket?: string;
}

export const nodeId = {
  topic: (name: string) => `topic:${name}`,
  consumer: (groupId: string) => `consumer:${groupId}`,
  sink: (tenant: string, key: string) => `sink:${tenant}.${key}`,
  table: (database: string, table: string) => `table:${database}.${table}`,
  objects: (bucket: string, prefix: string) => `objects:s3://${bucket}/${prefix}`,
};

/** The owner of a topic by its cluster name: the part before the first '.'. */
export function topicOwner(topic: string): string {
  return parseQualifiedName(topic)?.tenant ?? topic;
}

export function buildLineageGraph(spec: StratusSpec, options: LineageOptions = {}): LineageGraph {
  const bucket = options.bucket ?? lakehouseBucketName();
  const nodes = new Map<string, LineageNode>();
  const edges: LineageEdge[] = [];
  const topicSpecs = new Map(spec.tenants.flatMap((t) => t.topics.map((topic) => [topic.name, topic])));

  const topic = (name: string): string => {
    const id = nodeId.topic(name);
    if (!nodes.has(id)) {
      const parsed = parseQualifiedName(name);
      nodes.set(id, {
        id,
        kind: 'topic',
        tenant: topicOwner(name),
        label: parsed?.key ?? name,
        name,
        key: parsed?.key ?? name,
        isDlq: topicSpecs.get(name)?.isDlq ?? false,
        spec: topicSpecs.get(name),
      });
    }
    return id;
  };
  const edge = (from: string, to: string, kind: LineageEdgeKind) => {
    const a = nodes.get(from)!;
    const b = nodes.get(to)!;
    edges.push({ from, to, kind, crossTenant: a.tenant !== b.tenant });
  };

  for (const tenant of spec.tenants) {
    for (const t of tenant.topics) topic(t.name);
    for (const c of tenant.consumers) {
      const id = nodeId.consumer(c.groupId);
      nodes.set(id, {
        id,
        kind: 'consumer',
        tenant: tenant.name,
        label: c.key,
        role: c.output ? 'processor' : 'consumer',
        spec: c,
      });
      edge(topic(c.topic), id, 'reads');
      if (c.output) edge(id, topic(c.output), 'writes');
      if (c.onFailureTopic) edge(id, topic(c.onFailureTopic), 'dead-letters');
    }
    for (const s of tenant.sinks) {
      const id = nodeId.sink(tenant.name, s.key);
      nodes.set(id, { id, kind: 'sink', tenant: tenant.name, label: s.key, spec: s });
      edge(topic(s.topic), id, 'reads');
      const target = sinkTarget(tenant.name, s, bucket);
      nodes.set(target.id, target);
      edge(id, target.id, 'delivers');
    }
  }

  const graph = { tenants: spec.tenants, nodes: [...nodes.values()], edges };
  return options.tenant ? neighbourhood(graph, options.tenant) : graph;
}

function sinkTarget(tenant: string, sink: SinkSpec, bucket: string): TableNode | ObjectsNode {
  if (sink.format === 'iceberg') {
    return {
      id: nodeId.table(sink.database, sink.table),
      kind: 'table',
      tenant,
      label: sink.table,
      database: sink.database,
      table: sink.table,
      location: `s3://${bucket}/${icebergTablePrefix(tenant, sink.table)}`,
    };
  }
  return {
    id: nodeId.objects(bucket, sink.prefix),
    kind: 'objects',
    tenant,
    label: `s3://${bucket}/${sink.prefix}`,
    bucket,
    prefix: sink.prefix,
    format: sink.format,
  };
}

/** The tenant's own nodes, plus the other tenants' nodes one edge away. */
function neighbourhood(graph: LineageGraph, tenant: string): LineageGraph {
  const own = new Set(graph.nodes.filter((n) => n.tenant === tenant).map((n) => n.id));
  const edges = graph.edges.filter((e) => own.has(e.from) || own.has(e.to));
  const keep = new Set(edges.flatMap((e) => [e.from, e.to]));
  for (const id of own) keep.add(id);
  return {
    tenants: graph.tenants.filter((t) => t.name === tenant),
    nodes: graph.nodes.filter((n) => keep.has(n.id)),
    edges,
  };
}

/** Tenants that appear in the graph (its own and those reached by cross-tenant edges), sorted. */
export function graphTenants(graph: LineageGraph): string[] {
  return [...new Set(graph.nodes.map((n) => n.tenant))].sort();
}
