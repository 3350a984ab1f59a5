/** `stratus produce` against the shared broker: JSONL files and generated events, and its error messages. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../../../lib/local/process-utils.ts';
import { provisionTopics, tenantTopics } from '../../../lib/local/topics.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import { type RangeRecord, readRanges } from '../../../lib/ops/shared/read-range.ts';
import { runCli } from '../../support/cli.ts';
import { testServices } from '../../support/services.ts';
import { type ExampleProject, exampleProject } from './project.ts';

describe('stratus produce', () => {
  const { brokers, kafka } = testServices();
  let project: ExampleProject;
  let tenant: string;
  const flags = () => ['--brokers', brokers.join(',')];

  beforeAll(async () => {
    project = await exampleProject(['payments']);
    tenant = project.tenants.payments!;
    const admin = kafka().admin();
    await admin.connect();
    const topics = tenantTopics(loadStratusOrThrow({ rootDir: project.rootDir }).tenants);
    await provisionTopics(admin, topics);
    // Leadership of new partitions reaches every metadata cache a moment after creation.
    for (const topic of topics) {
      await waitFor(`leaders of ${topic.name}`, () => admin.fetchTopicOffsets(topic.name).then(() => true), {
        timeoutMs: 30_000,
      });
    }
    await admin.disconnect();
  });
  afterAll(() => project.remove());

  const readAll = async (topic: string): Promise<RangeRecord[]> => {
    const admin = kafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    const records: RangeRecord[] = [];
    await readRanges({
      kafka: kafka(),
      topic,
      ranges: offsets.map((o) => ({ partition: o.partition, from: o.low, to: o.high })),
      groupPrefix: `${tenant}.`,
      onBatch: (batch) => void records.push(...batch),
    });
    return records;
  };

  it('publishes each line of a JSONL file as is, keyed by --key', async () => {
    const file = path.join(project.rootDir, 'orders.jsonl');
    writeFileSync(file, '{"orderId":"ord-1","n":1}\n\n{"orderId":"ord-2","n":2}\nnot json at all\n');
    const result = await runCli(
      [
        'produce',
        '--tenant',
        tenant,
        '--topic',
        'orders-enriched',
        '--file',
        'orders.jsonl',
        '--key',
        'orderId',
        ...flags(),
      ],
      project.rootDir,
    );
    expect(result.stderr).toMatch(/not JSON, so it has no field "orderId"/);
    expect(result.code).toBe(1);
    // Nothing was sent: the file is checked before the first record is produced.
    expect(await readAll(`${tenant}.orders-enriched`)).toEqual([]);

    writeFileSync(file, '{"orderId":"ord-1","n":1}\n\n{"orderId":"ord-2","n":2}\n');
    const ok = await runCli(
      [
        'produce',
        '--tenant',
        tenant,
        '--topic',
        'orders-enriched',
        '--file',
        'orders.jsonl',
        '--key',
        'orderId',
        ...flags(),
      ],
      project.rootDir,
    );
    expect(ok.stdout).toMatch(
      new RegExp(`produced 2 records from orders.jsonl to ${tenant}.orders-enriched`),
    );
    expect(ok.code).toBe(0);
    const records = await readAll(`${tenant}.orders-enriched`);
    expect(records.map((r) => [r.key?.toString(), r.value?.toString()]).sort()).toEqual([
      ['ord-1', '{"orderId":"ord-1","n":1}'],
      ['ord-2', '{"orderId":"ord-2","n":2}'],
    ]);
  });

  it('generates valid demo events for a known topic, by key or full name, at a rate', async () => {
    const result = await runCli(
      [
        'produce',
        '--tenant',
        tenant,
        '--topic',
        `${tenant}.orders`,
        '--count',
        '25',
        '--rate',
        '500',
        ...flags(),
      ],
      project.rootDir,
    );
    expect(result.stdout).toMatch(/produced 25 payments orders/);
    const records = await readAll(`${tenant}.orders`);
    expect(records).toHaveLength(25);
    for (const record of records) {
      const value = JSON.parse(record.value!.toString()) as { orderId: string };
      expect(record.key?.toString()).toBe(value.orderId);
      expect(record.headers['stratus-demo-kind']).toBe('valid');
    }
  });

  it('names the valid tenants and topics, and refuses bad flag combinations with exit 2', async () => {
    const unknownTenant = await runCli(
      ['produce', '--tenant', 'nobody', '--topic', 'orders', ...flags()],
      project.rootDir,
    );
    expect(unknownTenant.code).toBe(1);
    expect(unknownTenant.stderr).toContain(`unknown tenant "nobody"; valid: ${tenant}`);

    const unknownTopic = await runCli(
      ['produce', '--tenant', tenant, '--topic', 'refunds', ...flags()],
      project.rootDir,
    );
    expect(unknownTopic.code).toBe(1);
    expect(unknownTopic.stderr).toContain('valid: orders, orders-enriched, dlq');

    const both = await runCli(
      ['produce', '--tenant', tenant, '--topic', 'orders', '--file', 'x', '--count', '2'],
      project.rootDir,
    );
    expect(both.code).toBe(2);
    const badRate = await runCli(
      ['produce', '--tenant', tenant, '--topic', 'orders', '--rate', '0'],
      project.rootDir,
    );
    expect(badRate.code).toBe(2);
    for (const r of [unknownTenant, unknownTopic, both, badRate]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
