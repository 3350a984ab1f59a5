import { describe, expect, it } from 'vitest';
import { type DlqEnvelope, parseDlqEnvelope } from '../../../lib/core/dlq-envelope.ts';
import { eventRecords } from '../../../lib/core/msk-event.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import {
  admin,
  committedOffset,
  consumerSpec,
  decodeValue,
  fail,
  freshTopic,
  produce,
  RecordingFunction,
  readTopic,
  sleep,
  startMapping,
  waitFor,
} from './harness.ts';

async function deadLetters(topic: string, count: number): Promise<DlqEnvelope[]> {
  return (await readTopic(topic, count)).map((message) => {
    const parsed = parseDlqEnvelope(message.value);
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.envelope;
  });
}

const failOn = (poison: string) => (event: Parameters<RecordingFunction['invoke']>[0]) =>
  eventRecords(event).some((record) => decodeValue(record) === poison)
    ? fail(`cannot handle ${poison}`)
    : { ok: true as const };

describe('error handling', () => {
  it('retries a failing batch `retries` times, then writes it to the DLQ and moves on', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    fn.behaviour = failOn('poison');
    await produce(topic.topic, ['ok-0', { value: 'poison', key: 'k', headers: { trace: 't-1' } }, 'ok-2']);
    const spec = consumerSpec(topic, { batchSize: 1, retries: 2, onFailureTopic: topic.dlq });
    const mapping = await startMapping(spec, fn);
    await mapping.drained();
    expect(fn.values()).toEqual(['ok-0', 'poison', 'poison', 'poison', 'ok-2']);
    const [envelope] = await deadLetters(topic.dlq, 1);
    expect(envelope).toMatchObject({
      tenant: topic.tenant,
      consumer: spec.key,
      reason: 'RETRIES_EXHAUSTED',
      error: { class: 'Error', message: 'cannot handle poison' },
      source: { topic: topic.topic, partition: 0, offset: 1 },
      record: {
        key: Buffer.from('k').toString('base64'),
        value: Buffer.from('poison').toString('base64'),
        headers: { trace: 't-1' },
      },
      attempts: 3,
    });
    expect(await committedOffset(spec.groupId, topic.topic)).toBe(3);
    expect(mapping.stats()).toMatchObject({ recordsDeadLettered: 1, failedInvocations: 3 });
  });

  it('caps infinite retries at 10 when there is an on-failure destination', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    fn.behaviour = () => fail();
    await produce(topic.topic, ['always-fails']);
    const mapping = await startMapping(
      consumerSpec(topic, { batchSize: 1, retries: -1, onFailureTopic: topic.dlq }),
      fn,
      {
        retryBackoffMs: 1,
      },
    );
    await mapping.drained();
    expect(fn.events).toHaveLength(11);
    expect((await deadLetters(topic.dlq, 1))[0]!.attempts).toBe(11);
  });

  it('without a destination, discards the records after the retries (as Lambda does) and commits past them', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    fn.behaviour = failOn('poison');
    await produce(topic.topic, ['poison', 'ok']);
    const spec = consumerSpec(topic, { batchSize: 1, retries: 1 });
    const mapping = await startMapping(spec, fn);
    await mapping.drained();
    expect(fn.values()).toEqual(['poison', 'poison', 'ok']);
    expect(mapping.stats().recordsDiscarded).toBe(1);
  });

  it('bisects a failing batch until the bad record is alone; splitting spends no retry', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    fn.behaviour = failOn('poison');
    await produce(topic.topic, ['a', 'b', 'poison', 'd']);
    const mapping = await startMapping(
      consumerSpec(topic, { batchSize: 4, retries: 0, bisectOnError: true, onFailureTopic: topic.dlq }),
      fn,
    );
    await mapping.drained();
    expect(fn.batches()).toEqual([[0, 1, 2, 3], [0, 1], [2, 3], [2], [3]]);
    const [envelope] = await deadLetters(topic.dlq, 1);
    expect(envelope).toMatchObject({ reason: 'RETRIES_EXHAUSTED', source: { offset: 2 }, attempts: 3 });
  });

  it('partial batch response: re-delivers only the lowest failed record and those after it', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    fn.behaviour = (_event, call) =>
      call === 1
        ? {
            ok: true,
            response: {
              batchItemFailures: [
                { itemIdentifier: { partition: `${topic.topic}-0`, offset: 4 } },
                { itemIdentifier: { partition: `${topic.topic}-0`, offset: 2 } },
              ],
            },
          }
        : { ok: true, response: { batchItemFailures: [] } };
    await produce(topic.topic, ['r0', 'r1', 'r2', 'r3', 'r4']);
    const spec = consumerSpec(topic, { batchSize: 5 });
    const mapping = await startMapping(spec, fn);
    await mapping.drained();
    expect(fn.batches()).toEqual([
      [0, 1, 2, 3, 4],
      [2, 3, 4],
    ]);
    expect(mapping.stats().invocations).toBe(2);
  });

  it('an invalid partial response (unknown offset) fails the whole batch', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    fn.behaviour = (_event, call) =>
      call === 1
        ? {
            ok: true,
            response: {
              batchItemFailures: [{ itemIdentifier: { partition: `${topic.topic}-0`, offset: 99 } }],
            },
          }
        : { ok: true };
    await produce(topic.topic, ['r0', 'r1', 'r2']);
    const mapping = await startMapping(consumerSpec(topic, { batchSize: 3 }), fn);
    await mapping.drained();
    expect(fn.batches()).toEqual([
      [0, 1, 2],
      [0, 1, 2],
    ]);
  });

  it('never sends records older than maxRecordAge: they go to the DLQ as RECORD_EXPIRED', async () => {
    const topic = await freshTopic();
    const fn = new RecordingFunction();
    await produce(topic.topic, [{ value: 'stale', timestamp: Date.now() - 10 * 60_000 }, 'fresh']);
    const mapping = await startMapping(
      consumerSpec(topic, { maxRecordAgeMs: 60_000, onFailureTopic: topic.dlq }),
      fn,
    );
    await mapping.drained();
    expect(fn.values()).toEqual(['fresh']);
    const [envelope] = await deadLetters(topic.dlq, 1);
    expect(envelope).toMatchObject({ reason: 'RECORD_EXPIRED', source: { offset: 0 }, attempts: 0 });
  });

  it('does not commit a record whose DLQ write fails, and retries the write until it succeeds', async () => {
    const topic = await freshTopic();
    const missingDlq = `${topic.tenant}.dlq-later`;
    const fn = new RecordingFunction();
    fn.behaviour = () => fail();
    await produce(topic.topic, ['doomed']);
    const spec = consumerSpec(topic, { batchSize: 1, retries: 0, onFailureTopic: missingDlq });
    const errors: unknown[] = [];
    const mapping = await startMapping(spec, fn, {
      observer: { onError: ({ error }) => errors.push(error) },
    });
    await waitFor(() => errors.length >= 1, 20_000, 'a failed DLQ write');
    await sleep(300);
    expect(await committedOffset(spec.groupId, topic.topic)).toBe(0);
    await createTopicsReadable(await admin(), [{ topic: missingDlq, numPartitions: 1 }]);
    await mapping.drained();
    expect((await deadLetters(missingDlq, 1))[0]!.reason).toBe('RETRIES_EXHAUSTED');
  });
});
