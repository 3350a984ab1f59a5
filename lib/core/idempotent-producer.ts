/**
 * An idempotent kafkajs producer that is replaced after a failed send.
 *
 * kafkajs numbers each partition's record batches before sending them and, when the request fails, takes the
 * numbers back (node_modules/kafkajs/src/producer/sendMessages.js) — even when the broker appended the batch
 * and only its answer was lost (a broker killed, a connection cut after the write, kafkajs' retries used up).
 * The producer's next batch to that partition then reuses sequence numbers the broker already holds: a batch
 * of another size is refused with OUT_OF_ORDER_SEQUENCE_NUMBER, on every later send, and one of the same size
 * is acknowledged as a duplicate of the lost one without being written — records lost behind a success
 * (test/integration/core/idempotent-producer.test.ts shows both against the real broker). The Java client
 * resets its producer id in this state (KIP-360); kafkajs has no such step, so this class does the equivalent:
 * after any failed send the producer is dropped, and the next send starts a new one, which gets a new producer
 * id and numbers from zero. A batch whose answer was lost may then be written twice — at least once, as every
 * retry of a failed send is — never lost.
 *
 * Sends run one at a time: a send queued behind a failing one must not go out on the old producer with the
 * numbers it just took back. kafkajs' idempotent producer sends one request at a time per broker anyway
 * (`maxInFlightRequests: 1`), so this costs little.
 */
import type { Kafka, Producer, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { PRODUCER_CONFIG } from './kafka-producer.ts';

export class IdempotentProducer {
  readonly #kafka: Kafka;
  readonly #config: ProducerConfig;
  #current: Promise<Producer> | undefined;
  #tail: Promise<unknown> = Promise.resolve();
  /** Producers started so far: 1 until a send fails. */
  started = 0;

  /**
   * @param config kafkajs producer settings; must keep `idempotent: true`.
   * @default PRODUCER_CONFIG
   */
  constructor(kafka: Kafka, config: ProducerConfig = PRODUCER_CONFIG) {
    if (!config.idempotent) throw new Error('IdempotentProducer: config.idempotent must be true');
    this.#kafka = kafka;
    this.#config = config;
  }

  /** Connects now; otherwise the first send does. */
  async connect(): Promise<void> {
    await this.#serially(() => Promise.resolve());
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.#serially((producer) => producer.send(record));
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.#serially((producer) => producer.sendBatch(batch));
  }

  /** Waits for the sends queued so far, then disconnects; a later send connects again. */
  async disconnect(): Promise<void> {
    await this.#tail;
    const current = this.#current;
    this.#current = undefined;
    await (await current?.catch(() => undefined))?.disconnect();
  }

  #serially<T>(send: (producer: Producer) => Promise<T>): Promise<T> {
    const run = this.#tail.then(async () => {
      try {
        return await send(await this.#producer());
      } catch (error) {
        this.#retire();
        throw error;
      }
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  #producer(): Promise<Producer> {
    this.#current ??= (async () => {
      this.started++;
      const producer = this.#kafka.producer(this.#config);
      await producer.connect();
      return producer;
    })();
    return this.#current;
  }

  /** Drops the current producer; its connections are closed in the background. */
  #retire(): void {
    const retired = this.#current;
    this.#current = undefined;
    void retired?.then((producer) => producer.disconnect()).catch(() => {});
  }
}
