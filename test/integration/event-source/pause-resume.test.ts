import { describe, expect, it } from 'vitest';
import { describeGroup } from '../../../lib/ops/shared/group.ts';
import { admin, consumerSpec, freshTopic, produce, RecordingFunction, startMapping } from './harness.ts';

describe('pause and resume', () => {
  it('leaves the group empty while paused (so offsets can be reset) and continues from the group offsets', async () => {
    const topic = await freshTopic();
    await produce(topic.topic, ['a', 'b']);
    const spec = consumerSpec(topic);
    const fn = new RecordingFunction();
    const mapping = await startMapping(spec, fn);
    await mapping.drained();
    await mapping.pause();
    expect(mapping.stats().state).toBe('paused');
    const group = await describeGroup(await admin(), spec.groupId);
    expect(group.members).toEqual([]);
    // A replay: Kafka accepts an offset reset only for a group without members.
    await (await admin()).resetOffsets({ groupId: spec.groupId, topic: spec.topic, earliest: true });
    await produce(topic.topic, ['c']);
    await mapping.resume();
    await mapping.drained();
    expect(fn.values()).toEqual(['a', 'b', 'a', 'b', 'c']);
  });
});
