/**
 * Sink metrics read on every scrape from the sink's own running totals, so the sink needs no knowledge of
 * Prometheus: it exposes a `stats()` function and this adapter turns increases into counter increments.
 */
import type { SinkSpec } from '../../manifest/spec.ts';
import type { StratusMetrics } from './metrics.ts';

/** Running totals since the sink started; every count only grows. */
export interface SinkStats {
  /** Rows committed to the table. */
  rows: number;
  /** Data-file bytes committed. */
  bytes: number;
  /** Successful table commits. */
  commits: number;
  /** Rows that could not be written (sent to the error output). @default 0 */
  failedRows?: number;
  /** Rows buffered and not yet committed. @default 0 */
  bufferedRows?: number;
  /**
   * When the oldest record still waiting for a commit arrived (epoch ms), undefined when nothing is pending.
   * Freshness is its age, like Firehose's DataFreshness ("any record older has been delivered").
   */
  oldestPendingAt?: number;
  /** False once the sink stopped or failed. */
  running: boolean;
}

export type SinkStatsFn = () => SinkStats;

export function sinkLabels(sink: SinkSpec) {
  return { tenant: sink.tenant, sink: `${sink.tenant}.${sink.key}`, topic: sink.topic, format: sink.format };
}

/** Binds one sink's `stats` to its metrics; `collect()` (called on every scrape) brings them up to date. */
export function watchSinkStats(
  metrics: StratusMetrics,
  sink: SinkSpec,
  stats: SinkStatsFn,
  now: () => number = Date.now,
): { collect(): void } {
  const labels = sinkLabels(sink);
  const seen = { rows: 0, bytes: 0, commits: 0, failedRows: 0 };
  const counters = {
    rows: metrics.sinkRows,
    bytes: metrics.sinkBytes,
    commits: metrics.sinkCommits,
    failedRows: metrics.sinkFailedRows,
  } as const;
  for (const counter of Object.values(counters)) counter.inc(labels, 0);
  return {
    collect() {
      const current = stats();
      for (const key of Object.keys(counters) as (keyof typeof counters)[]) {
        const value = current[key] ?? 0;
        // A sink restarted in place starts its totals again from 0: count what it did since.
        const delta = value >= seen[key] ? value - seen[key] : value;
        if (delta > 0) counters[key].inc(labels, delta);
        seen[key] = value;
      }
      metrics.sinkBufferedRows.set(labels, current.bufferedRows ?? 0);
      metrics.sinkFreshness.set(
        labels,
        current.oldestPendingAt === undefined ? 0 : Math.max(0, (now() - current.oldestPendingAt) / 1000),
      );
      metrics.sinkRunning.set(labels, current.running ? 1 : 0);
    },
  };
}
