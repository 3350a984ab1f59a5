/**
 * A send whose answer is lost, against the run's real broker: the broker appends the batch, the connection
 * dies before kafkajs reads the answer, and no connection succeeds until kafkajs' retries are used up (a
 * broker killed right after a write, as the chaos suite does). The broker and the clients are real; only the
 * lost answer and the refused connections are injected, at the client's sockets (kafkajs' `socketFactory`),
 * because killing the broker every test shares would disturb the others — the chaos suite kills a broker of
 * its own for real.
 *
 * kafkajs' own idempotent producer is left broken by it (its sequence numbers taken back for a batch the broker
 * holds): other batch sizes are refused with OUT_OF_ORDER_SEQUENCE_NUMBER and a batch of the same size is
 * acknowledged without being written. IdempotentProducer and the SDK's publisher replace the producer instead.
 */
import net from 'node:net';
import { type ISocketFactory, Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { createKafkaPublisher } from '../../../functions/sdk/producer.ts';
import { IdempotentProducer } from '../../../lib/core/idempotent-producer.ts';
import { PRODUCER_CONFIG } from '../../../lib/core/kafka-producer.ts';
import { testServices, uniqueName } from '../../support/services.ts';
import { createTopics, readMessages, topicSize } from '../sdk/helpers.ts';

/** Produce requests carry API key 0 after their 4-byte length. */
const isProduceRequest = (chunk: unknown): boolean =>
  Buffer.isBuffer(chunk) && chunk.length >= 6 && chunk.readInt16BE(4) === 0;

/**
 * Sockets to the real broker through which the answer to the next produce request, once armed, is lost: the
 * connection is cut when the answer arrives (so the broker has written the batch), and every connection after
 * it is refused until `heal()`.
 */
function lostAnswerFault() {
  let armed = false;
  let refusing = false;
  const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
    if (refusing) {
      const refused = new net.Socket();
      setImmediate(() => refused.destroy(new Error(`connect ECONNREFUSED ${host}:${port} (injected)`)));
      return refused;
    }
    const socket = net.connect({ host, port }, onConnect);
    let answerPending = false;
    const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
    socket.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (armed && isProduceRequest(chunk)) {
        armed = false;
        answerPending = true;
      }
      return write(chunk, ...rest);
    }) as typeof socket.write;
    // Ahead of kafkajs' own 'data' listener: the answer never reaches it.
    const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean;
    socket.emit = ((event: string | symbol, ...args: unknown[]) => {
      if (event === 'data' && answerPending) {
        answerPending = false;
        refusing = true;
        socket.destroy(new Error('connection reset (injected: the answer was lost)'));
        return false;
      }
      return emit(event, ...args);
    }) as typeof socket.emit;
    return socket;
  };
  return {
    socketFactory,
    loseNextAnswer: () => {
      armed = true;
    },
    heal: () => {
      refusing = false;
    },
  };
}

const values = (...names: string[]) => names.map((value) => ({ value }));
/** Short retries (the client's and the producer's), so a send through refused connections fails fast. */
const FAST_RETRIES = { ...PRODUCER_CONFIG, retry: { retries: 1, initialRetryTime: 50 } };

async function topicValues(topic: string): Promise<string[]> {
  const kafka = testServices().kafka();
  const messages = await readMessages(kafka, topic, await topicSize(kafka, topic));
  return messages.map((message) => message.value ?? '');
}

async function freshTopic(): Promise<string> {
  const name = uniqueName('lost-answer');
  await createTopics(testServices().kafka(), [{ topic: name }]);
  return name;
}

/** A fresh topic and a kafkajs client with short retries whose sockets carry the fault. */
async function faultyClient() {
  const fault = lostAnswerFault();
  const kafka = new Kafka({
    clientId: 'lost-answer',
    brokers: testServices().brokers,
    logLevel: logLevel.NOTHING,
    socketFactory: fault.socketFactory,
    retry: FAST_RETRIES.retry,
  });
  return { fault, kafka, name: await freshTopic() };
}

describe('a produce request whose answer is lost', () => {
  it("leaves kafkajs' own idempotent producer refusing other batch sizes and dropping the same size (the defect)", async () => {
    const { fault, kafka, name } = await faultyClient();
    const producer = kafka.producer(FAST_RETRIES);
    await producer.connect();
    try {
      await producer.send({ topic: name, messages: values('a'), acks: -1 });
      fault.loseNextAnswer();
      await expect(producer.send({ topic: name, messages: values('b', 'c', 'd'), acks: -1 })).rejects.toThrow(
        /ECONNREFUSED|lost/,
      );
      fault.heal();
      await expect(producer.send({ topic: name, messages: values('e', 'f'), acks: -1 })).rejects.toThrow(
        /out of order sequence number/,
      );
      // Three records, like the lost batch: "acknowledged" at the lost batch's offset, and never written.
      const [ack] = await producer.send({ topic: name, messages: values('x', 'y', 'z'), acks: -1 });
      expect(ack?.baseOffset).toBe('1');
    } finally {
      await producer.disconnect();
    }
    expect(await topicValues(name)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('IdempotentProducer writes every later batch, whatever its size, and a send queued behind the failing one', async () => {
    const { fault, kafka, name } = await faultyClient();
    const producer = new IdempotentProducer(kafka, FAST_RETRIES);
    try {
      await producer.send({ topic: name, messages: values('a'), acks: -1 });
      fault.loseNextAnswer();
      const failing = producer.send({ topic: name, messages: values('b', 'c', 'd'), acks: -1 });
      // Queued while the failing send is in flight: it must not go out on the producer that failed.
      const queued = producer.send({ topic: name, messages: values('q', 'r', 's'), acks: -1 });
      await expect(failing).rejects.toThrow(/ECONNREFUSED|lost/);
      fault.heal();
      await queued;
      await producer.send({ topic: name, messages: values('e', 'f'), acks: -1 });
      await producer.send({ topic: name, messages: values('x', 'y', 'z'), acks: -1 });
      expect(producer.started).toBe(2);
    } finally {
      await producer.disconnect();
    }
    // b, c, d were written before their answer was lost: there, once, and everything sent after them too.
    expect(await topicValues(name)).toEqual(['a', 'b', 'c', 'd', 'q', 'r', 's', 'e', 'f', 'x', 'y', 'z']);
  });

  it("the SDK's publisher (PRODUCER_CONFIG's retries) writes the function's next outputs", async () => {
    const fault = lostAnswerFault();
    const name = await freshTopic();
    const publisher = createKafkaPublisher({
      clientId: 'lost-answer',
      brokers: testServices().brokers,
      auth: 'plaintext',
      socketFactory: fault.socketFactory,
    });
    const batch = (...names: string[]) => [
      { topic: name, messages: names.map((value) => ({ key: null, value, headers: {} })) },
    ];
    try {
      await publisher.publish(batch('a'));
      fault.loseNextAnswer();
      await expect(publisher.publish(batch('b', 'c', 'd'))).rejects.toThrow(/could not produce 3 record/);
      fault.heal();
      // The invocation's retry and the next one: neither refused nor dropped.
      await publisher.publish(batch('b', 'c', 'd'));
      await publisher.publish(batch('e', 'f'));
    } finally {
      await publisher.close();
    }
    expect(await topicValues(name)).toEqual(['a', 'b', 'c', 'd', 'b', 'c', 'd', 'e', 'f']);
  }, 60_000);
});
