/**
 * The SDK's kafkajs speed fixes against the run's real broker: records written with the SDK's record encoder
 * and CRC are accepted (the broker checks every batch's CRC-32C) and read back by an ordinary kafkajs consumer
 * unchanged, and an idle connection no longer re-arms a timer every millisecond.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { PRODUCER_CONFIG } from '../../../lib/core/kafka-producer.ts';
import { installKafkajsSpeedups } from '../../../lib/local/function-host/kafkajs-speedups.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { createTopics, readMessages } from '../sdk/helpers.ts';

const require = createRequire(import.meta.url);

describe('kafkajs speed fixes', () => {
  it('produces records the broker accepts and any consumer reads back byte for byte', async () => {
    expect(installKafkajsSpeedups()).toBe(true);
    const kafka = testServices().kafka();
    const topic = uniqueName('speedups');
    await createTopics(kafka, [{ topic, numPartitions: 3 }]);
    const producer = kafka.producer(PRODUCER_CONFIG);
    await producer.connect();
    const messages = Array.from({ length: 120 }, (_, i) => ({
      key: i % 7 === 0 ? null : `key-${i}-é`,
      value: JSON.stringify({ i, text: 'x'.repeat(i * 37), emoji: '😀' }),
      headers: { 'stratus-source-offset': String(i), 'correlation-id': `c-${i}`, 'h-ü': 'ü'.repeat(i % 5) },
    }));
    try {
      await producer.send({ topic, acks: -1, messages });
    } finally {
      await producer.disconnect();
    }
    const read = await readMessages(kafka, topic, messages.length);
    const byOffset = (a: { value: string | null }) => JSON.parse(a.value!).i as number;
    expect(read.sort((a, b) => byOffset(a) - byOffset(b)).map((m) => [m.key, m.value, m.headers])).toEqual(
      messages.map((m) => [m.key, m.value, m.headers]),
    );
  });

  it('leaves an idle connection without a 1 ms timer loop', async () => {
    installKafkajsSpeedups();
    const RequestQueue = require('kafkajs/src/network/requestQueue/index.js') as {
      prototype: { checkPendingRequests(): void };
    };
    const check = RequestQueue.prototype.checkPendingRequests;
    let checks = 0;
    RequestQueue.prototype.checkPendingRequests = function (this: unknown) {
      checks++;
      return check.call(this);
    };
    const producer = testServices().kafka().producer(PRODUCER_CONFIG);
    try {
      await producer.connect();
      await new Promise((resolve) => setTimeout(resolve, 50));
      checks = 0;
      await new Promise((resolve) => setTimeout(resolve, 500));
      // kafkajs 2.2.4 alone checks every connection's queue about once a millisecond: hundreds here.
      expect(checks).toBeLessThan(10);
    } finally {
      RequestQueue.prototype.checkPendingRequests = check;
      await producer.disconnect();
    }
  });
});
