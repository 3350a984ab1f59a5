/**
 * `stratus replay --to` and `--into <sandbox>`: the handler runs in a FunctionHost (worker threads, the
 * environment `stratus dev` gives it), fed by the event-source emulator in a temporary group; the live group
 * and, for a sandbox, the live outputs are untouched. The sandbox sink's table is read back by pyiceberg.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { sandboxTableName, sandboxTopicName } from '../../../lib/core/naming.ts';
import { createLakehouse } from '../../../lib/local/sink/lakehouse.ts';
import { readTable } from '../../../lib/local/sink/table-reader.ts';
import { describeGroup } from '../../../lib/ops/shared/group.ts';
import { testServices } from '../../support/services.ts';
import { runCli } from './cli.ts';
import { createOpsProject, type OpsProject, recordsIn } from './project.ts';
import { consumeUntilCaughtUp } from './stand-in-consumer.ts';

const RECORDS = 300;
const base = Date.now() - 60 * 60 * 1000;
const timeOf = (i: number) => new Date(base + i * 1000);
const SDK = path.resolve(import.meta.dirname, '../../../functions/sdk/index.ts');
const OUT_SCHEMA = {
  type: 'object',
  required: ['id', 'amount'],
  properties: { id: { type: 'integer' }, amount: { type: 'number' } },
};

const { kafka, brokers, aws, awsEndpoint } = testServices();
const client = kafka('replay-bounded');

async function offsetsOf(groupId: string, topic: string) {
  const admin = client.admin();
  await admin.connect();
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  await admin.disconnect();
  return offsets?.partitions.map((p) => `${p.partition}:${p.offset}`).sort();
}

describe('stratus replay --to / --into (local)', () => {
  let project: OpsProject;
  let log: string;
  const handledIds = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map(Number)
      .sort((a, b) => a - b);
  const replay = (args: string[]) =>
    runCli(project, ['replay', '--tenant', project.tenant.name, '--consumer', 'enrich', '--yes', ...args]);

  beforeAll(async () => {
    vi.stubEnv('AWS_ENDPOINT_URL', awsEndpoint);
    project = await createOpsProject(client, brokers, {
      extraTopics: ['out: { partitions: 2, retention: 1d, schema: schemas/out.schema.json }'],
      consumerExtra: ['output: out'],
      extraYaml:
        'sinks:\n  lake:\n    topic: out\n    format: iceberg\n    buffer: { size: 1MiB, interval: 15m }\n',
      files: { 'schemas/out.schema.json': JSON.stringify(OUT_SCHEMA) },
    });
    log = path.join(project.rootDir, 'handled.log');
    writeFileSync(log, '');
    // The consumer's handler: an SDK processor that notes every id it is called with.
    writeFileSync(
      path.join(project.rootDir, 'functions/enrich.ts'),
      `import { appendFileSync } from 'node:fs';
import { defineProcessor } from ${JSON.stringify(SDK)};
export const handler = defineProcessor<{ id: number }, { id: number; amount: number }>({
  handler: (record) => {
    appendFileSync(${JSON.stringify(log)}, \`\${record.value.id}\\n\`);
    return { id: record.value.id, amount: record.value.id * 1.5 };
  },
});
`,
    );
    const consumer = project.tenant.consumers[0]!;
    const producer = client.producer({ idempotent: true });
    await producer.connect();
    await producer.send({
      topic: consumer.topic,
      messages: Array.from({ length: RECORDS }, (_, i) => ({
        key: `k-${i}`,
        value: JSON.stringify({ id: i }),
        timestamp: String(timeOf(i).getTime()),
      })),
    });
    await producer.disconnect();
    // The live group has processed everything.
    await consumeUntilCaughtUp(client, { groupId: consumer.groupId, topic: consumer.topic });
  });

  it('--to replays exactly [from, to) through a temporary group and leaves the live group alone', async () => {
    const consumer = project.tenant.consumers[0]!;
    const before = await offsetsOf(consumer.groupId, consumer.topic);
    const result = await replay(['--from', timeOf(100).toISOString(), '--to', timeOf(150).toISOString()]);
    expect(result.err).toBe('');
    expect(result.code, result.out).toBe(0);
    expect(result.out).toContain('partition  committed  target  end  records');
    expect(result.out).toContain('50 records will be processed again.');
    expect(result.out).toMatch(
      new RegExp(
        `Replayed 50 records through temporary group ${consumer.groupId}\\.replay-\\w+ .*; ${consumer.groupId} was not changed\\.`,
      ),
    );
    expect(handledIds()).toEqual(Array.from({ length: 50 }, (_, i) => 100 + i));
    expect(await recordsIn(client, consumer.output!)).toBe(50);
    expect(await offsetsOf(consumer.groupId, consumer.topic)).toEqual(before);
    const temporary = /temporary group (\S+) /.exec(result.out)?.[1] ?? '';
    const admin = client.admin();
    await admin.connect();
    expect((await describeGroup(admin, temporary)).state).toBe('Dead');
    await admin.disconnect();
  });

  it('--into replays the window into a sandbox topic and table; live outputs and offsets stay as they were', async () => {
    const consumer = project.tenant.consumers[0]!;
    const before = await offsetsOf(consumer.groupId, consumer.topic);
    writeFileSync(log, '');
    const result = await replay(['--from', timeOf(260).toISOString(), '--into', 'try-1']);
    expect(result.err).toBe('');
    expect(result.code).toBe(0);
    const sandboxTopic = sandboxTopicName(project.tenant.name, 'out', 'try-1');
    const sink = project.tenant.sinks[0]!;
    expect(result.out).toContain(`Sandbox outputs: ${sandboxTopic}`);
    expect(result.out).toContain(`Sandbox sink: ${sink.database}.${sandboxTableName(sink.table, 'try-1')}`);
    expect(handledIds()).toEqual(Array.from({ length: 40 }, (_, i) => 260 + i));
    expect(await recordsIn(client, sandboxTopic)).toBe(40);
    expect(await recordsIn(client, consumer.output!)).toBe(50);
    expect(await offsetsOf(consumer.groupId, consumer.topic)).toEqual(before);
    const table = await readTable(
      createLakehouse({ kind: 'aws', aws }).readerRequest(
        sink.database,
        sandboxTableName(sink.table, 'try-1'),
      ),
    );
    expect(table.rowCount).toBe(40);
    expect(new Set(table.rows!.map((row) => row.id))).toEqual(
      new Set(Array.from({ length: 40 }, (_, i) => 260 + i)),
    );
  });

  it('reports records the handler fails on, exit 1, and writes nothing to the DLQ', async () => {
    const consumer = project.tenant.consumers[0]!;
    const handlerFile = path.join(project.rootDir, 'functions/enrich.ts');
    const working = readFileSync(handlerFile, 'utf8');
    writeFileSync(
      handlerFile,
      working.replace(
        'handler: (record) => {',
        "handler: (record) => {\n    if (record.value.id === 120) throw new Error('boom on 120');",
      ),
    );
    try {
      const result = await replay(['--from', timeOf(115).toISOString(), '--to', timeOf(125).toISOString()]);
      expect(result.code).toBe(1);
      expect(result.err).toMatch(/error: \d+ records failed: the function reported batch item failures/);
      expect(result.out).toMatch(/[1-9]\d* failed and not dead-lettered/);
      expect(await recordsIn(client, consumer.onFailureTopic!)).toBe(0);
    } finally {
      writeFileSync(handlerFile, working);
    }
  });

  it('refuses a bad sandbox name and --to with --aws, changing nothing', async () => {
    const badName = await replay(['--from', timeOf(10).toISOString(), '--into', 'Bad_Name']);
    expect(badName.code).toBe(2);
    expect(badName.err).toContain('is not a sandbox name');
    const withAws = await replay([
      '--from',
      timeOf(10).toISOString(),
      '--to',
      timeOf(20).toISOString(),
      '--aws',
    ]);
    expect(withAws.code).toBe(2);
    expect(withAws.err).toContain('not available with --aws');
  });
});
