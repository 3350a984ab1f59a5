/**
 * The demo producer of `stratus dev`: generated events to every source topic at a steady rate, poison
 * included, until stopped — so a fresh `stratus dev` shows records flowing, filtered and dead-lettered.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Kafka } from 'kafkajs';
import { IdempotentProducer } from '../core/idempotent-producer.ts';
import type { TenantSpec } from '../manifest/spec.ts';
import { generatorFor, sourceTopics } from './demo/generators.ts';
import { demoMessages } from './demo/messages.ts';
import { publish } from './demo/publish.ts';

export interface DemoProducer {
  /** Source topics being fed. */
  topics: string[];
  /** Records acknowledged so far. */
  sent(): number;
  /**
   * Source topics whose schema the generator cannot satisfy, with why (`iot.readings: /id must match …`): their
   * "valid" events will be dead-lettered.
   */
  unsatisfied: string[];
  stop(): Promise<void>;
}

export async function startDemoProducer(
  kafka: Kafka,
  tenants: readonly TenantSpec[],
  options: { rate: number; onError?: (error: Error) => void },
): Promise<DemoProducer> {
  // Replaced after a failed send: across a broker restart kafkajs' own producer can be left refusing, or
  // silently dropping, every later batch (see lib/core/idempotent-producer.ts).
  const producer = new IdempotentProducer(kafka);
  await producer.connect();
  const abort = new AbortController();
  const runId = randomBytes(3).toString('hex');
  const totals = new Map<string, number>();
  const sources = sourceTopics(tenants);
  // Each loop outlives a broker restart: a failed send is reported (once per outage) and retried every
  // second; the records of that request were never acknowledged, so none is counted twice.
  const generators = sources.map(({ topic }, index) => generatorFor(topic, Date.now() + index));
  const loops = sources.map(async ({ topic }, index) => {
    const messages = demoMessages(generators[index]!, { runId });
    let failing = false;
    while (!abort.signal.aborted) {
      const before = totals.get(topic.name) ?? 0;
      try {
        await publish({
          producer,
          topic: topic.name,
          messages,
          rate: options.rate,
          signal: abort.signal,
          onSent: (total) => {
            totals.set(topic.name, before + total);
            failing = false;
          },
        });
      } catch (error) {
        if (abort.signal.aborted) return;
        if (!failing) options.onError?.(error as Error);
        failing = true;
        await sleep(1_000, undefined, { signal: abort.signal }).catch(() => {});
      }
    }
  });
  return {
    topics: sources.map((source) => source.topic.name),
    sent: () => [...totals.values()].reduce((a, b) => a + b, 0),
    unsatisfied: sources.flatMap(({ topic }, index) => {
      const why = generators[index]!.unsatisfied;
      return why === undefined ? [] : [`${topic.name}: ${why}`];
    }),
    async stop() {
      abort.abort();
      await Promise.all(loops);
      await producer.disconnect();
    },
  };
}
