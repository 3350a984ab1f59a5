import { describe, expect, it } from 'vitest';
import { consumerObserver } from '../../../lib/local/observability/consumer-observer.ts';
import { CLOUDWATCH_EQUIVALENTS, StratusMetrics } from '../../../lib/local/observability/metrics.ts';
import { type SinkStats, watchSinkStats } from '../../../lib/local/observability/sink-stats.ts';
import type { ConsumerSpec, SinkSpec } from '../../../lib/manifest/spec.ts';

const consumer = {
  tenant: 'shop',
  key: 'enrich',
  groupId: 'shop.enrich',
  topic: 'shop.orders',
} as ConsumerSpec;
const sink = { tenant: 'shop', key: 'lake', topic: 'shop.enriched', format: 'iceberg' } as SinkSpec;

/** The value of one series in the exposition text, by metric name and exact label set. */
async function value(
  metrics: StratusMetrics,
  name: string,
  labels: Record<string, string>,
): Promise<number | undefined> {
  const all = (await metrics.registry.getMetricsAsJSON()).flatMap((metric) =>
    metric.values.map((v) => ({ ...v, name: ('metricName' in v && v.metricName) || metric.name })),
  );
  const series = all.find(
    (v) =>
      v.name === name &&
      Object.entries(labels).every(([key, expected]) => String(v.labels[key]) === expected) &&
      Object.keys(v.labels).length === Object.keys(labels).length,
  );
  return series?.value;
}

describe('metrics', () => {
  it('defines every metric the CloudWatch mapping names', () => {
    const names = new Set(
      new StratusMetrics({ processMetrics: false }).registry.getMetricsAsArray().map((m) => m.name),
    );
    for (const name of Object.keys(CLOUDWATCH_EQUIVALENTS)) expect(names, name).toContain(name);
  });

  it('counts what the event-source observer reports, per consumer group', async () => {
    const metrics = new StratusMetrics({ processMetrics: false });
    const tally = { invocations: 0, errors: 0 };
    const observer = consumerObserver(metrics, consumer, tally);
    const labels = { tenant: 'shop', consumer: 'shop.enrich', topic: 'shop.orders' };
    // Series exist at 0 before anything happens, so error ratios are defined from the start.
    expect(await value(metrics, 'stratus_consumer_invocation_errors_total', labels)).toBe(0);

    observer.onRunning(true);
    observer.onFiltered(3);
    observer.onInvocation({ records: 10, bytes: 2048, durationMs: 120, recordsOut: 9, duplicateRecords: 1 });
    observer.onInvocation({ records: 4, durationMs: 30, failedRecords: 2 }); // partial batch response
    observer.onInvocation({ records: 4, durationMs: 5000, error: true }); // the function threw
    observer.onDeadLettered(4);

    expect(await value(metrics, 'stratus_consumer_running', labels)).toBe(1);
    expect(await value(metrics, 'stratus_consumer_records_filtered_total', labels)).toBe(3);
    expect(await value(metrics, 'stratus_consumer_records_in_total', labels)).toBe(18);
    expect(await value(metrics, 'stratus_consumer_records_out_total', labels)).toBe(9);
    expect(await value(metrics, 'stratus_consumer_records_duplicate_total', labels)).toBe(1);
    expect(await value(metrics, 'stratus_consumer_records_failed_total', labels)).toBe(6);
    expect(await value(metrics, 'stratus_consumer_records_dead_lettered_total', labels)).toBe(4);
    expect(await value(metrics, 'stratus_consumer_invocations_total', labels)).toBe(3);
    // Like Lambda Errors: only the thrown invocation, not the partial batch response.
    expect(await value(metrics, 'stratus_consumer_invocation_errors_total', labels)).toBe(1);
    expect(tally).toEqual({ invocations: 3, errors: 1 });
    expect(await value(metrics, 'stratus_consumer_invocation_duration_seconds_count', labels)).toBe(3);
    expect(await value(metrics, 'stratus_consumer_invocation_duration_seconds_sum', labels)).toBeCloseTo(
      5.15,
      6,
    );
    expect(await value(metrics, 'stratus_consumer_batch_size_records_bucket', { ...labels, le: '5' })).toBe(
      2,
    );
    const text = await metrics.registry.metrics();
    expect(text).toContain(
      'stratus_consumer_batch_size_bytes_bucket{le="16384",tenant="shop",consumer="shop.enrich",topic="shop.orders"} 1',
    );
  });

  it("turns a sink's running totals into counters and its oldest pending record into freshness", async () => {
    const metrics = new StratusMetrics({ processMetrics: false });
    let stats: SinkStats = { rows: 0, bytes: 0, commits: 0, running: true };
    let now = 100_000;
    const watcher = watchSinkStats(
      metrics,
      sink,
      () => stats,
      () => now,
    );
    const labels = { tenant: 'shop', sink: 'shop.lake', topic: 'shop.enriched', format: 'iceberg' };
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_data_freshness_seconds', labels)).toBe(0);

    stats = {
      rows: 120,
      bytes: 4096,
      commits: 2,
      failedRows: 1,
      bufferedRows: 7,
      oldestPendingAt: 70_000,
      running: true,
    };
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_rows_total', labels)).toBe(120);
    expect(await value(metrics, 'stratus_sink_bytes_total', labels)).toBe(4096);
    expect(await value(metrics, 'stratus_sink_commits_total', labels)).toBe(2);
    expect(await value(metrics, 'stratus_sink_failed_rows_total', labels)).toBe(1);
    expect(await value(metrics, 'stratus_sink_buffered_rows', labels)).toBe(7);
    expect(await value(metrics, 'stratus_sink_data_freshness_seconds', labels)).toBe(30);

    // Collected twice without change: no double counting. Then the sink restarts from zero.
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_rows_total', labels)).toBe(120);
    stats = { rows: 5, bytes: 10, commits: 1, running: false };
    now = 200_000;
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_rows_total', labels)).toBe(125);
    expect(await value(metrics, 'stratus_sink_running', labels)).toBe(0);
    expect(await value(metrics, 'stratus_sink_data_freshness_seconds', labels)).toBe(0);
  });
});
