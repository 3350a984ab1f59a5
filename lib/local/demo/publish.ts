/**
 * Producing records at a steady rate or as fast as the broker takes them. Used by `stratus produce`, the demo
 * producer of `stratus dev` and `stratus demo`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Message, Producer } from 'kafkajs';

export interface PublishOptions {
  /** A kafkajs producer, or an IdempotentProducer (lib/core/idempotent-producer.ts). */
  producer: Pick<Producer, 'send'>;
  topic: string;
  /** The records to send, pulled lazily (a generator can be endless when `signal` ends it). */
  messages: Iterable<Message>;
  /**
   * Records per second; undefined sends as fast as acknowledgements come back.
   * @default undefined
   */
  rate?: number;
  /**
   * Records per produce request at full speed.
   * @default 500
   */
  batchSize?: number;
  /** Stops after the request in flight. */
  signal?: AbortSignal;
  /** Called after each acknowledged request with the running total. */
  onSent?: (total: number) => void;
}

/** Sends until `messages` is exhausted or `signal` aborts; resolves with the number acknowledged. */
export async function publish(options: PublishOptions): Promise<number> {
  const iterator = options.messages[Symbol.iterator]();
  const batchSize = options.batchSize ?? 500;
  const started = performance.now();
  let sent = 0;
  let done = false;
  while (!done && !options.signal?.aborted) {
    let want = batchSize;
    if (options.rate !== undefined) {
      // Catch up to where a steady rate would be, in requests of at most a tenth of a second's worth.
      const due = Math.floor(((performance.now() - started) / 1000) * options.rate) - sent;
      want = Math.min(due, Math.max(1, Math.ceil(options.rate / 10)));
      if (want <= 0) {
        await sleep(Math.max(5, 1000 / options.rate), undefined, { signal: options.signal }).catch(() => {});
        continue;
      }
    }
    const batch: Message[] = [];
    while (batch.length < want) {
      const next = iterator.next();
      if (next.done) {
        done = true;
        break;
      }
      batch.push(next.value);
    }
    if (batch.length === 0) break;
    await options.producer.send({ topic: options.topic, messages: batch, acks: -1 });
    sent += batch.length;
    options.onSent?.(sent);
  }
  return sent;
}
