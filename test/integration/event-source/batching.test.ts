import { describe, expect, it } from 'vitest';
import { parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { recordPayloadBytes } from '../../../lib/local/event-source/record.ts';
import {
  consumerSpec,
  freshTopic,
  produce,
  RecordingFunction,
  readTopic,
  sleep,
  startMapping,
  waitFor,
} from './harness.ts';

describe('batching', () => {
  it('sends a batch as soon as batchSize records are there, without waiting for the window', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    await produce(
      topic.topic,
      Array.from({ length: 12 }, (_, i) => `r${i}`),
    );
    // A 60 s window: if the size rule were broken, nothing would arrive within the test timeout.
    const mapping = await startMapping(consumerSpec(topic, { batchSize: 4, batchWindowMs: 60_000 }), fn);
    await waitFor(() => fn.values().length >= 12, 20_000, 'three full batches');
    expect(fn.batches()).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    await mapping.drained();
  });

  it('gathers records produced one by one within the batching window into one invocation', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    const mapping = await startMapping(consumerSpec(topic, { batchSize: 100, batchWindowMs: 2_500 }), fn);
    for (let i = 0; i < 5; i++) {
      await produce(topic.topic, [`w${i}`]);
      await sleep(50);
    }
    await waitFor(() => fn.events.length >= 1, 20_000, 'the window to expire');
    await mapping.drained();
    expect(fn.batches()).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('holds a lone record back until the window expires', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    await startMapping(consumerSpec(topic, { batchSize: 100, batchWindowMs: 3_000 }), fn);
    const producedAt = Date.now();
    await produce(topic.topic, ['alone']);
    await sleep(1_000);
    expect(fn.events).toHaveLength(0);
    await waitFor(() => fn.events.length === 1, 20_000, 'the window to expire');
    expect(Date.now() - producedAt).toBeGreaterThanOrEqual(2_000);
  });

  it('cuts batches at the payload cap and dead-letters a record too large on its own (PAYLOAD_TOO_LARGE)', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    const small = 'x'.repeat(1_000);
    const oneRecord = recordPayloadBytes({
      topic: topic.topic,
      partition: 0,
      offset: 10,
      timestamp: Date.now(),
      timestampType: 'CREATE_TIME',
      value: Buffer.from(small).toString('base64'),
      headers: [],
    });
    // Room for two small records per event, never for the big one.
    const maxPayloadBytes = 600 + 2 * oneRecord + 50;
    await produce(topic.topic, [small, small, small, 'y'.repeat(5_000), small]);
    const mapping = await startMapping(
      consumerSpec(topic, { batchSize: 100, batchWindowMs: 200, onFailureTopic: topic.dlq }),
      fn,
      { maxPayloadBytes },
    );
    await mapping.drained();
    expect(fn.batches()).toEqual([[0, 1], [2], [4]]);
    const [dead] = await readTopic(topic.dlq, 1);
    const parsed = parseDlqEnvelope(dead!.value);
    expect(parsed.ok && parsed.envelope.reason).toBe('PAYLOAD_TOO_LARGE');
    expect(parsed.ok && parsed.envelope.source.offset).toBe(3);
  });
});
