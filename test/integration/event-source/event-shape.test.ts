import { describe, expect, it } from 'vitest';
import { localClusterArn } from '../../../lib/core/naming.ts';
import {
  consumerSpec,
  freshTopic,
  produce,
  RecordingFunction,
  services,
  startMapping,
  waitFor,
} from './harness.ts';

describe('the MSK event', () => {
  it('is shaped as Lambda sends it: source, ARN, brokers, topic-partition groups, base64, header bytes', async () => {
    const topic = await freshTopic(2);
    const fn = new RecordingFunction();
    await produce(topic.topic, [
      { value: '{"a":1}', key: 'k1', partition: 1, headers: { trace: 'abc', multi: ['x', 'y'] } },
      { value: null, key: 'k2', partition: 1 },
      { value: 'plain', key: null, partition: 1 },
    ]);
    const mapping = await startMapping(consumerSpec(topic), fn);
    await waitFor(() => fn.values().length >= 3, 20_000, 'three records');
    const event = fn.events[0]!;
    expect(event.eventSource).toBe('aws:kafka');
    expect(event.eventSourceArn).toBe(localClusterArn());
    expect(event.bootstrapServers).toBe(services().brokers.join(','));
    expect(Object.keys(event.records)).toEqual([`${topic.topic}-1`]);
    const [json, tombstone, noKey] = event.records[`${topic.topic}-1`]!;
    expect(json).toMatchObject({
      topic: topic.topic,
      partition: 1,
      offset: 0,
      timestampType: 'CREATE_TIME',
      key: Buffer.from('k1').toString('base64'),
      value: Buffer.from('{"a":1}').toString('base64'),
      headers: [
        { trace: [...Buffer.from('abc')] },
        { multi: [...Buffer.from('x')] },
        { multi: [...Buffer.from('y')] },
      ],
    });
    expect(typeof json!.timestamp).toBe('number');
    expect(tombstone!.value).toBeNull();
    expect(noKey).not.toHaveProperty('key');
    await mapping.drained();
  });
});
