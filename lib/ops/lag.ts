/**
 * Consumer lag of Stratus consumer groups, shared by `stratus lag`, the local runtime's metrics and (as the
 * definition the CloudWatch metrics are compared with) the AWS side. Per partition: offset lag = log end −
 * the group's position; time lag = now − the timestamp of the record AT the position (the next one the
 * group will read), 0 when the group is caught up. Per group: the sum and maximum offset lag and the
 * maximum time lag, the shape of MSK's SumOffsetLag / MaxOffsetLag / EstimatedMaxTimeLag
 * (https://docs.aws.amazon.com/msk/latest/developerguide/consumer-lag.html).
 */

import type { Admin, Kafka } from 'kafkajs';
import { sinkGroupId, tenantResourcePrefix } from '../core/naming.ts';
import { sinkStartingPosition } from '../core/sink-start.ts';
import type { TenantSpec } from '../manifest/spec.ts';
import { type DrainEstimate, estimateDrain, type GroupTotals } from './lag/drain.ts';
import { type LagTarget, type PartitionOffsets, readPartitionOffsets } from './lag/offsets.ts';
import { fetchRecordTimestamps } from './lag/record-timestamps.ts';

export { type DrainEstimate, estimateDrain, type GroupTotals, MIN_DRAIN_RATE } from './lag/drain.ts';
export type { LagTarget, PartitionOffsets } from './lag/offsets.ts';

export interface PartitionLag extends PartitionOffsets {
  /** Timestamp (epoch ms) of the record at `position`; null when caught up or when it could not be read. */
  nextRecordTimestamp: number | null;
  /** Seconds since `nextRecordTimestamp`; 0 when caught up; null when lagging but the record could not be read. */
  timeLagSeconds: number | null;
}

export interface GroupLag extends GroupTotals {
  target: LagTarget;
  /** Kafka's group state (Stable, Empty, PreparingRebalance, …; Dead when the group does not exist). */
  state: string;
  /** Members currently in the group. */
  members: number;
  partitions: PartitionLag[];
  /** Largest partition offset lag (MSK MaxOffsetLag). */
  maxOffsetLag: number;
  /** Largest partition time lag in seconds (cf. MSK EstimatedMaxTimeLag); null when unknown. */
  timeLagSeconds: number | null;
  /** Why this group's lag could not be read (then it has no partitions and no meaningful lag). */
  error?: string;
}

/** A group's lag with the rates measured between two samples. */
export interface GroupLagWithRates extends GroupLag, DrainEstimate {}

/**
 * The consumer groups of the tenants: one target per consumer and, unless `sinks` is false, one per sink
 * (the local sink's group `<tenant>.sink.<sink>`, which reads from the earliest offset like Firehose's MSK
 * source does on first start).
 */
export function lagTargets(tenants: TenantSpec[], options: { sinks?: boolean } = {}): LagTarget[] {
  return tenants.flatMap((tenant) => [
    ...tenant.consumers.map(
      (consumer): LagTarget => ({
        tenant: tenant.name,
        consumer: consumer.key,
        groupId: consumer.groupId,
        topic: consumer.topic,
        startingPosition: consumer.startingPosition,
        startingPositionTimestamp: consumer.startingPositionTimestamp,
      }),
    ),
    ...(options.sinks === false ? [] : tenant.sinks).map(
      (sink): LagTarget => ({
        tenant: tenant.name,
        consumer: `sink:${sink.key}`,
        groupId: sinkGroupId(tenant.name, sink.key),
        topic: sink.topic,
        startingPosition: sinkStartingPosition(sink.startFrom),
        startingPositionTimestamp: sink.startFromTimestamp,
      }),
    ),
  ]);
}

export interface LagReaderOptions {
  kafka: Kafka;
  /**
   * How long to wait for a lagging partition's next record before reporting its time lag as unknown.
   * @default 10_000
   */
  recordTimeoutMs?: number;
}

/**
 * Reads lag repeatedly over one admin connection. The timestamp of the record at an offset never changes,
 * so it is cached: a stopped group costs no record fetches after the first sample.
 */
export class LagReader {
  readonly #kafka: Kafka;
  readonly #recordTimeoutMs: number;
  #admin: Admin | undefined;
  readonly #timestamps = new Map<string, number>();

  constructor(options: LagReaderOptions) {
    this.#kafka = options.kafka;
    this.#recordTimeoutMs = options.recordTimeoutMs ?? 10_000;
  }

