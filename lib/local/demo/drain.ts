/**
 * Waiting until every consumer has settled everything in its topic, read from Kafka itself (committed group
 * offsets against log-end offsets), not from the runtime's counters. A chain is drained when, in two reads in a
 * row, every group is at the end and no end offset moved (an upstream processor's last outputs have landed).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Admin } from 'kafkajs';
import type { ConsumerSpec } from '../../manifest/spec.ts';

/** A consumer group and the topic it reads (a manifest consumer, or a sink's group). */
export type GroupTarget = Pick<ConsumerSpec, 'groupId' | 'topic'>;

export interface DrainProgress {
  /** Records not yet committed, per group id. */
  lag: Record<string, number>;
}

export async function consumerLag(
  admin: Admin,
  consumers: readonly GroupTarget[],
): Promise<{ lag: Record<string, number>; ends: string }> {
  const lag: Record<string, number> = {};
  const ends: string[] = [];
  for (const consumer of consumers) {
    const [offsets, [group]] = await Promise.all([
      admin.fetchTopicOffsets(consumer.topic),
      admin.fetchOffsets({ groupId: consumer.groupId, topics: [consumer.topic] }),
    ]);
    const committed = new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    let behind = 0;
    for (const partition of offsets) {
      const at = committed.get(partition.partition) ?? -1;
      const start = at < 0 ? Number(partition.low) : at;
      behind += Math.max(0, Number(partition.high) - start);
      ends.push(`${consumer.topic}/${partition.partition}=${partition.high}`);
    }
    lag[consumer.groupId] = behind;
  }
  return { lag, ends: ends.join(',') };
}

/** Resolves when drained; rejects after `timeoutMs` with the remaining lag per group in the message. */
export async function waitUntilDrained(
  admin: Admin,
  consumers: readonly GroupTarget[],
  options: { timeoutMs: number; intervalMs?: number; onProgress?: (progress: DrainProgress) => void },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  let previousEnds: string | undefined;
  for (;;) {
    const { lag, ends } = await consumerLag(admin, consumers);
    options.onProgress?.({ lag });
    const atEnd = Object.values(lag).every((behind) => behind === 0);
    if (atEnd && ends === previousEnds) return;
    previousEnds = atEnd ? ends : undefined;
    if (Date.now() > deadline) {
      const remaining = Object.entries(lag)
        .filter(([, behind]) => behind > 0)
        .map(([group, behind]) => `${group} ${behind}`)
        .join(', ');
      throw new Error(
        `the consumers did not drain within ${options.timeoutMs / 1000}s (still behind: ${remaining || 'none; end offsets still moving'})`,
      );
    }
    await sleep(options.intervalMs ?? 250);
  }
}
