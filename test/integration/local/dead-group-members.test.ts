/**
 * A consumer killed with SIGKILL (as `stratus dev` is by a crash) stays a member of its group until its session
 * expires, and a new consumer's join waits for that. removeGroupMembers (lib/local/dead-group-members.ts) sends
 * the LeaveGroup the dead member never sent: the group is empty at once, its committed offset is kept, and the
 * next consumer joins without waiting out the session. On the real broker, with a real killed process.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { removeGroupMembers } from '../../../lib/local/dead-group-members.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import { testServices, uniqueName } from '../../support/services.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
const { kafka, brokers } = testServices();
const SESSION_MS = 30_000;

/** A consumer in a process of its own that commits offset 1 and says so, then idles until killed. */
function memberProcess(groupId: string, topic: string) {
  const script = `
    import { Kafka, logLevel } from 'kafkajs';
    const kafka = new Kafka({ clientId: 'doomed', brokers: ${JSON.stringify(brokers)}, logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: ${JSON.stringify(groupId)}, sessionTimeout: ${SESSION_MS}, heartbeatInterval: 1000 });
    await consumer.connect();
    await consumer.subscribe({ topic: ${JSON.stringify(topic)}, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => {
      await consumer.commitOffsets([{ topic: ${JSON.stringify(topic)}, partition: 0, offset: String(Number(message.offset) + 1) }]);
      console.log('committed');
    } });`;
  return spawn(process.execPath, ['--input-type=module', '-e', script], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

describe('members of a killed run', () => {
  it('are removed from the group at once, and the next consumer joins without waiting out their session', {
    timeout: 120_000,
  }, async () => {
    const client = kafka('dead-members-test');
    const topic = uniqueName('dead-members');
    const groupId = `${topic}.group`;
    const admin = client.admin();
    await admin.connect();
    try {
      await createTopicsReadable(admin, [{ topic, numPartitions: 1 }]);
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic, messages: [{ value: 'one' }] });
      await producer.disconnect();

      const doomed = memberProcess(groupId, topic);
      await new Promise<void>((resolve, reject) => {
        doomed.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('committed') && resolve());
        doomed.once('exit', (code) => reject(new Error(`the member exited (${code}) before committing`)));
      });
      doomed.kill('SIGKILL');
      await new Promise((resolve) => doomed.once('exit', resolve));
      const [before] = (await admin.describeGroups([groupId])).groups;
      expect(before!.members).toHaveLength(1);

      expect(await removeGroupMembers(client, [groupId, `${topic}.no-such-group`])).toEqual([
        { groupId, removed: 1 },
      ]);
      const [after] = (await admin.describeGroups([groupId])).groups;
      expect(after).toMatchObject({ state: 'Empty', members: [] });
      expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
        { topic, partitions: [{ partition: 0, offset: '1', metadata: null }] },
      ]);

      // The next member joins at once, not after the dead one's 30 s session.
      const next = client.consumer({ groupId, sessionTimeout: SESSION_MS, heartbeatInterval: 1000 });
      const started = Date.now();
      const joined = new Promise<void>((resolve) => next.on(next.events.GROUP_JOIN, () => resolve()));
      await next.connect();
      await next.subscribe({ topic });
      await next.run({ eachMessage: async () => {} });
      await joined;
      expect(Date.now() - started).toBeLessThan(SESSION_MS / 3);
      await next.disconnect();
      // Nothing left to remove: an empty group is not touched.
      expect(await removeGroupMembers(client, [groupId])).toEqual([]);
    } finally {
      await admin.disconnect();
    }
  });
});
