import { describe, expect, it } from 'vitest';
import { dropEvidenceDocument } from '../../../lib/core/drop-evidence.ts';
import type { MskRecord } from '../../../lib/core/msk-event.ts';
import { consumerObserver } from '../../../lib/local/observability/consumer-observer.ts';
import { emfReader } from '../../../lib/local/observability/emf.ts';
import { CLOUDWATCH_EQUIVALENTS, StratusMetrics } from '../../../lib/local/observability/metrics.ts';
import { type SinkStats, watchSinkStats } from '../../../lib/local/observability/sink-stats.ts';
import { initialSinkStats } from '../../../lib/local/sink/sink-runner.ts';
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

    const records = (n: number) => Array.from({ length: n }, () => ({}) as MskRecord);
    observer.onFiltered({ partition: 0, records: 3 });
    observer.onBatch({ partition: 0, records: 10, bytes: 2048 });
    observer.onInvocation({ partition: 0, records: 10, durationMs: 120, ok: true, partial: false });
    observer.onBatch({ partition: 1, records: 4, bytes: 900 });
    observer.onInvocation({ partition: 1, records: 4, durationMs: 30, ok: true, partial: true });
    observer.onBatch({ partition: 1, records: 4, bytes: 900 });
    observer.onInvocation({ partition: 1, records: 4, durationMs: 5000, ok: false, partial: false });
    observer.onDeadLettered({
      partition: 1,
      records: records(4),
      reason: 'RETRIES_EXHAUSTED',
      topic: 'shop.dlq',
    });
    observer.onDeadLettered({ partition: 0, records: records(2), reason: 'RECORD_EXPIRED' });
    observer.onCommitted({ topic: 'shop.orders', partition: 1, offset: 42 });
    observer.onError({ stage: 'commit', error: new Error('rebalance') });

    expect(await value(metrics, 'stratus_consumer_records_filtered_total', labels)).toBe(3);
    expect(await value(metrics, 'stratus_consumer_records_in_total', labels)).toBe(18);
    expect(await value(metrics, 'stratus_consumer_invocations_total', labels)).toBe(3);
    // Like Lambda Errors: only the failed invocation, not the partial batch response.
    expect(await value(metrics, 'stratus_consumer_invocation_errors_total', labels)).toBe(1);
    expect(await value(metrics, 'stratus_consumer_partial_batch_responses_total', labels)).toBe(1);
    expect(await value(metrics, 'stratus_consumer_records_failed_total', labels)).toBe(4);
    expect(tally).toEqual({ invocations: 3, errors: 1 });
    // To the DLQ vs discarded without a destination; both by reason.
    expect(await value(metrics, 'stratus_consumer_records_dead_lettered_total', labels)).toBe(4);
    expect(await value(metrics, 'stratus_consumer_records_dropped_total', labels)).toBe(2);
    expect(
      await value(metrics, 'stratus_consumer_records_given_up_total', {
        ...labels,
        reason: 'RECORD_EXPIRED',
      }),
    ).toBe(2);
    expect(await value(metrics, 'stratus_consumer_committed_offset', { ...labels, partition: '1' })).toBe(42);
    expect(
      await value(metrics, 'stratus_consumer_internal_errors_total', { ...labels, stage: 'commit' }),
    ).toBe(1);
    expect(await value(metrics, 'stratus_consumer_invocation_duration_seconds_count', labels)).toBe(3);
    expect(await value(metrics, 'stratus_consumer_invocation_duration_seconds_sum', labels)).toBeCloseTo(
      5.15,
      6,
    );
    expect(await value(metrics, 'stratus_consumer_batch_size_records_bucket', { ...labels, le: '5' })).toBe(
      2,
    );
    expect(await value(metrics, 'stratus_consumer_batch_size_bytes_bucket', { ...labels, le: '1024' })).toBe(
      2,
    );
  });

  it("counts the SDK's EMF metrics from handler output and ignores other lines", async () => {
    const metrics = new StratusMetrics({ processMetrics: false });
    const read = emfReader(metrics, (groupId) => (groupId === 'shop.enrich' ? 'shop.orders' : undefined));
    const emf = (consumerKey: string, values: Record<string, number>) =>
      JSON.stringify({
        _aws: {
          Timestamp: 0,
          CloudWatchMetrics: [
            {
              Namespace: 'Stratus',
              Dimensions: [['service', 'tenant', 'consumer']],
              Metrics: Object.keys(values).map((Name) => ({ Name, Unit: 'Count' })),
            },
          ],
        },
        service: 'shop',
        tenant: 'shop',
        consumer: consumerKey,
        ...values,
      });
    expect(
      read(
        emf('enrich', {
          RecordsIn: 10,
          RecordsOut: 8,
          RecordsDuplicate: 1,
          RecordsDeadLettered: 1,
          RecordsFailed: 0,
        }),
      ),
    ).toBe(true);
    expect(read(emf('enrich', { RecordsOut: 2 }))).toBe(true);
    expect(read(emf('unknown', { RecordsOut: 100 }))).toBe(false);
    expect(read('{"level":"INFO","message":"enriched order"}')).toBe(false);
    expect(read('{"_aws": broken')).toBe(false);
    const labels = { tenant: 'shop', consumer: 'shop.enrich', topic: 'shop.orders' };
    expect(await value(metrics, 'stratus_handler_records_in_total', labels)).toBe(10);
    expect(await value(metrics, 'stratus_handler_records_out_total', labels)).toBe(10);
    expect(await value(metrics, 'stratus_handler_records_duplicate_total', labels)).toBe(1);
    expect(await value(metrics, 'stratus_handler_records_dead_lettered_total', labels)).toBe(1);

    // The SDK's drop evidence is an EMF document too: its RecordsDropped counts.
    const evidence = dropEvidenceDocument({
      namespace: 'Stratus',
      tenant: 'shop',
      consumer: 'enrich',
      records: [0, 1, 2].map((offset) => ({
        topic: 'shop.orders',
        partition: 0,
        offset,
        reason: 'returned-nothing',
      })),
    });
    expect(read(JSON.stringify(evidence))).toBe(true);
    expect(await value(metrics, 'stratus_handler_records_dropped_total', labels)).toBe(3);
  });

  it("turns a sink's running totals into counters and its freshness into seconds", async () => {
    const metrics = new StratusMetrics({ processMetrics: false });
    const base: SinkStats = initialSinkStats({
      sink: 'lake',
      tenant: 'shop',
      format: 'iceberg',
      destination: 'stratus_shop.lake',
      groupId: 'shop.sink-lake',
    });
    let stats = base;
    const watcher = watchSinkStats(metrics, sink, () => stats);
    const labels = { tenant: 'shop', sink: 'shop.lake', topic: 'shop.enriched', format: 'iceberg' };
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_rows_total', labels)).toBe(0);

    stats = {
      ...base,
      recordsIn: 128,
      rowsDelivered: 120,
      bytesDelivered: 4096,
      commits: 2,
      failedRecords: 1,
      failedDeliveries: 3,
      bufferedRecords: 7,
      dataFreshnessMs: 30_000,
    };
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_records_in_total', labels)).toBe(128);
    expect(await value(metrics, 'stratus_sink_rows_total', labels)).toBe(120);
    expect(await value(metrics, 'stratus_sink_bytes_total', labels)).toBe(4096);
    expect(await value(metrics, 'stratus_sink_commits_total', labels)).toBe(2);
    expect(await value(metrics, 'stratus_sink_failed_rows_total', labels)).toBe(1);
    expect(await value(metrics, 'stratus_sink_failed_deliveries_total', labels)).toBe(3);
    expect(await value(metrics, 'stratus_sink_buffered_rows', labels)).toBe(7);
    expect(await value(metrics, 'stratus_sink_data_freshness_seconds', labels)).toBe(30);

    // Collected twice without change: no double counting. Then the sink restarts from zero.
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_rows_total', labels)).toBe(120);
    stats = { ...base, rowsDelivered: 5 };
    watcher.collect();
    expect(await value(metrics, 'stratus_sink_rows_total', labels)).toBe(125);
    expect(await value(metrics, 'stratus_sink_data_freshness_seconds', labels)).toBe(0);
  });
});
