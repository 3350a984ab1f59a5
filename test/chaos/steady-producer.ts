/**
 * The chaos runs' load: demo events to payments.orders at a steady rate, from outside `stratus dev`, so it
 * goes on across every kill and restart (a failed send is retried once the broker is back; Kafka, not this
 * producer's count, is the truth the accounting reads). A poison storm raises the share of invalid records.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel, type Message } from 'kafkajs';
import { IdempotentProducer } from '../../lib/core/idempotent-producer.ts';
import { generatorFor, kindAt } from '../../lib/local/demo/generators.ts';
import { DEMO_HEADERS, type DemoRecordKind } from '../../lib/local/demo/types.ts';
import type { TopicSpec } from '../../lib/manifest/spec.ts';

export interface SteadyProducer {
  /** Share of poison in the records made from now on: undefined is the demo mix (2 %). */
  setPoisonShare(share: number | undefined): void;
  /** Records acknowledged. */
  sent(): number;
  /** Records produced per kind (acknowledged). */
  kinds(): Record<string, number>;
  stop(): Promise<void>;
}

const STORM_KINDS: DemoRecordKind[] = ['bad-json', 'schema-violation', 'handler-failure'];

export async function startSteadyProducer(options: {
  brokers: string[];
  topic: TopicSpec;
  rate: number;
}): Promise<SteadyProducer> {
  const kafka = new Kafka({
    clientId: 'stratus-chaos',
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
  });
  // Replaced after a failed send, as the platform's producers are (lib/core/idempotent-producer.ts).
  const producer = new IdempotentProducer(kafka);
  const generator = generatorFor(options.topic, 7);
  const runId = randomBytes(3).toString('hex');
  let poisonShare: number | undefined;
  let stopped = false;
  let sent = 0;
  const kinds: Record<string, number> = {};
  let seq = 0;
  const next = (): { message: Message; kind: DemoRecordKind } => {
    const kind =
      poisonShare === undefined
        ? kindAt(seq, generator.poison)
        : seq % Math.round(1 / poisonShare) === 0
          ? STORM_KINDS[(seq / Math.round(1 / poisonShare)) % STORM_KINDS.length]!
          : 'valid';
    const record = generator.next(seq, kind);
    const message = {
      key: record.key,
      value: record.value,
      headers: { [DEMO_HEADERS.seq]: String(seq), [DEMO_HEADERS.kind]: kind, [DEMO_HEADERS.run]: runId },
    };
    seq++;
    return { message, kind };
  };

  const loop = (async () => {
    const started = performance.now();
    let made = 0;
    // A batch whose send failed is not sent again: Kafka may hold it already (the ack was lost), and the same
    // event twice would be one record skipped by the consumer's idempotency. Kafka is what gets accounted.
    let pending: Array<{ message: Message; kind: DemoRecordKind }> = [];
    while (!stopped) {
      const due = Math.floor(((performance.now() - started) / 1000) * options.rate) - made;
      if (pending.length === 0 && due <= 0) {
        await sleep(20);
        continue;
      }
      if (pending.length === 0) {
        pending = Array.from({ length: Math.min(due, Math.max(1, Math.ceil(options.rate / 10))) }, next);
        made += pending.length;
      }
      try {
        await producer.send({ topic: options.topic.name, messages: pending.map((p) => p.message), acks: -1 });
        sent += pending.length;
        for (const { kind } of pending) kinds[kind] = (kinds[kind] ?? 0) + 1;
        pending = [];
      } catch {
        pending = [];
        await sleep(500);
      }
    }
  })();

  return {
    setPoisonShare: (share) => {
      poisonShare = share;
    },
    sent: () => sent,
    kinds: () => ({ ...kinds }),
    async stop() {
      stopped = true;
      await loop;
      await producer.disconnect().catch(() => {});
    },
  };
}
