import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../lib/cli/main.ts';
import { createTopicsReadable } from '../../../lib/local/topics.ts';
import { testServices, uniqueName } from '../../support/services.ts';

function capture() {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { stream, text: () => text };
}

/** `stratus lag` on a throwaway project whose one consumer has a known backlog on the shared broker. */
describe('stratus lag', () => {
  const tenant = uniqueName('lagcli');
  const topic = `${tenant}.orders`;
  const groupId = `${tenant}.enrich`;
  const root = mkdtempSync(path.join(os.tmpdir(), 'stratus-lag-cli-'));
  const base = Date.now() - 90_000;
  let admin: Admin;
  const savedBrokers = process.env.KAFKA_BROKERS;

  beforeAll(async () => {
    const files: Record<string, string> = {
      'functions/enrich.ts': 'export const handler = async () => ({ batchItemFailures: [] });\n',
      [`tenants/${tenant}.yaml`]: [
        `tenant: ${tenant}`,
        'owners: [team@example.com]',
        'costCenter: cc-1',
        'topics:',
        '  orders: { partitions: 2 }',
        'consumers:',
        '  enrich:',
        '    topic: orders',
        '    handler: functions/enrich.ts',
        '',
      ].join('\n'),
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), text);
    }
    process.env.KAFKA_BROKERS = testServices().brokers.join(',');
    const kafka = testServices().kafka('lag-cli-test');
    admin = kafka.admin();
    await admin.connect();
    await createTopicsReadable(admin, [{ topic, numPartitions: 2 }]);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({
      topic,
      messages: Array.from({ length: 8 }, (_, i) => ({
        partition: i % 2,
        value: `r${i}`,
        timestamp: String(base + i * 1000),
      })),
    });
    await producer.disconnect();
    // The group has read the first record of partition 0 (offset 0) and nothing of partition 1.
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] });
  });

  afterAll(async () => {
    if (savedBrokers === undefined) delete process.env.KAFKA_BROKERS;
    else process.env.KAFKA_BROKERS = savedBrokers;
    await admin.deleteGroups([groupId]).catch(() => {});
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
    rmSync(root, { recursive: true, force: true });
  });

  async function run(...argv: string[]) {
    const [stdout, stderr] = [capture(), capture()];
    const code = await main(argv, { cwd: root, stdout: stdout.stream, stderr: stderr.stream });
    return { code, stdout: stdout.text(), stderr: stderr.text() };
  }

  it('prints offset lag, time lag, rates and the drain estimate as JSON', async () => {
    const { code, stdout } = await run('lag', '--tenant', tenant, '--json', '--interval', '0.2');
    expect(code).toBe(0);
    const [group] = JSON.parse(stdout).groups;
    expect(group).toMatchObject({
      groupId,
      topic,
      offsetLag: 7,
      maxOffsetLag: 4,
      consumeRate: 0,
      produceRate: 0,
    });
    // Stopped and behind: no finite estimate.
    expect(group.etaSeconds).toBeNull();
    expect(
      group.partitions.map((p: { committed: number | null; offsetLag: number }) => [
        p.committed,
        p.offsetLag,
      ]),
    ).toEqual([
      [1, 3],
      [null, 4],
    ]);
    // Partition 1 never committed (TRIM_HORIZON: from its first record, stamped base + 1 s); partition 0's
    // next record is the third one (base + 2 s). The group's time lag is the older: now − (base + 1 s).
    const expected = (Date.parse(group.sampledAt) - (base + 1000)) / 1000;
    expect(Math.abs(group.timeLagSeconds - expected)).toBeLessThan(1);
    expect(group.partitions[0].nextRecordTimestamp).toBe(new Date(base + 2000).toISOString());
  });

  it('prints a table a person can read', async () => {
    const { code, stdout } = await run('lag', '--interval', '0.1', '--partitions');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^GROUP\s+TOPIC\s+PARTITIONS\s+OFFSET LAG\s+TIME LAG\s+RATE\/S\s+PRODUCED\/S\s+ETA\s+STATE$/,
    );
    const row = lines.find((line) => line.startsWith(groupId))!;
    const cells = row.split(/\s{2,}/);
    expect(cells).toEqual([
      groupId,
      topic,
      '2',
      '7',
      expect.any(String),
      '0',
      '0',
      'not draining',
      'Empty (0 members)',
    ]);
    // The oldest unread record was stamped 89 s before the test started: at least that old now.
    const [, minutes, seconds] = /^(\d+)m(\d\d)s$/.exec(cells[4]!)!;
    expect(Number(minutes) * 60 + Number(seconds)).toBeGreaterThanOrEqual(89);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}partition 1\s+0\/4\s+4\s+\d+m\d\ds\s+no commit yet$/),
    );
  });

  it('names the valid tenants for an unknown one (exit 1) and rejects bad flags (exit 2)', async () => {
    const unknown = await run('lag', '--tenant', 'nosuch');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown tenant "nosuch"');
    expect(unknown.stderr).toContain(`(tenants: ${tenant})`);
    expect((await run('lag', '--interval', 'soon')).code).toBe(2);
    expect((await run('lag', '--kafka-auth', 'kerberos')).code).toBe(2);
  });

  it('says which broker it cannot reach', async () => {
    const { code, stderr } = await run('lag', '--brokers', '127.0.0.1:1', '--interval', '0.1');
    expect(code).toBe(1);
    expect(stderr).toContain('cannot read consumer lag from Kafka at 127.0.0.1:1');
  });
});
