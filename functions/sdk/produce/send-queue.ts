/**
 * Batching of a producer's sends (group commit): sends that arrive while a produce request is in flight wait and
 * go together in the next request, so a busy producer makes few large requests and an idle one adds no delay.
 * A request carries at most MAX_REQUEST_BYTES (lib/core/kafka-producer.ts); a send larger than that is split
 * into several requests sent in order. Each send settles once every one of its records is acknowledged by all
 * in-sync replicas (the publisher sends with acks=-1), or fails with how many of its records were acknowledged.
 */
import { MAX_REQUEST_BYTES, RECORD_OVERHEAD_BYTES } from '../../../lib/core/kafka-producer.ts';
import { OutputDeliveryError } from '../errors.ts';
import type { OutgoingMessage } from '../output.ts';
import type { RecordPublisher } from '../producer.ts';

/** A send that failed at the broker. Records `[0, acknowledged)` of it are written; the rest may or may not be. */
export class ProducerDeliveryError extends OutputDeliveryError {
  /** How many of the send's records (its first ones) the broker acknowledged before the failure. */
  readonly acknowledged: number;
  /** How many records the send had. */
  readonly records: number;
  constructor(message: string, acknowledged: number, records: number, cause: unknown) {
    super(message, { cause });
    this.name = 'ProducerDeliveryError';
    this.acknowledged = acknowledged;
    this.records = records;
  }
}

/** The producer was closed; nothing of this send was sent. */
export class ProducerClosedError extends Error {
  constructor(topic: string) {
    super(`the producer of ${topic} is closed; create a new one to send again`);
    this.name = 'ProducerClosedError';
  }
}

/** A message with its size on the wire (key, value, headers, framing), computed once when it is prepared. */
export interface SizedMessage {
  message: OutgoingMessage;
  bytes: number;
}

interface Pending {
  records: SizedMessage[];
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

export interface SendQueueOptions {
  topic: string;
  publisher: RecordPublisher;
  /**
   * How long the first send waits for others to join its request when none is in flight.
   * @default 0 (only sends made in the same turn of the event loop join)
   */
  lingerMs?: number;
}

export class SendQueue {
  readonly #topic: string;
  readonly #publisher: RecordPublisher;
  readonly #lingerMs: number;
  readonly #pending: Pending[] = [];
  #draining: Promise<void> | undefined;
  #closed = false;

  constructor(options: SendQueueOptions) {
    this.#topic = options.topic;
    this.#publisher = options.publisher;
    this.#lingerMs = options.lingerMs ?? 0;
  }

  /** Sends `records` (in order); resolves once all are acknowledged. */
  send(records: SizedMessage[]): Promise<void> {
    if (this.#closed) return Promise.reject(new ProducerClosedError(this.#topic));
    if (records.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const bytes = records.reduce((sum, r) => sum + r.bytes + RECORD_OVERHEAD_BYTES, 0);
      this.#pending.push({ records, bytes, resolve, reject });
      this.#drainSoon();
    });
  }

  /** Resolves once every send made so far has settled. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Refuses new sends and waits for the queued ones. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #drainSoon(): void {
    if (this.#draining) return;
    const wait =
      this.#lingerMs > 0
        ? new Promise<void>((resolve) => setTimeout(resolve, this.#lingerMs))
        : new Promise<void>((resolve) => setImmediate(resolve));
    this.#draining = wait
      .then(() => this.#drain())
      .finally(() => {
        this.#draining = undefined;
        if (this.#pending.length > 0) this.#drainSoon();
      });
  }

  async #drain(): Promise<void> {
    while (this.#pending.length > 0) {
      const taken: Pending[] = [this.#pending.shift()!];
      let bytes = taken[0]!.bytes;
      while (this.#pending.length > 0 && bytes + this.#pending[0]!.bytes <= MAX_REQUEST_BYTES) {
        const next = this.#pending.shift()!;
        taken.push(next);
        bytes += next.bytes;
      }
      if (taken.length === 1 && bytes > MAX_REQUEST_BYTES) await this.#sendInChunks(taken[0]!);
      else await this.#sendTogether(taken);
    }
  }

  async #sendTogether(taken: Pending[]): Promise<void> {
    try {
      await this.#publish(taken.flatMap((p) => p.records.map((r) => r.message)));
      for (const p of taken) p.resolve();
    } catch (error) {
      for (const p of taken) p.reject(this.#failure(error, 0, p.records.length));
    }
  }

  async #sendInChunks(pending: Pending): Promise<void> {
    let acknowledged = 0;
    for (const chunk of chunks(pending.records)) {
      try {
        await this.#publish(chunk);
      } catch (error) {
        pending.reject(this.#failure(error, acknowledged, pending.records.length));
        return;
      }
      acknowledged += chunk.length;
    }
    pending.resolve();
  }

  #publish(messages: OutgoingMessage[]): Promise<void> {
    return this.#publisher.publish([{ topic: this.#topic, messages }]);
  }

  #failure(error: unknown, acknowledged: number, records: number): ProducerDeliveryError {
    const reason = error instanceof Error ? error.message : String(error);
    return new ProducerDeliveryError(
      `${records - acknowledged} of ${records} record(s) to ${this.#topic} were not acknowledged: ${reason}`,
      acknowledged,
      records,
      error,
    );
  }
}

/** Consecutive runs of records of at most MAX_REQUEST_BYTES each (a single larger record goes alone). */
function* chunks(records: SizedMessage[]): Generator<OutgoingMessage[]> {
  let chunk: OutgoingMessage[] = [];
  let bytes = 0;
  for (const record of records) {
    const size = record.bytes + RECORD_OVERHEAD_BYTES;
    if (chunk.length > 0 && bytes + size > MAX_REQUEST_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record.message);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}
