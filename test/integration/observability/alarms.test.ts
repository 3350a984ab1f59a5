import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createObservability, type Observability } from '../../../lib/local/observability/index.ts';
import { waitFor } from '../../../lib/local/process-utils.ts';
import { initialSinkStats } from '../../../lib/local/sink/sink-runner.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import type { ConsumerSpec, SinkSpec, TenantSpec } from '../../../lib/manifest/spec.ts';
import { testServices, uniqueName } from '../../support/services.ts';

/**
 * The manifest's thresholds against real lag on the shared broker: each alarm goes OK → ALARM → OK as the
 * lag, the error rate and the DLQ move, logs each change once, and shows it in /metrics. Samples are taken
 * explicitly (`sampleNow`), so nothing depends on timing.
 */
describe('alarms on real lag', () => {
  const name = uniqueName('alarm');
  const topic = `${name}.orders`;
  const dlq = `${name}.dlq`;
  const consumer = {
    tenant: name,
    key: 'enrich',
    groupId: `${name}.enrich`,
    topic,
    topicKey: 'orders',
    startingPosition: 'TRIM_HORIZON',
  } as ConsumerSpec;
  const tenant = {
    name,
    consumers: [consumer],
    sinks: [],
    dlq: { name: dlq },
    alerts: { lagSeconds: 30, lagRecords: 5, errorRatePercent: 10, dlqRecords: 2 },
  } as unknown as TenantSpec;
  const log: string[] = [];
  let kafka: Kafka;
  let admin: Admin;
  let observability: Observability;

  beforeAll(async () => {
    kafka = testServices().kafka('alarm-test');
    admin = kafka.admin();
    await admin.connect();
    await createTopicsReadable(admin, [
      { topic, numPartitions: 1 },
      { topic: dlq, numPartitions: 1 },
    ]);
    observability = await createObservability({
      tenants: [tenant],
      brokers: testServices().brokers,
      port: 0,
      sampleLag: false,
      processMetrics: false,
      log: (line) => log.push(line),
    });
  });

  afterAll(async () => {
    await observability?.stop();
    await admin.deleteGroups([consumer.groupId]).catch(() => {});
    await admin.deleteTopics({ topics: [topic, dlq] }).catch(() => {});
    await admin.disconnect();
  });

  const states = () =>
    Object.fromEntries(observability.alarms.list().map((alarm) => [alarm.kind, alarm.state]));

  it('moves OK → ALARM → OK with the data, logs each change and exposes it as metrics', async () => {
    const observer = observability.observerFor(consumer)!;
    const invoked = (ok: boolean) =>
      observer.onInvocation!({ partition: 0, records: 5, durationMs: 10, ok, partial: false });
    expect(states()).toEqual({
      lagSeconds: 'INSUFFICIENT_DATA',
      lagRecords: 'INSUFFICIENT_DATA',
      errorRatePercent: 'INSUFFICIENT_DATA',
      dlqRecords: 'INSUFFICIENT_DATA',
    });

    await observability.sampleNow();
    // The DLQ alarm needs two samples for a 5-minute increase; the others have their datapoint.
    expect(states()).toEqual({
      lagSeconds: 'OK',
      lagRecords: 'OK',
      errorRatePercent: 'OK',
      dlqRecords: 'INSUFFICIENT_DATA',
    });

    const producer = kafka.producer();
    await producer.connect();
    const old = Date.now() - 60_000;
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `r${i}`, timestamp: String(old + i) })),
    });
    await producer.send({ topic: dlq, messages: [{ value: 'd1' }, { value: 'd2' }, { value: 'd3' }] });
    await producer.disconnect();
    invoked(true);
    invoked(false);

    const { transitions } = await observability.sampleNow();
    expect(transitions.map((t) => `${t.alarm.kind} ${t.from}→${t.to}`).sort()).toEqual([
      'dlqRecords INSUFFICIENT_DATA→ALARM',
      'errorRatePercent OK→ALARM',
      'lagRecords OK→ALARM',
      'lagSeconds OK→ALARM',
    ]);
    expect(observability.alarms.get(`lagRecords/${consumer.groupId}`)!.value).toBe(10);
    expect(observability.alarms.get(`errorRatePercent/${consumer.groupId}`)!.value).toBe(50);
    expect(observability.alarms.get(`dlqRecords/${dlq}`)!.value).toBe(3);
    expect(Math.abs(observability.alarms.get(`lagSeconds/${consumer.groupId}`)!.value! - 60)).toBeLessThan(1);

    const metrics = await (await fetch(`${observability.server.url}/metrics`)).text();
    const labels = `tenant="${name}",consumer="${consumer.groupId}",topic="${topic}"`;
    expect(metrics).toContain(`stratus_consumer_offset_lag{${labels},partition="0"} 10`);
    expect(metrics).toMatch(
      new RegExp(`stratus_consumer_time_lag_seconds\\{${labels},partition="0"\\} (59|60)\\.`),
    );
    expect(metrics).toContain(`stratus_consumer_drain_eta_seconds{${labels}} +Inf`);
    expect(metrics).toContain(
      `stratus_alarm_state{tenant="${name}",alarm="lagRecords",resource="${consumer.groupId}",state="ALARM"} 1`,
    );
    expect(metrics).toContain(
      `stratus_alarm_transitions_total{tenant="${name}",alarm="lagRecords",resource="${consumer.groupId}",from="OK",to="ALARM"} 1`,
    );

    // The group catches up (as a consumer committing would) and nothing fails any more.
    await admin.setOffsets({
      groupId: consumer.groupId,
      topic,
      partitions: [{ partition: 0, offset: '10' }],
    });
    for (let i = 0; i < 5; i++) invoked(true);
    await observability.sampleNow();
    expect(states()).toMatchObject({ lagSeconds: 'OK', lagRecords: 'OK' });
    // Error rate and DLQ growth are sums over their periods (1 and 5 minutes): they stay up within them.
    expect(states()).toMatchObject({ errorRatePercent: 'ALARM', dlqRecords: 'ALARM' });
    expect(observability.alarms.get(`errorRatePercent/${consumer.groupId}`)!.value).toBeCloseTo(100 / 7, 6);

    const changes = log.filter((line) => line.startsWith(`alarm lagRecords ${consumer.groupId}`));
    expect(changes).toEqual([
      expect.stringContaining('INSUFFICIENT_DATA → OK'),
      expect.stringContaining('OK → ALARM (10 records of offset lag (threshold 5)'),
      expect.stringContaining('ALARM → OK (0 records of offset lag'),
    ]);
  });

  it('samples in the background, evaluates the alarms on each sample and serves them as JSON', async () => {
    const background = await createObservability({
      tenants: [tenant],
      brokers: testServices().brokers,
      port: 0,
      processMetrics: false,
      lagIntervalMs: 50,
      log: () => {},
    });
    try {
      const url = background.server.url;
      await waitFor(
        'two background samples',
        async () =>
          /stratus_lag_samples_total\{outcome="ok"\} ([2-9]|\d\d)/.test(
            await (await fetch(`${url}/metrics`)).text(),
          ),
        { timeoutMs: 30_000, intervalMs: 50 },
      );
      const { alarms } = (await (await fetch(`${url}/alarms`)).json()) as {
        alarms: { kind: string; state: string }[];
      };
      // The group is caught up (the first test committed its offsets to the end): the lag alarms are OK.
      expect(alarms.filter((alarm) => alarm.kind.startsWith('lag')).map((alarm) => alarm.state)).toEqual([
        'OK',
        'OK',
      ]);
      const lag = (await (await fetch(`${url}/lag`)).json()) as {
        groups: { target: { groupId: string }; offsetLag: number }[];
      };
      expect(lag.groups.map((group) => [group.target.groupId, group.offsetLag])).toEqual([
        [consumer.groupId, 0],
      ]);
    } finally {
      await background.stop();
    }
  });
});

