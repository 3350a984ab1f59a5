import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../lib/cli/main.ts';
import { testServices } from '../../support/services.ts';
import { createOpsProject, type OpsProject } from './project.ts';
import { consumeUntilCaughtUp } from './stand-in-consumer.ts';

const RECORDS = 1000;
const { kafka, brokers } = testServices();
const client = kafka('replay-test');
const base = Date.now() - 2 * 60 * 60 * 1000;
/** Record i carries the timestamp base + i seconds, so "from the middle" is record 500. */
const timeOf = (i: number) => new Date(base + i * 1000);

async function cli(project: OpsProject, args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await main([...args, ...project.cliFlags], { stdout, stderr, cwd: project.rootDir });
  return { code, out, err };
}

async function committedOffsets(groupId: string, topic: string) {
  const admin = client.admin();
  await admin.connect();
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return offsets?.partitions
    .map(({ partition, offset }) => ({ partition, offset }))
    .sort((a, b) => a.partition - b.partition);
}

describe('stratus replay (local)', () => {
  let project: OpsProject;
  let topic: string;
  let groupId: string;

  beforeAll(async () => {
    project = await createOpsProject(client, brokers);
    const consumer = project.tenant.consumers[0]!;
    topic = consumer.topic;
    groupId = consumer.groupId;
    const producer = client.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: RECORDS }, (_, i) => ({
        key: `order-${i}`,
        value: JSON.stringify({ id: i }),
        timestamp: String(timeOf(i).getTime()),
      })),
    });
    await producer.disconnect();
    const first = await consumeUntilCaughtUp(client, { groupId, topic });
    expect(first).toHaveLength(RECORDS);
  });

  it('bad input changes nothing: unknown tenant or consumer, malformed or future time', async () => {
    const before = await committedOffsets(groupId, topic);
    const t = project.tenant.name;
    const from = timeOf(500).toISOString();

    const unknownTenant = await cli(project, [
      'replay',
      '--tenant',
      'nope',
      '--consumer',
      'enrich',
      '--from',
      from,
      '--yes',
    ]);
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.err).toContain(`unknown tenant "nope"`);
    expect(unknownTenant.err).toContain(t);

    const unknownConsumer = await cli(project, [
      'replay',
      '--tenant',
      t,
      '--consumer',
      'enrch',
      '--from',
      from,
      '--yes',
    ]);
    expect(unknownConsumer.code).toBe(1);
    expect(unknownConsumer.err).toContain('did you mean "enrich"');

    const malformed = await cli(project, [
      'replay',
      '--tenant',
      t,
      '--consumer',
      'enrich',
      '--from',
      'yesterday',
      '--yes',
    ]);
    expect(malformed.code).toBe(2);
    expect(malformed.err).toContain('not an ISO 8601 time');

    const future = new Date(Date.now() + 3_600_000).toISOString();
    const inFuture = await cli(project, [
      'replay',
      '--tenant',
      t,
      '--consumer',
      'enrich',
      '--from',
      future,
      '--yes',
    ]);
    expect(inFuture.code).toBe(2);
    expect(inFuture.err).toContain('is in the future');

    const noTerminal = await cli(project, ['replay', '--tenant', t, '--consumer', 'enrich', '--from', from]);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.err).toContain('stdin is not a terminal');

    const dryRun = await cli(project, [
      'replay',
      '--tenant',
      t,
      '--consumer',
      'enrich',
      '--from',
      from,
      '--dry-run',
    ]);
    expect(dryRun.code).toBe(0);
    expect(dryRun.out).toContain(`${RECORDS / 2} records will be processed again`);
    expect(dryRun.out).toContain('Dry run: nothing was changed.');

    expect(await committedOffsets(groupId, topic)).toEqual(before);
  });

  it('refuses while the group has an active member, and changes nothing', async () => {
    const before = await committedOffsets(groupId, topic);
    const member = client.consumer({ groupId });
    await member.connect();
    await member.subscribe({ topic, fromBeginning: true });
    let joined!: () => void;
    const hasJoined = new Promise<void>((resolve) => (joined = resolve));
    member.on(member.events.GROUP_JOIN, () => joined());
    await member.run({ eachMessage: async () => {} });
    await hasJoined;
    try {
      const result = await cli(project, [
        'replay',
        '--tenant',
        project.tenant.name,
        '--consumer',
        'enrich',
        '--from',
        timeOf(500).toISOString(),
        '--yes',
      ]);
      expect(result.code).toBe(1);
      expect(result.err).toContain(`consumer ${groupId} still has active members`);
    } finally {
      await member.disconnect();
    }
    expect(await committedOffsets(groupId, topic)).toEqual(before);
  });

  it('replaying from the middle re-delivers exactly the later records', async () => {
    const result = await cli(project, [
      'replay',
      '--tenant',
      project.tenant.name,
      '--consumer',
      'enrich',
      '--from',
      timeOf(500).toISOString(),
      '--yes',
    ]);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    expect(result.out).toContain('partition  committed  target  records');
    expect(result.out).toContain(`Reset ${groupId} on ${topic}`);

    const again = await consumeUntilCaughtUp(client, { groupId, topic });
    const ids = again.map((record) => (JSON.parse(record.value) as { id: number }).id).sort((a, b) => a - b);
    expect(ids).toEqual(Array.from({ length: RECORDS / 2 }, (_, i) => 500 + i));
  });
});
