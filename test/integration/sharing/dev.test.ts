/**
 * The local runtime (what `stratus dev` runs) with a shared topic, and observed lineage on top of it. Only the
 * reader runs: its runtime creates the owner's shared topic, the reader's processor consumes what lands there
 * and writes its own topic with lineage headers naming itself. `stratus lineage --observed` then finds every
 * writer declared, until a writer the manifests do not know shows up in a topic.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINEAGE_HEADERS } from '../../../lib/core/lineage.ts';
import { readTopics } from '../../../lib/local/demo/read-topics.ts';
import { type Runtime, startRuntime } from '../../../lib/local/runtime.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { runCli } from '../../support/cli.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { sharingProject } from './project.ts';

describe('a shared topic in the local runtime, and observed lineage', () => {
  const owner = uniqueName('pay');
  const reader = uniqueName('ana');
  let project: Awaited<ReturnType<typeof sharingProject>>;
  let runtime: Runtime;
  let kafka: Kafka;
  const shared = `${owner}.orders-enriched`;
  const output = `${reader}.big-orders`;
  const saved = process.env.KAFKA_BROKERS;

  beforeAll(async () => {
    project = await sharingProject({ owner, reader });
    const spec = loadStratusOrThrow({ rootDir: project.rootDir });
    const { brokers, awsEndpoint } = testServices();
    runtime = await startRuntime({
      spec,
      tenants: [reader],
      services: { brokers, awsEndpoint },
      metricsPort: false,
    });
    kafka = runtime.kafka;
    process.env.KAFKA_BROKERS = brokers.join(',');
  });
  afterAll(async () => {
    await runtime?.stop();
    if (saved === undefined) delete process.env.KAFKA_BROKERS;
    else process.env.KAFKA_BROKERS = saved;
    project?.remove();
  });

  /** Writes records into a topic as if `tenant/consumer` had produced them (the SDK's lineage headers). */
  async function writeAs(topic: string, tenant: string, consumer: string, count: number) {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: count }, (_, i) => ({
        key: `ord-${i}`,
        // A valid record of the owner's schema (the reader's SDK validates the shared topic's schema too).
        value: JSON.stringify({
          eventId: randomUUID(),
          type: 'order.created',
          orderId: `ord-${i}x`,
          customerId: `cus-${i}`,
          amount: 10 + i,
          currency: 'EUR',
          amountEur: 10 + i,
          itemCount: 1,
          riskBand: 'low',
          createdAt: new Date().toISOString(),
          enrichedAt: new Date().toISOString(),
        }),
        headers: { [LINEAGE_HEADERS.tenant]: tenant, [LINEAGE_HEADERS.consumer]: consumer },
      })),
    });
    await producer.disconnect();
  }

  it("runs the reader alone: the owner's shared topic exists, the reader processes what lands there", async () => {
    expect((await kafka.admin().listTopics()).includes(shared)).toBe(true);
    await writeAs(shared, owner, 'enrich-orders', 25);
    let forwarded: Awaited<ReturnType<typeof readTopics>> = new Map();
    for (let i = 0; i < 120; i++) {
      forwarded = await readTopics(kafka, [output]);
      if ((forwarded.get(output)?.length ?? 0) >= 25) break;
      await sleep(500);
    }
    const records = forwarded.get(output) ?? [];
    expect(records).toHaveLength(25);
    expect(new Set(records.map((r) => r.headers[LINEAGE_HEADERS.tenant]))).toEqual(new Set([reader]));
    expect(new Set(records.map((r) => r.headers[LINEAGE_HEADERS.sourceTopic]))).toEqual(new Set([shared]));
  });

  it('stratus lineage --observed: every writer declared, then an undeclared one is reported with exit 1', async () => {
    const clean = await runCli(['lineage', '--observed', '--format', 'json'], project.rootDir);
    expect(clean.code, clean.stderr).toBe(0);
    const observed = JSON.parse(clean.stdout);
    expect(observed.undeclared).toEqual([]);
    const topics = Object.fromEntries(
      observed.topics.map((t: { topic: string; writers: unknown[] }) => [t.topic, t.writers]),
    );
    expect(topics[shared]).toEqual([
      expect.objectContaining({ tenant: owner, consumer: 'enrich-orders', records: 25, verdict: 'declared' }),
    ]);
    expect(topics[output]).toEqual([
      expect.objectContaining({ tenant: reader, consumer: 'watch-orders', verdict: 'declared' }),
    ]);

    // The reader writes into the owner's topic (writes never cross tenants), and a consumer the owner
    // removed from its manifest is still producing.
    await writeAs(shared, reader, 'watch-orders', 2);
    await writeAs(shared, owner, 'old-enricher', 3);
    const drift = await runCli(['lineage', '--observed'], project.rootDir);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toContain('2 undeclared writers:');
    expect(drift.stdout).toMatch(
      new RegExp(`${reader}/watch-orders → ${shared}: 2 records, last .* another tenant's writer`),
    );
    expect(drift.stdout).toMatch(
      new RegExp(`${owner}/old-enricher → ${shared}: 3 records, .*removed but still running`),
    );
  });
});
