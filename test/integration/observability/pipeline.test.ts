import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type EventSourceMapping, startEventSourceMapping } from '../../../lib/local/event-source/index.ts';
import { createObservability, type Observability } from '../../../lib/local/observability/index.ts';
import { waitFor } from '../../../lib/local/process-utils.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import type { ConsumerSpec, TenantSpec } from '../../../lib/manifest/spec.ts';
import { LagReader } from '../../../lib/ops/lag.ts';
import { testServices, uniqueName } from '../../support/services.ts';

/**
 * The lag scenario with the real event-source emulator feeding the observability: the consumer is
 * paused, K records with known timestamps pile up (offset lag K, time lag within a second of their age),
 * then it resumes; halfway through (the handler holds until the test has sampled) the drain estimate is
 * lag ÷ measured rate, and at the end the lag is 0. Nothing waits on a clock.
 */
describe('observability of a running consumer', () => {
  const K = 30;
  const tenantName = uniqueName('obs');
  const topic = `${tenantName}.events`;
  const consumer: ConsumerSpec = {
    key: 'count',
    tenant: tenantName,
    groupId: `${tenantName}.count`,
    topicKey: 'events',
    topic,
    handlerFile: 'unused.ts',
    batchSize: 5,
    batchWindowMs: 50,
    startingPosition: 'TRIM_HORIZON',
    filters: [{ value: { keep: [true] } }],
    retries: 1,
    maxRecordAgeMs: -1,
    bisectOnError: false,
    memoryMb: 128,
    timeoutMs: 10_000,
    source: { file: 'test', line: 1, col: 1 },
  };
  const tenant = {
    name: tenantName,
    consumers: [consumer],
    sinks: [],
    dlq: { name: `${tenantName}.dlq` },
    alerts: {},
  } as unknown as TenantSpec;

  let kafka: Kafka;
  let admin: Admin;
  let observability: Observability;
  let mapping: EventSourceMapping;
  /** Records the handler has been given; once it reaches `holdFrom`, invocations wait for `release()`. */
  let processed = 0;
  let holdFrom = Number.POSITIVE_INFINITY;
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });

  beforeAll(async () => {
    kafka = testServices().kafka('obs-pipeline');
    admin = kafka.admin();
    await admin.connect();
    await createTopicsReadable(admin, [
      { topic, numPartitions: 2 },
      { topic: tenant.dlq.name, numPartitions: 1 },
    ]);
    // rateWindowMs 1: rates compare each sample with the one before it.
    observability = await createObservability({
      tenants: [tenant],
      brokers: testServices().brokers,
      port: 0,
      sampleLag: false,
      processMetrics: false,
      rateWindowMs: 1,
      log: () => {},
    });
    mapping = await startEventSourceMapping({
      consumer,
      kafka,
      bootstrapServers: testServices().brokers.join(','),
      observer: observability.observerFor(consumer.groupId),
      invoke: async (event) => {
        if (processed >= holdFrom) await held;
        processed += Object.values(event.records).flat().length;
        return { ok: true };
      },
    });
    observability.registerConsumer(consumer.groupId, () => {
      const { state } = mapping.stats();
      return { running: state === 'running', detail: state };
    });
  });

  afterAll(async () => {
    release();
    await mapping?.stop();
    await observability?.stop();
    await admin.deleteGroups([consumer.groupId]).catch(() => {});
    await admin.deleteTopics({ topics: [topic, tenant.dlq.name] }).catch(() => {});
    await admin.disconnect();
  });

  async function produce(messages: { partition: number; value: string; timestamp?: number }[]) {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: messages.map((m) => ({
        ...m,
        timestamp: m.timestamp === undefined ? undefined : String(m.timestamp),
      })),
    });
    await producer.disconnect();
  }

  const metricsText = async () => (await fetch(`${observability.server.url}/metrics`)).text();
  const readyStatus = async () => (await fetch(`${observability.server.url}/readyz`)).status;
  const group = async () => (await observability.sampleNow()).sample.groups![0]!;

  it('counts records, shows lag K and its age while paused, estimates the drain and ends at 0', {
    timeout: 120_000,
  }, async () => {
    const keep = (value: boolean) => JSON.stringify({ keep: value });
    await produce([0, 1, 0, 1].map((partition, i) => ({ partition, value: keep(i !== 3) })));
    await mapping.drained({ timeoutMs: 30_000 });
    const warm = await group();
    expect(warm).toMatchObject({ offsetLag: 0, timeLagSeconds: 0 });
    expect(await readyStatus()).toBe(200);
    const labels = `tenant="${tenantName}",consumer="${consumer.groupId}",topic="${topic}"`;
    let text = await metricsText();
    expect(text).toContain(`stratus_consumer_records_filtered_total{${labels}} 1`);
    expect(text).toContain(`stratus_consumer_records_in_total{${labels}} 3`);
    expect(text).toContain(`stratus_consumer_running{${labels}} 1`);

    await mapping.pause();
    expect(await readyStatus()).toBe(503);
    const base = Date.now() - 45_000;
    await produce(
      Array.from({ length: K }, (_, i) => ({
        partition: i % 2,
        value: keep(true),
        timestamp: base + i * 100,
      })),
    );
    const paused = await group();
    const age = (Date.now() - base) / 1000;
    expect(paused.offsetLag).toBe(K);
    expect(Math.abs(paused.timeLagSeconds! - age)).toBeLessThan(1);
    text = await metricsText();
    expect(text).toContain(`stratus_consumer_offset_lag{${labels},partition="0"} ${K / 2}`);
    expect(text).toContain(`stratus_consumer_running{${labels}} 0`);

    // Resume with the handler holding once 10 records went through, so the test samples mid-drain.
    holdFrom = processed + 10;
    await mapping.resume();
    const reader = new LagReader({ kafka });
    try {
      await waitFor(
        'part of the backlog committed',
        async () => (await reader.read([{ ...consumer, consumer: consumer.key }]))[0]!.offsetLag <= K - 10,
        { timeoutMs: 30_000, intervalMs: 100 },
      );
    } finally {
      await reader.close();
    }
    const mid = await group();
    expect(mid.offsetLag).toBeGreaterThan(0);
    expect(mid.offsetLag).toBeLessThan(K);
    const consumed = mid.positionSum - paused.positionSum;
    const seconds = (mid.sampledAt - paused.sampledAt) / 1000;
    expect(mid.produceRate).toBe(0);
    expect(mid.consumeRate).toBeCloseTo(consumed / seconds, 6);
    // Nothing is produced meanwhile, so the estimate is the remaining lag at the rate measured so far.
    expect(mid.etaSeconds).toBeGreaterThan(0);
    expect(mid.etaSeconds).toBeCloseTo(mid.offsetLag / mid.consumeRate, 6);
    expect(await metricsText()).toMatch(new RegExp(`stratus_consumer_drain_eta_seconds\\{${labels}\\} \\d`));

    holdFrom = Number.POSITIVE_INFINITY;
    release();
    await mapping.drained({ timeoutMs: 30_000 });
    const end = await group();
    expect(end).toMatchObject({ offsetLag: 0, timeLagSeconds: 0, etaSeconds: 0 });
    expect(await readyStatus()).toBe(200);
    text = await metricsText();
    expect(text).toContain(`stratus_consumer_records_in_total{${labels}} ${3 + K}`);
    expect(text).toContain(`stratus_consumer_offset_lag{${labels},partition="1"} 0`);
  });
});
