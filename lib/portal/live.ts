/**
 * What is happening now, for every page: consumer lag, alarm states, consumer and sink counters and the DLQs'
 * sizes, taken from the running `stratus dev`'s routes (/lag, /alarms, /metrics.json — the figures its own
 * sampler and alarm evaluator computed) every `intervalMs`. Groups the runtime does not sample (a tenant it does
 * not run, a consumer a hot reload started, or no runtime at all) are read with lib/ops' LagReader, the code of
 * `stratus lag`. A short history of each group's lag is kept in memory for the charts; it is a view, not state.
 */
import type { Kafka } from 'kafkajs';
import { sinkGroupId } from '../core/naming.ts';
import type { AlarmStatus } from '../local/observability/alarms.ts';
import type { StratusSpec } from '../manifest/spec.ts';
import { type GroupLag, type GroupLagWithRates, LagReader, lagTargets, withRates } from '../ops/lag.ts';

export interface LagPoint {
  at: number;
  offsetLag: number;
  timeLagSeconds: number | null;
  consumeRate: number;
}

/** One consumer group now (a consumer's or a sink's). */
export interface GroupNow {
  groupId: string;
  tenant: string;
  topic: string;
  state: string;
  members: number;
  offsetLag: number;
  timeLagSeconds: number | null;
  consumeRate: number;
  produceRate: number;
  etaSeconds: number | null;
  partitions: Array<{ partition: number; position: number; logEnd: number; offsetLag: number }>;
  error?: string;
  /** `runtime` when the running `stratus dev` sampled it, `portal` when the portal read it itself. */
  source: 'runtime' | 'portal';
}

/** Counters of a consumer from the runtime's metrics (absent without a runtime). */
export interface ConsumerCounters {
  recordsIn: number;
  failed: number;
  deadLettered: number;
  invocations: number;
  errors: number;
  running: boolean;
}

/** A sink's figures from the runtime's metrics. */
export interface SinkCounters {
  rows: number;
  commits: number;
  failedRows: number;
  bufferedRows: number;
  freshnessSeconds: number;
  running: boolean;
}

export interface LiveSnapshot {
  at: number;
  runtime: { url?: string; reachable: boolean; error?: string };
  groups: Record<string, GroupNow>;
  alarms: AlarmStatus[];
  consumers: Record<string, ConsumerCounters>;
  /** By `<tenant>.<sink>`. */
  sinks: Record<string, SinkCounters>;
  /** Records in each tenant's DLQ topic (sum of its partitions' log ends), by topic name. */
  dlqEnds: Record<string, number>;
  /** Why the portal's own reads failed (no broker), when they did. */
  error?: string;
}

export interface LiveStateOptions {
  /** Base URL of the running `stratus dev`'s metrics server; without one every figure is read directly. */
  runtimeUrl?: string;
  /** A client for the broker, for the groups the runtime does not sample. */
  kafka: Kafka;
  spec: () => StratusSpec;
  /** @default 2000 */
  intervalMs?: number;
  /** How much lag history the charts get. @default 15 minutes */
  historyMs?: number;
  /** Timeout of each request to the runtime. @default 2000 */
  requestTimeoutMs?: number;
}

type MetricJson = Array<{ name: string; values: Array<{ value: number; labels: Record<string, string> }> }>;

interface RuntimeLag {
  at?: number;
  pending?: boolean;
  error?: string;
  groups?: GroupLagWithRates[];
  topicEnds?: Record<string, number>;
}

export class LiveState {
  readonly #options: LiveStateOptions;
  readonly #reader: LagReader;
  readonly #history = new Map<string, LagPoint[]>();
  readonly #dlqHistory = new Map<string, Array<{ at: number; end: number }>>();
  readonly #listeners = new Set<(snapshot: LiveSnapshot) => void>();
  #previousDirect: GroupLag[] = [];
  #snapshot: LiveSnapshot;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<LiveSnapshot> | undefined;
  #stopped = true;

