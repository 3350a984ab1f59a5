import type { Consumer, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../lib/local/process-utils.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import { type GroupLag, LagReader, type LagTarget, withRates } from '../../../lib/ops/lag.ts';
import { testServices, uniqueName } from '../../support/services.ts';

/**
 * A consumer is stopped, K records with known timestamps are produced behind it, and the lag read from Kafka
 * must say exactly K records and (within a second) the age of the oldest unread record; then the group moves
 * and the lag drains to zero. No assertion depends on how fast anything runs.
 */
describe('consumer lag read from Kafka', () => {
  const K = 20;
  const tenant = uniqueName('lag');
  const topic = `${tenant}.orders`;
  const groupId = `${tenant}.enrich`;
  const target: LagTarget = { tenant, consumer: 'enrich', groupId, topic };
  let kafka: Kafka;
  let reader: LagReader;

  beforeAll(async () => {
    kafka = testServices().kafka('lag-test');
    const admin = kafka.admin();
    await admin.connect();
    await createTopicsReadable(admin, [{ topic, numPartitions: 2 }]);
    await admin.disconnect();
    reader = new LagReader({ kafka });
  });

  afterAll(async () => {
    await reader.close();
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  });

  async function consumeUntilCaughtUp(): Promise<Consumer> {
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ autoCommitThreshold: 1, eachMessage: async () => {} });
    await waitFor('group caught up', async () => (await read()).offsetLag === 0, { timeoutMs: 30_000 });
    return consumer;
  }

  async function read(): Promise<GroupLag> {
    const [group] = await reader.read([target]);
    return group!;
  }

  it('counts K records and the age of the oldest unread one, then drains to zero', async () => {
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: [0, 1, 2, 3].map((i) => ({ partition: i % 2, value: `warm-${i}` })),
    });
    const first = await consumeUntilCaughtUp();
    const caughtUp = await read();
    expect(caughtUp.offsetLag).toBe(0);
    expect(caughtUp.timeLagSeconds).toBe(0);
    await first.disconnect();

    // Stopped consumer; K records stamped 40 s, 39.9 s, … ago, alternating partitions.
    const base = Date.now() - 40_000;
    await producer.send({
      topic,
      messages: Array.from({ length: K }, (_, i) => ({
        partition: i % 2,
        value: `late-${i}`,
        timestamp: String(base + i * 100),
      })),
    });
    await producer.disconnect();

    const before = await read();
    const expectedAge = (Date.now() - base) / 1000;
    expect(before.offsetLag).toBe(K);
    expect(before.maxOffsetLag).toBe(K / 2);
    expect(before.partitions.map((p) => p.offsetLag)).toEqual([K / 2, K / 2]);
    expect(before.partitions.map((p) => p.nextRecordTimestamp)).toEqual([base, base + 100]);
    expect(Math.abs(before.timeLagSeconds! - expectedAge)).toBeLessThan(1);
    expect(Math.abs(before.partitions[1]!.timeLagSeconds! - (expectedAge - 0.1))).toBeLessThan(1);

    // Half the backlog consumed (offsets committed for the stopped group, as a consumer would).
    const admin = kafka.admin();
    await admin.connect();
    await admin.setOffsets({
      groupId,
      topic,
      partitions: before.partitions.map((p) => ({
        partition: p.partition,
        offset: String(p.position + K / 4),
      })),
    });
    await admin.disconnect();
    const half = await read();
    const [rated] = withRates([before], [half]);
    const elapsed = (half.sampledAt - before.sampledAt) / 1000;
    expect(half.offsetLag).toBe(K / 2);
    expect(rated!.produceRate).toBe(0);
    expect(rated!.consumeRate).toBeCloseTo(K / 2 / elapsed, 6);
    // At a steady rate the second half takes as long as the first did.
    expect(rated!.etaSeconds).toBeCloseTo(elapsed, 6);
    // The next unread record is now the 11th: 1 s younger than the first.
    expect(Math.abs(half.timeLagSeconds! - (Date.now() - (base + (K / 2) * 100)) / 1000)).toBeLessThan(1);

    const resumed = await consumeUntilCaughtUp();
    const drained = await read();
    await resumed.disconnect();
    expect(drained.offsetLag).toBe(0);
    expect(drained.timeLagSeconds).toBe(0);
    expect(withRates([half], [drained])[0]!.etaSeconds).toBe(0);
  });

  it('reports a group whose topic does not exist as an error without hiding the others', async () => {
    const missing: LagTarget = {
      ...target,
      consumer: 'ghost',
      groupId: `${tenant}.ghost`,
      topic: `${tenant}.nope`,
    };
    const [ghost, real] = await reader.read([missing, target]);
    expect(ghost!.error).toBeTruthy();
    expect(ghost!.partitions).toEqual([]);
    expect(real!.error).toBeUndefined();
    expect(real!.partitions).toHaveLength(2);
  });
});
