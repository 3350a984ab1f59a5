import { afterAll, describe, expect, it } from 'vitest';
import { eventRecords } from '../../../lib/core/msk-event.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import {
  admin,
  consumerSpec,
  decodeValue,
  freshTopic,
  produce,
  RecordingFunction,
  services,
  startMapping,
  waitFor,
} from './harness.ts';

const producer = services().kafka('es-chain').producer();
afterAll(() => producer.disconnect());

describe('chains', () => {
  it("a processor's output topic feeds the next consumer's mapping", async () => {
    const source = await freshTopic();
    const output = `${source.tenant}.enriched`;
    await createTopicsReadable(await admin(), [{ topic: output, numPartitions: 1 }]);
    await producer.connect();
    const processor = await startMapping(consumerSpec(source), {
      invoke: async (event) => {
        await producer.send({
          topic: output,
          acks: -1,
          messages: eventRecords(event).map((record) => ({ value: decodeValue(record).toUpperCase() })),
        });
        return { ok: true };
      },
    });
    const downstream = new RecordingFunction();
    const consumer = await startMapping(consumerSpec({ tenant: source.tenant, topic: output }), downstream);
    await produce(source.topic, ['a', 'b', 'c']);
    await processor.drained();
    await waitFor(() => downstream.values().length >= 3, 20_000, 'the downstream consumer');
    await consumer.drained();
    expect(downstream.values()).toEqual(['A', 'B', 'C']);
  });
});