  constructor(options: LiveStateOptions) {
    this.#options = options;
    this.#reader = new LagReader({ kafka: options.kafka, recordTimeoutMs: 3_000 });
    this.#snapshot = {
      at: 0,
      runtime: { url: options.runtimeUrl, reachable: false },
      groups: {},
      alarms: [],
      consumers: {},
      sinks: {},
      dlqEnds: {},
    };
  }

  get latest(): LiveSnapshot {
    return this.#snapshot;
  }

  /** Points of a group's lag, oldest first. */
  history(groupId: string): LagPoint[] {
    return this.#history.get(groupId) ?? [];
  }

  /** Records that reached a DLQ topic within the last `windowMs` (null until the history covers it). */
  dlqGrowth(topic: string, windowMs = 5 * 60_000): number | null {
    const points = this.#dlqHistory.get(topic);
    if (!points || points.length === 0) return null;
    const latest = points.at(-1)!;
    const start = points.find((point) => point.at >= latest.at - windowMs) ?? points[0]!;
    return latest.end - start.end;
  }

  subscribe(listener: (snapshot: LiveSnapshot) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const tick = async () => {
      await this.refresh().catch(() => {});
      if (this.#stopped) return;
      this.#timer = setTimeout(tick, this.#options.intervalMs ?? 2_000);
      this.#timer.unref();
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running?.catch(() => {});
    await this.#reader.close();
  }

  /** A fresh snapshot now (joins one being taken). */
  refresh(): Promise<LiveSnapshot> {
    this.#running ??= this.#take().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #take(): Promise<LiveSnapshot> {
    const spec = this.#options.spec();
    const [lag, alarms, metrics] = await Promise.all([
      this.#fetch<RuntimeLag>('/lag'),
      this.#fetch<{ alarms: AlarmStatus[] }>('/alarms'),
      this.#fetch<MetricJson>('/metrics.json'),
    ]);
    const reachable = lag.ok || alarms.ok || metrics.ok;
    const groups: Record<string, GroupNow> = {};
    const runtimeGroups = lag.ok && !lag.body.pending && !lag.body.error ? (lag.body.groups ?? []) : [];
    for (const group of runtimeGroups) groups[group.target.groupId] = toGroupNow(group, 'runtime');

    const dlqEnds: Record<string, number> = lag.ok ? { ...(lag.body.topicEnds ?? {}) } : {};
    let error: string | undefined;
    const missing = lagTargets(spec.tenants).filter((target) => !groups[target.groupId]);
    const missingDlqs = spec.tenants.map((tenant) => tenant.dlq.name).filter((topic) => !(topic in dlqEnds));
    try {
      if (missing.length > 0) {
        const read = await this.#reader.read(missing);
        const rated = withRates(this.#previousDirect, read);
        // Rates need a sample some seconds back: keep the older one until the new one is 10 s younger.
        if (!this.#previousDirect[0] || Date.now() - this.#previousDirect[0].sampledAt > 10_000)
          this.#previousDirect = read;
        for (const group of rated) groups[group.target.groupId] = toGroupNow(group, 'portal');
      }
      for (const topic of missingDlqs)
        dlqEnds[topic] = await this.#reader.logEnd(topic).catch(() => Number.NaN);
    } catch (cause) {
      error = `cannot read lag from the broker: ${(cause as Error).message}`;
    }
    for (const [topic, end] of Object.entries(dlqEnds)) if (Number.isNaN(end)) delete dlqEnds[topic];

    const at = Date.now();
    this.#remember(groups, dlqEnds, at);
    const snapshot: LiveSnapshot = {
      at,
      runtime: {
        url: this.#options.runtimeUrl,
        reachable,
        ...(reachable || !this.#options.runtimeUrl ? {} : { error: lag.ok ? undefined : lag.error }),
      },
      groups,
      alarms: alarms.ok ? alarms.body.alarms : [],
      ...(metrics.ok ? countersOf(metrics.body, spec) : { consumers: {}, sinks: {} }),
      dlqEnds,
      ...(error ? { error } : {}),
    };
    this.#snapshot = snapshot;
    for (const listener of this.#listeners) listener(snapshot);
    return snapshot;
  }

  #remember(groups: Record<string, GroupNow>, dlqEnds: Record<string, number>, at: number): void {
    const keepFrom = at - (this.#options.historyMs ?? 15 * 60_000);
    for (const group of Object.values(groups)) {
      if (group.error) continue;
      const points = this.#history.get(group.groupId) ?? [];
      points.push({
        at,
        offsetLag: group.offsetLag,
        timeLagSeconds: group.timeLagSeconds,
        consumeRate: group.consumeRate,
      });
      while (points.length > 0 && points[0]!.at < keepFrom) points.shift();
      this.#history.set(group.groupId, points);
    }
    for (const [topic, end] of Object.entries(dlqEnds)) {
      const points = this.#dlqHistory.get(topic) ?? [];
      points.push({ at, end });
      while (points.length > 1 && points[1]!.at < keepFrom) points.shift();
      this.#dlqHistory.set(topic, points);
    }
  }

  async #fetch<T>(route: string): Promise<{ ok: true; body: T } | { ok: false; error: string }> {
    const base = this.#options.runtimeUrl;
    if (!base) return { ok: false, error: 'no runtime' };
    try {
      const response = await fetch(`${base.replace(/\/$/, '')}${route}`, {
        signal: AbortSignal.timeout(this.#options.requestTimeoutMs ?? 2_000),
      });
      if (!response.ok) return { ok: false, error: `HTTP ${response.status} from ${route}` };
      return { ok: true, body: (await response.json()) as T };
    } catch (cause) {
      return { ok: false, error: `no \`stratus dev\` answers at ${base} (${(cause as Error).message})` };
    }
  }
}

function toGroupNow(group: GroupLagWithRates, source: GroupNow['source']): GroupNow {
  return {
    groupId: group.target.groupId,
    tenant: group.target.tenant,
    topic: group.target.topic,
    state: group.state,
    members: group.members,
    offsetLag: group.offsetLag,
    timeLagSeconds: group.timeLagSeconds,
    consumeRate: group.consumeRate,
    produceRate: group.produceRate,
    etaSeconds: group.etaSeconds,
    partitions: group.partitions.map((p) => ({
      partition: p.partition,
      position: p.position,
      logEnd: p.logEnd,
      offsetLag: p.offsetLag,
    })),
    ...(group.error ? { error: group.error } : {}),
    source,
  };
}

/** The consumer and sink counters of the runtime's metrics, keyed like the pages look them up. */
function countersOf(
  metrics: MetricJson,
  spec: StratusSpec,
): { consumers: Record<string, ConsumerCounters>; sinks: Record<string, SinkCounters> } {
  const byName = new Map(metrics.map((metric) => [metric.name, metric.values]));
  const value = (name: string, label: string, key: string) =>
    (byName.get(name) ?? [])
      .filter((entry) => entry.labels[label] === key)
      .reduce((total, entry) => total + entry.value, 0);
  const present = (name: string, label: string, key: string) =>
    (byName.get(name) ?? []).some((entry) => entry.labels[label] === key);
  const consumers: Record<string, ConsumerCounters> = {};
  const sinks: Record<string, SinkCounters> = {};
  for (const tenant of spec.tenants) {
    for (const consumer of tenant.consumers) {
      const id = consumer.groupId;
      if (!present('stratus_consumer_running', 'consumer', id)) continue;
      consumers[id] = {
        recordsIn: value('stratus_consumer_records_in_total', 'consumer', id),
        failed: value('stratus_consumer_records_failed_total', 'consumer', id),
        deadLettered: value('stratus_consumer_records_dead_lettered_total', 'consumer', id),
        invocations: value('stratus_consumer_invocations_total', 'consumer', id),
        errors: value('stratus_consumer_invocation_errors_total', 'consumer', id),
        running: value('stratus_consumer_running', 'consumer', id) === 1,
      };
    }
    for (const sink of tenant.sinks) {
      const id = `${tenant.name}.${sink.key}`;
      if (!present('stratus_sink_running', 'sink', id)) continue;
      sinks[id] = {
        rows: value('stratus_sink_rows_total', 'sink', id),
        commits: value('stratus_sink_commits_total', 'sink', id),
        failedRows: value('stratus_sink_failed_rows_total', 'sink', id),
        bufferedRows: value('stratus_sink_buffered_rows', 'sink', id),
        freshnessSeconds: value('stratus_sink_data_freshness_seconds', 'sink', id),
        running: value('stratus_sink_running', 'sink', id) === 1,
      };
    }
  }
  return { consumers, sinks };
}

/** The lag group of a sink (`<tenant>.sink.<sink>`), as lagTargets names it. */
export function sinkLagGroup(tenant: string, sink: string): string {
  return sinkGroupId(tenant, sink);
}