/**
 * A sink's table expectations (`sinks.<s>.expect`) as local alarms, with the comparison and missing-data rules
 * of the CloudWatch alarms lib/aws/contract-alarms.ts creates: freshness breaches when no row was delivered
 * within the window (counted from the start before the first row), volume when fewer rows than `min` arrived
 * in a whole period. The sink's running totals are handed over as the runtime hands over `RunningSink.stats`.
 */
describe('sink expectation alarms', () => {
  const name = uniqueName('expect');
  const sink = {
    tenant: name,
    key: 'lake',
    topic: `${name}.events`,
    format: 'iceberg',
    expectations: { freshnessMs: 1_000, volume: { minRows: 5, periodMs: 1_000 } },
  } as SinkSpec;
  const tenant = {
    name,
    consumers: [],
    sinks: [sink],
    dlq: { name: `${name}.dlq` },
    alerts: {},
  } as unknown as TenantSpec;
  const totals = { rowsDelivered: 0, lastDeliveryAt: undefined as number | undefined };
  let observability: Observability;

  beforeAll(async () => {
    observability = await createObservability({
      tenants: [tenant],
      brokers: testServices().brokers,
      port: 0,
      sampleLag: false,
      processMetrics: false,
      log: () => {},
    });
    observability.sinkStatsSource(sink, () => ({
      ...initialSinkStats({
        sink: sink.key,
        tenant: name,
        format: sink.format,
        destination: sink.key,
        groupId: `${name}.sink.lake`,
      }),
      ...totals,
    }));
  });

  afterAll(async () => {
    await observability?.stop();
  });

  const alarm = (kind: string) => observability.alarms.get(`${kind}/${name}.lake`)!;

  it('alarms on a stale table and on too few rows, and clears when rows arrive', async () => {
    expect(alarm('sinkFreshnessSeconds')).toMatchObject({ threshold: 1, comparison: 'GreaterThanThreshold' });
    expect(alarm('sinkVolumeRows')).toMatchObject({ threshold: 5, comparison: 'LessThanThreshold' });

    await observability.sampleNow();
    // Within the first second: fresh enough, and no whole volume period yet.
    expect(alarm('sinkFreshnessSeconds').state).toBe('OK');
    expect(alarm('sinkVolumeRows').state).toBe('INSUFFICIENT_DATA');

    await new Promise((resolve) => setTimeout(resolve, 1_200));
    await observability.sampleNow();
    expect(alarm('sinkFreshnessSeconds').state).toBe('ALARM');
    expect(alarm('sinkVolumeRows')).toMatchObject({ state: 'ALARM', value: 0 });

    totals.rowsDelivered = 12;
    totals.lastDeliveryAt = Date.now();
    await observability.sampleNow();
    expect(alarm('sinkFreshnessSeconds').state).toBe('OK');
    expect(alarm('sinkVolumeRows')).toMatchObject({ state: 'OK', value: 12 });

    const metrics = await (await fetch(`${observability.server.url}/metrics`)).text();
    expect(metrics).toContain(
      `stratus_alarm_state{tenant="${name}",alarm="sinkVolumeRows",resource="${name}.lake",state="OK"} 1`,
    );
  });
});
