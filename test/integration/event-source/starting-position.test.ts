import { describe, expect, it } from 'vitest';
import {
  consumerSpec,
  freshTopic,
  produce,
  RecordingFunction,
  sleep,
  startMapping,
  waitFor,
} from './harness.ts';

describe('starting position', () => {
  it('TRIM_HORIZON starts at the oldest record', async () => {
    const topic = await freshTopic();
    await produce(topic.topic, ['old-1', 'old-2']);
    const fn = new RecordingFunction();
    const mapping = await startMapping(consumerSpec(topic, { startingPosition: 'TRIM_HORIZON' }), fn);
    await mapping.drained();
    expect(fn.values()).toEqual(['old-1', 'old-2']);
  });

  it('LATEST skips what was there before the mapping and delivers what comes after', async () => {
    const topic = await freshTopic();
    await produce(topic.topic, ['before']);
    const fn = new RecordingFunction();
    const mapping = await startMapping(consumerSpec(topic, { startingPosition: 'LATEST' }), fn);
    await produce(topic.topic, ['after']);
    await mapping.drained();
    await waitFor(() => fn.values().length >= 1);
    expect(fn.values()).toEqual(['after']);
  });

  it('AT_TIMESTAMP starts at the first record at or after the timestamp', async () => {
    const topic = await freshTopic();
    const t = Date.now() - 60_000;
    await produce(topic.topic, [
      { value: 'too-early', timestamp: t - 10_000 },
      { value: 'at', timestamp: t },
      { value: 'later', timestamp: t + 10_000 },
    ]);
    const fn = new RecordingFunction();
    const mapping = await startMapping(
      consumerSpec(topic, { startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: t }),
      fn,
    );
    await mapping.drained();
    expect(fn.values()).toEqual(['at', 'later']);
  });

  it('is ignored once the group has committed offsets', async () => {
    const topic = await freshTopic();
    await produce(topic.topic, ['first']);
    const spec = consumerSpec(topic, { startingPosition: 'TRIM_HORIZON' });
    const fn = new RecordingFunction();
    const first = await startMapping(spec, fn);
    await first.drained();
    await first.stop();
    await produce(topic.topic, ['while-stopped']);
    // Same group, now LATEST: the committed offset wins, so the record produced while stopped still arrives.
    const second = await startMapping({ ...spec, startingPosition: 'LATEST' }, fn);
    await second.drained();
    await sleep(200);
    expect(fn.values()).toEqual(['first', 'while-stopped']);
  });

  it('refuses to start on a topic that does not exist', async () => {
    const topic = await freshTopic();
    const spec = consumerSpec({ tenant: topic.tenant, topic: `${topic.tenant}.missing` });
    await expect(startMapping(spec, new RecordingFunction())).rejects.toThrow();
  });
});