  /** Lag of every target, in the targets' order. */
  async read(targets: LagTarget[]): Promise<GroupLag[]> {
    const admin = await this.#connectedAdmin();
    try {
      const [described, topics] = await Promise.all([
        admin.describeGroups([...new Set(targets.map((t) => t.groupId))]),
        admin.listTopics(),
      ]);
      const groups = new Map(described.groups.map((group) => [group.groupId, group]));
      // Asking kafkajs about a topic that does not exist adds it to the client's metadata targets for good,
      // and every later call then fails: such groups are reported without asking.
      const existing = new Set(topics);
      return await Promise.all(
        targets.map(async (target) => {
          const group = groups.get(target.groupId);
          const state = group?.state ?? 'Dead';
          const members = group?.members.length ?? 0;
          const read = existing.has(target.topic)
            ? this.#readOne(admin, target, state, members)
            : Promise.reject(new Error(`topic ${target.topic} does not exist`));
          // One group's failure must not hide the others' lag.
          return read.catch(
            (error: unknown): GroupLag => ({
              target,
              state,
              members,
              sampledAt: Date.now(),
              partitions: [],
              positionSum: 0,
              logEndSum: 0,
              offsetLag: 0,
              maxOffsetLag: 0,
              timeLagSeconds: null,
              error: error instanceof Error ? error.message : String(error),
            }),
          );
        }),
      );
    } catch (error) {
      // A broken connection (broker restarted) is not reused: the next read starts afresh.
      await this.close();
      throw error;
    }
  }

  /** Sum of the log ends of a topic's partitions: how many records were ever written to it. */
  async logEnd(topic: string): Promise<number> {
    const admin = await this.#connectedAdmin();
    if (!(await admin.listTopics()).includes(topic)) throw new Error(`topic ${topic} does not exist`);
    try {
      return sum((await admin.fetchTopicOffsets(topic)).map((partition) => Number(partition.high)));
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.disconnect().catch(() => {});
  }

  async #connectedAdmin(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.#kafka.admin({ retry: { retries: 1 } });
      await admin.connect();
      this.#admin = admin;
    }
    return this.#admin;
  }

  async #readOne(admin: Admin, target: LagTarget, state: string, members: number): Promise<GroupLag> {
    const offsets = await readPartitionOffsets(admin, target);
    const sampledAt = Date.now();
    const missing = new Map<number, number>();
    for (const partition of offsets) {
      if (partition.offsetLag > 0 && !this.#timestamps.has(this.#key(target.topic, partition)))
        missing.set(partition.partition, partition.position);
    }
    if (missing.size > 0) {
      const fetched = await fetchRecordTimestamps({
        kafka: this.#kafka,
        topic: target.topic,
        positions: missing,
        groupPrefix: tenantResourcePrefix(target.tenant),
        timeoutMs: this.#recordTimeoutMs,
      });
      for (const [partition, timestamp] of fetched)
        this.#remember(`${target.topic}/${partition}/${missing.get(partition)}`, timestamp);
    }
    const now = Date.now();
    const partitions: PartitionLag[] = offsets.map((partition) => {
      if (partition.offsetLag === 0) return { ...partition, nextRecordTimestamp: null, timeLagSeconds: 0 };
      const timestamp = this.#timestamps.get(this.#key(target.topic, partition));
      return {
        ...partition,
        nextRecordTimestamp: timestamp ?? null,
        // A producer's clock ahead of ours would give a negative age; the record is simply not late.
        timeLagSeconds: timestamp === undefined ? null : Math.max(0, (now - timestamp) / 1000),
      };
    });
    const known = partitions.flatMap((p) => (p.timeLagSeconds === null ? [] : [p.timeLagSeconds]));
    const lagging = partitions.filter((p) => p.offsetLag > 0).length;
    // Unread partitions make the maximum a lower bound; with none of the lagging ones read it is unknown.
    const timeLagSeconds =
      lagging > 0 && known.every((t) => t === 0) && known.length < partitions.length
        ? null
        : Math.max(0, ...known);
    return {
      target,
      state,
      members,
      sampledAt,
      partitions,
      positionSum: sum(partitions.map((p) => p.position)),
      logEndSum: sum(partitions.map((p) => p.logEnd)),
      offsetLag: sum(partitions.map((p) => p.offsetLag)),
      maxOffsetLag: Math.max(0, ...partitions.map((p) => p.offsetLag)),
      timeLagSeconds,
    };
  }

  #key(topic: string, partition: PartitionOffsets): string {
    return `${topic}/${partition.partition}/${partition.position}`;
  }

  #remember(key: string, timestamp: number): void {
    // Positions only move forward in normal operation; old entries are dead weight, so keep the map small.
    if (this.#timestamps.size >= 10_000) {
      const oldest = this.#timestamps.keys().next().value;
      if (oldest !== undefined) this.#timestamps.delete(oldest);
    }
    this.#timestamps.set(key, timestamp);
  }
}

/** Lag of each group in `current` with rates against the same group in `previous` (matched by group and topic). */
export function withRates(previous: GroupLag[], current: GroupLag[]): GroupLagWithRates[] {
  return current.map((group) => {
    const before = previous.find(
      (candidate) =>
        candidate.target.groupId === group.target.groupId && candidate.target.topic === group.target.topic,
    );
    const drain: DrainEstimate =
      before && !before.error && !group.error && group.sampledAt > before.sampledAt
        ? estimateDrain(before, group)
        : { consumeRate: 0, produceRate: 0, etaSeconds: group.offsetLag === 0 ? 0 : null };
    return { ...group, ...drain };
  });
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
