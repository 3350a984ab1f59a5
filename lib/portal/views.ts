/**
 * The JSON the Overview and Tenant pages render: the resolved manifests (TenantSpec), the lineage graph
 * (lib/catalog) and the live figures (live.ts) put side by side. Nothing here computes a figure of its own
 * beyond picking the worst of several; names and durations come formatted by lib/core.
 */
import { buildLineageGraph } from '../catalog/graph.ts';
import { formatDuration, formatSize } from '../core/units.ts';
import type { AlarmState, AlarmStatus } from '../local/observability/alarms.ts';
import {
  formatManifestError,
  type ManifestError,
  type StratusSpec,
  type TenantSpec,
} from '../manifest/index.ts';
import { type LiveSnapshot, type LiveState, sinkLagGroup } from './live.ts';

export type Health = 'alarm' | 'warning' | 'ok' | 'idle';

export interface OverviewRow {
  name: string;
  description?: string;
  owners: string[];
  costCenter?: string;
  topics: number;
  consumers: number;
  sinks: number;
  alarms: Record<AlarmState, number>;
  /** Alarms in ALARM, by description. */
  firing: string[];
  worstTimeLagSeconds: number | null;
  worstTimeLagGroup?: string;
  offsetLag: number;
  dlqRecords: number | null;
  dlqGrowth5m: number | null;
  /** Age of the oldest record still buffered by a sink, worst of the tenant's sinks. */
  sinkFreshnessSeconds: number | null;
  /** Consumer groups with members now. */
  runningGroups: number;
  health: Health;
}

export interface Overview {
  at: number;
  runtime: LiveSnapshot['runtime'];
  error?: string;
  /** `stratus validate`'s problems, formatted `file:line:col  path  message`. */
  problems: string[];
  tenants: OverviewRow[];
}

export function overview(spec: StratusSpec, errors: ManifestError[], live: LiveState): Overview {
  const now = live.latest;
  return {
    at: now.at,
    runtime: now.runtime,
    ...(now.error ? { error: now.error } : {}),
    problems: errors.map(formatManifestError),
    tenants: spec.tenants.map((tenant) => overviewRow(tenant, now, live)),
  };
}

function overviewRow(tenant: TenantSpec, now: LiveSnapshot, live: LiveState): OverviewRow {
  const alarms = now.alarms.filter((alarm) => alarm.tenant === tenant.name);
  const count = (state: AlarmState) => alarms.filter((alarm) => alarm.state === state).length;
  const groups = [
    ...tenant.consumers.map((c) => c.groupId),
    ...tenant.sinks.map((s) => sinkLagGroup(tenant.name, s.key)),
  ].flatMap((id) => (now.groups[id] ? [now.groups[id]] : []));
  const timed = groups.filter((g) => !g.error && g.timeLagSeconds !== null);
  const worst = timed.sort((a, b) => (b.timeLagSeconds ?? 0) - (a.timeLagSeconds ?? 0))[0];
  const sinks = tenant.sinks.flatMap((s) => now.sinks[`${tenant.name}.${s.key}`] ?? []);
  const dlqRecords = now.dlqEnds[tenant.dlq.name] ?? null;
  const dlqGrowth5m = live.dlqGrowth(tenant.dlq.name);
  const runningGroups = groups.filter((g) => g.members > 0).length;
  const firing = alarms.filter((a) => a.state === 'ALARM').map((a) => a.description);
  const health: Health =
    firing.length > 0
      ? 'alarm'
      : (dlqGrowth5m ?? 0) > 0 || groups.some((g) => g.error && g.members > 0)
        ? 'warning'
        : runningGroups === 0
          ? 'idle'
          : 'ok';
  return {
    name: tenant.name,
    ...(tenant.description ? { description: tenant.description } : {}),
    owners: tenant.owners,
    ...(tenant.costCenter ? { costCenter: tenant.costCenter } : {}),
    topics: tenant.topics.filter((t) => !t.isDlq).length,
    consumers: tenant.consumers.length,
    sinks: tenant.sinks.length,
    alarms: { OK: count('OK'), ALARM: count('ALARM'), INSUFFICIENT_DATA: count('INSUFFICIENT_DATA') },
    firing,
    worstTimeLagSeconds: worst?.timeLagSeconds ?? null,
    ...(worst ? { worstTimeLagGroup: worst.groupId } : {}),
    offsetLag: groups.reduce((total, g) => total + (g.error ? 0 : g.offsetLag), 0),
    dlqRecords,
    dlqGrowth5m,
    sinkFreshnessSeconds: sinks.length > 0 ? Math.max(...sinks.map((s) => s.freshnessSeconds)) : null,
    runningGroups,
    health,
  };
}

