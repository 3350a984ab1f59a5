/**
 * The demo producer of `stratus dev`: generated events to every source topic at a steady rate, poison
 * included, until stopped — so a fresh `stratus dev` shows records flowing, filtered and dead-lettered.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { PRODUCER_CONFIG } from '../core/kafka-producer.ts';
import type { TenantSpec } from '../manifest/spec.ts';
import { generatorFor, sourceTopics } from './demo/generators.ts';
import { demoMessages } from './demo/messages.ts';
import { publish } from './demo/publish.ts';

export interface DemoProducer {
  /** Source topics being fed. */
  topics: string[];
  /** Records acknowledged so far. */
  sent(): number;
  stop(): Promise<void>;
}

export async function startDemoProducer(
  kafka: Kafka,
  tenants: readonly TenantSpec[],
  options: { rate: number; onError?: (error: Error) => void },
): Promise<DemoProducer> {
  const producer = kafka.producer(PRODUCER_CONFIG);
  await producer.connect();
  const abort = new AbortController();
  const runId = randomBytes(3).toString('hex');
  const totals = new Map<string, number>();
  const sources = sourceTopics(tenants);
  const loops = sources.map(({ topic }, index) =>
    publish({
      producer,
      topic: topic.name,
      messages: demoMessages(generatorFor(topic, Date.now() + index), { runId }),
      rate: options.rate,
      signal: abort.signal,
      onSent: (total) => totals.set(topic.name, total),
    }).catch((error: Error) => {
      if (!abort.signal.aborted) options.onError?.(error);
    }),
  );
  return {
    topics: sources.map((source) => source.topic.name),
    sent: () => [...totals.values()].reduce((a, b) => a + b, 0),
    async stop() {
      abort.abort();
      await Promise.all(loops);
      await producer.disconnect();
    },
  };
}
