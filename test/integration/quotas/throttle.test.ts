/**
 * Per-tenant quotas on the real local broker: the tenant's manifest asks for a produce quota, the runtime's
 * quota step sets it with Kafka's own ConfigCommand, and a producer under the tenant's client id that tries
 * to send far more than its quota is slowed to about the quota, while the same producer under another client
 * id (no quota) is not. The figures are printed for the record.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantClientId } from '../../../lib/core/naming.ts';
import { applyLocalQuotas } from '../../../lib/local/quotas.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import { describeClientQuotas } from '../../../lib/ops/shared/client-quotas.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { loadProject } from '../../unit/manifest/fixture.ts';

// A small quota and few, large requests: the unthrottled baseline stays far above the quota even when the
// shared test broker is busy (each request then takes ~100 ms), while the throttled producer is held to it.
const QUOTA = 16 * 1024;
const TOTAL = 24 * QUOTA;
const CHUNK = 32 * 1024;

describe('tenant Kafka quotas on the local broker', () => {
  const tenant = uniqueName('quota');
  const topic = `${tenant}.events`;
  const { brokers, kafka } = testServices();
  const admin = kafka().admin();

  beforeAll(async () => {
    await admin.connect();
    await createTopicsReadable(admin, [{ topic, numPartitions: 1 }]);
  });
  afterAll(() => admin.disconnect());

  /**
   * Sends TOTAL bytes in CHUNK-sized records, one request at a time: the rate overall, and over the second
   * half (after the burst Kafka's sample window lets through).
   */
  async function produceRate(
    clientId: string,
  ): Promise<{ seconds: number; rate: number; steadyRate: number }> {
    const producer = kafka(clientId).producer();
    await producer.connect();
    const payload = randomBytes(CHUNK - 100)
      .toString('base64')
      .slice(0, CHUNK - 100);
    const started = performance.now();
    let half = started;
    for (let sent = 0; sent < TOTAL; sent += CHUNK) {
      if (sent === TOTAL / 2) half = performance.now();
      await producer.send({ topic, acks: -1, messages: [{ value: payload }] });
    }
    const ended = performance.now();
    await producer.disconnect();
    const seconds = (ended - started) / 1000;
    return { seconds, rate: TOTAL / seconds, steadyRate: TOTAL / 2 / ((ended - half) / 1000) };
  }

  it('a producer over its tenant quota is throttled to about the quota; another client id is not', {
    timeout: 120_000,
  }, async () => {
    const { spec, errors } = loadProject({
      config: 'governance:\n  quotas: { maxProduce: 1MiB, maxConsume: 1MiB }\n',
      tenants: {
        [`${tenant}.yaml`]: `tenant: ${tenant}\nowners: [q@example.com]\ntopics:\n  events: {}\nquotas: { produce: 16KiB }\n`,
      },
    });
    expect(errors).toEqual([]);
    const [spec0] = spec.tenants;
    expect(spec0!.quotas).toEqual({ produceBytesPerSecond: QUOTA, consumeBytesPerSecond: 1024 * 1024 });
    const lines = await applyLocalQuotas(brokers, spec.tenants);
    // The broker learns the quota from the controller's metadata a moment after the call returns.
    const expected = new Map([
      [tenantClientId(tenant), { producer_byte_rate: QUOTA, consumer_byte_rate: 1024 * 1024 }],
    ]);
    for (let attempt = 1; ; attempt++) {
      try {
        expect(await describeClientQuotas({ broker: brokers[0]! }, [tenantClientId(tenant)])).toEqual(
          expected,
        );
        break;
      } catch (error) {
        if (attempt >= 80) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
    expect(lines).toEqual([
      `quotas of ${tenantClientId(tenant)}: producer_byte_rate ${QUOTA} B/s, consumer_byte_rate 1048576 B/s`,
    ]);

    const free = await produceRate(`${tenant}-unlimited`);
    const throttled = await produceRate(tenantClientId(tenant));
    console.log(
      `[quota] ${TOTAL / 1024} KiB in ${CHUNK / 1024} KiB records: quota ${QUOTA / 1024} KiB/s; ` +
        `under the tenant's client id ${(throttled.rate / 1024).toFixed(0)} KiB/s overall (${throttled.seconds.toFixed(1)} s), ${(throttled.steadyRate / 1024).toFixed(0)} KiB/s over the second half; ` +
        `another client id ${(free.rate / 1024).toFixed(0)} KiB/s (${free.seconds.toFixed(2)} s), ratio ${(free.rate / throttled.rate).toFixed(1)}`,
    );
    // Kafka measures over a window of 11 one-second samples, so a short burst above the quota passes before
    // the delays begin: the achieved rate lands near the quota, not under it exactly.
    expect(throttled.steadyRate).toBeLessThan(QUOTA * 1.5);
    expect(throttled.steadyRate).toBeGreaterThan(QUOTA * 0.5);
    expect(throttled.rate).toBeLessThan(QUOTA * 3);
    expect(free.rate).toBeGreaterThan(QUOTA * 4);
  });
});