/** Everything the Tenant page shows, live figures included. */
export function tenantView(spec: StratusSpec, errors: ManifestError[], tenant: TenantSpec, live: LiveState) {
  const now = live.latest;
  const alarmsOf = (resource: string): AlarmStatus[] =>
    now.alarms.filter((alarm) => alarm.tenant === tenant.name && alarm.resource.startsWith(resource));
  const readers = spec.tenants.flatMap((other) =>
    other.consumers
      .filter((c) => c.topicOwner === tenant.name)
      .map((c) => ({ tenant: other.name, consumer: c })),
  );
  const graph = buildLineageGraph(spec, { tenant: tenant.name });
  return {
    name: tenant.name,
    description: tenant.description,
    file: tenant.file,
    owners: tenant.owners,
    costCenter: tenant.costCenter,
    tags: tenant.tags,
    alerts: tenant.alerts,
    problems: errors.filter((e) => e.file === tenant.file).map(formatManifestError),
    runtime: now.runtime,
    dlq: {
      topic: tenant.dlq.name,
      records: now.dlqEnds[tenant.dlq.name] ?? null,
      growth5m: live.dlqGrowth(tenant.dlq.name),
      alarms: alarmsOf(tenant.dlq.name),
    },
    topics: tenant.topics.map((topic) => ({
      key: topic.key,
      name: topic.name,
      isDlq: topic.isDlq,
      partitions: topic.partitions,
      retention: formatDuration(topic.retentionMs),
      cleanupPolicy: topic.cleanupPolicy,
      schemaFile: topic.schemaFile,
      schema: topic.schema,
      compatibility: topic.compatibility,
      quality: topic.quality.map(({ name, expression, severity, alarmPercent }) => ({
        name,
        expression,
        severity,
        alarmPercent,
      })),
      shareWith: (topic.shareWith ?? []).map(({ tenant: to, allowPii }) => ({ tenant: to, allowPii })),
      readBy: readers
        .filter((r) => r.consumer.topic === topic.name)
        .map((r) => `${r.tenant}/${r.consumer.key}`),
    })),
    consumers: tenant.consumers.map((consumer) => ({
      key: consumer.key,
      groupId: consumer.groupId,
      topic: consumer.topic,
      output: consumer.output,
      handlerFile: consumer.handlerFile,
      settings: {
        batchSize: consumer.batchSize,
        batchWindow: formatDuration(consumer.batchWindowMs),
        startingPosition: consumer.startingPosition,
        retries: consumer.retries,
        maxRecordAge: formatDuration(consumer.maxRecordAgeMs),
        bisectOnError: consumer.bisectOnError,
        filters: consumer.filters.length,
        idempotency: consumer.idempotency?.key,
        onFailure: consumer.onFailureTopic ?? 'drop',
      },
      lag: now.groups[consumer.groupId],
      history: live.history(consumer.groupId),
      counters: now.consumers[consumer.groupId],
      alarms: alarmsOf(consumer.groupId),
    })),
    sinks: tenant.sinks.map((sink) => {
      const group = sinkLagGroup(tenant.name, sink.key);
      return {
        key: sink.key,
        topic: sink.topic,
        format: sink.format,
        destination: sink.format === 'iceberg' ? `${sink.database}.${sink.table}` : sink.prefix,
        buffer: `${formatSize(sink.bufferSizeBytes)} or ${formatDuration(sink.bufferIntervalMs)}`,
        partitionBy: sink.partitionBy.map(
          (p) => `${p.transform}(${p.field}${p.param ? `, ${p.param}` : ''})`,
        ),
        uniqueKeys: sink.uniqueKeys,
        lag: now.groups[group],
        history: live.history(group),
        counters: now.sinks[`${tenant.name}.${sink.key}`],
      };
    }),
    lineage: {
      nodes: graph.nodes.map((node) => ({
        id: node.id,
        kind: node.kind,
        tenant: node.tenant,
        label: node.label,
        detail:
          node.kind === 'consumer' ? node.role : node.kind === 'topic' && node.isDlq ? 'dlq' : undefined,
      })),
      edges: graph.edges,
    },
  };
}

export type TenantView = ReturnType<typeof tenantView>;
