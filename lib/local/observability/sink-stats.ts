/**
 * Sink metrics read on every scrape from the sink runner's own running totals (lib/local/sink/sink-runner.ts
 * `RunningSink.stats()`), so the sink needs no knowledge of Prometheus: increases become counter increments.
 */
import type { SinkSpec } from '../../manifest/spec.ts';
import type { SinkStats } from '../sink/sink-runner.ts';
import type { StratusMetrics } from './metrics.ts';

export type { SinkStats } from '../sink/sink-runner.ts';
export type SinkStatsFn = () => SinkStats;

export function sinkLabels(sink: Pick<SinkSpec, 'tenant' | 'key' | 'topic' | 'format'>) {
  return { tenant: sink.tenant, sink: `${sink.tenant}.${sink.key}`, topic: sink.topic, format: sink.format };
}

type Totals = Pick<
  SinkStats,
  'recordsIn' | 'rowsDelivered' | 'bytesDelivered' | 'commits' | 'failedRecords' | 'failedDeliveries'
>;

/** Binds one sink's `stats` to its metrics; `collect()` (called on every scrape) brings them up to date. */
export function watchSinkStats(
  metrics: StratusMetrics,
  sink: Pick<SinkSpec, 'tenant' | 'key' | 'topic' | 'format'>,
  stats: SinkStatsFn,
): { collect(): void } {
  const labels = sinkLabels(sink);
  const counters: Record<keyof Totals, (typeof metrics)['sinkRows']> = {
    recordsIn: metrics.sinkRecordsIn,
    rowsDelivered: metrics.sinkRows,
    bytesDelivered: metrics.sinkBytes,
    commits: metrics.sinkCommits,
    failedRecords: metrics.sinkFailedRows,
    failedDeliveries: metrics.sinkFailedDeliveries,
  };
  const seen: Totals = {
    recordsIn: 0,
    rowsDelivered: 0,
    bytesDelivered: 0,
    commits: 0,
    failedRecords: 0,
    failedDeliveries: 0,
  };
  for (const counter of Object.values(counters)) counter.inc(labels, 0);
  return {
    collect() {
      const current = stats();
      for (const key of Object.keys(counters) as (keyof Totals)[]) {
        const value = current[key];
        // A sink restarted in place starts its totals again from 0: count what it did since.
        const delta = value >= seen[key] ? value - seen[key] : value;
        if (delta > 0) counters[key].inc(labels, delta);
        seen[key] = value;
      }
      metrics.sinkBufferedRows.set(labels, current.bufferedRecords);
      metrics.sinkFreshness.set(labels, current.dataFreshnessMs / 1000);
    },
  };
}
