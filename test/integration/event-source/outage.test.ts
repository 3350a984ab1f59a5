/**
 * A failure while the local platform is down (the broker or a store restarting under the runtime) is the
 * platform's, not the function's: it does not use up `retries`, so a valid record is never dead-lettered
 * because of an outage. The outage is marked on the runtime's real Availability; the function fails while it
 * lasts, as a processor whose outputs cannot be produced does.
 */
import { describe, expect, it } from 'vitest';
import { Availability } from '../../../lib/local/supervisor.ts';
import {
  consumerSpec,
  fail,
  freshTopic,
  produce,
  RecordingFunction,
  readTopic,
  sleep,
  startMapping,
} from './harness.ts';

describe('event source during an outage of the local platform', () => {
  it('retries without counting attempts while a service is down, then delivers; a real failure still dead-letters', async () => {
    const topic = await freshTopic();
    const availability = new Availability(300);
    const fn = new RecordingFunction();
    // The first four invocations fail during an outage that begins as they run and ends 100 ms later (what a
    // broker restart under a processor looks like); with `retries: 1`, two counted failures would dead-letter.
    fn.behaviour = (event, call) => {
      if (call <= 4) {
        availability.markDown('Kafka');
        setTimeout(() => availability.markUp('Kafka'), 100);
        return fail('could not produce outputs: ECONNREFUSED');
      }
      return JSON.stringify(event).includes(Buffer.from('poison').toString('base64'))
        ? fail('bad record')
        : { ok: true };
    };
    await produce(topic.topic, ['ok-0', 'ok-1']);
    const spec = consumerSpec(topic, { batchSize: 10, retries: 1, onFailureTopic: topic.dlq });
    const mapping = await startMapping(spec, fn, { availability, retryBackoffMs: 10 });
    await mapping.drained();
    expect(fn.events.length).toBeGreaterThanOrEqual(5);
    expect(mapping.stats()).toMatchObject({ recordsDelivered: 2, recordsDeadLettered: 0 });

    // Once the platform is back and settled, a record that fails on its own is dead-lettered as usual.
    await sleep(500);
    await produce(topic.topic, ['poison']);
    await mapping.drained();
    expect(mapping.stats().recordsDeadLettered).toBe(1);
    expect(await readTopic(topic.dlq, 1)).toHaveLength(1);
    await mapping.stop();
  });
});
