/**
 * `stratus event` and `stratus invoke` with each input kind, on a copy of the payments example under a unique
 * tenant name: the handler runs in the FunctionHost with the manifest's environment; outputs are produced only
 * with --produce (checked by reading the output topic of the shared broker).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvokeOutcome } from '../../../lib/local/invoke/run.ts';
import { provisionTopics, tenantTopics } from '../../../lib/local/topics.ts';
import { loadStratusOrThrow } from '../../../lib/manifest/index.ts';
import type { TenantSpec } from '../../../lib/manifest/spec.ts';
import { runCli } from '../../support/cli.ts';
import { testServices } from '../../support/services.ts';
import { type ExampleProject, exampleProject } from '../runtime/project.ts';

const { brokers, kafka } = testServices();
const client = kafka('invoke-test');
let project: ExampleProject;
let tenant: TenantSpec;
const order = (id: string, overrides: Record<string, unknown> = {}) => ({
  eventId: `0b6f8c3e-8a49-4d6b-9d2e-51a2f4f0c${id.padStart(3, '0')}`,
  type: 'order.created',
  orderId: `ord-${id}`,
  customerId: 'c-1',
  amount: 100,
  currency: 'EUR',
  items: [{ sku: 'a', quantity: 1, unitPrice: 100 }],
  createdAt: '2026-11-24T08:00:00Z',
  ...overrides,
});

async function stratus(...argv: string[]) {
  return runCli(
    [...argv, '--brokers', brokers.join(',')].filter((a) => a !== '--no-brokers'),
    project.rootDir,
  );
}

async function invokeJson(
  ...argv: string[]
): Promise<{ code: number; outcome: InvokeOutcome; stderr: string }> {
  const result = await stratus(
    'invoke',
    '--tenant',
    tenant.name,
    '--consumer',
    'enrich-orders',
    '--json',
    ...argv,
  );
  expect(result.stdout, result.stderr).toMatch(/^\{/);
  return { code: result.code, outcome: JSON.parse(result.stdout) as InvokeOutcome, stderr: result.stderr };
}

async function endOffsets(topic: string): Promise<number> {
  const admin = client.admin();
  await admin.connect();
  try {
    return (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  } finally {
    await admin.disconnect();
  }
}

beforeAll(async () => {
  project = await exampleProject(['payments']);
  tenant = loadStratusOrThrow({ rootDir: project.rootDir }).tenants[0]!;
  const admin = client.admin();
  await admin.connect();
  await provisionTopics(admin, tenantTopics([tenant]));
  await admin.disconnect();
});
afterAll(() => project?.remove());

describe('stratus event → invoke --event', () => {
  it('builds an exact MSK event from the schema and runs the handler on it without producing', async () => {
    const event = await runCli(
      ['event', '--tenant', tenant.name, '--topic', 'orders', '--count', '4', '--seed', '3'],
      project.rootDir,
    );
    expect(event.code).toBe(0);
    const parsed = JSON.parse(event.stdout);
    expect(parsed).toMatchObject({
      eventSource: 'aws:kafka',
      eventSourceArn: expect.stringMatching(/^arn:aws:kafka:/),
    });
    const records = Object.values(
      parsed.records as Record<string, Array<{ topic: string; value: string }>>,
    ).flat();
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.topic === `${tenant.name}.orders`)).toBe(true);
    const file = path.join(project.rootDir, 'event.json');
    writeFileSync(file, event.stdout);

    const { code, outcome } = await invokeJson('--event', 'event.json');
    expect(code).toBe(0);
    expect(outcome.records).toBe(4);
    // Cancellations are dropped by the handler; every other order is enriched.
    expect(outcome.result.outputs.length).toBeGreaterThan(0);
    expect(outcome.result.metrics.RecordsIn).toBe(4);
    expect(outcome.produced).toBe(false);
    expect(await endOffsets(`${tenant.name}.orders-enriched`)).toBe(0);
  });
});

describe('stratus invoke --records', () => {
  it('runs JSONL lines as records: outputs, a DECODE_ERROR dead letter, a failed record (exit 1)', async () => {
    const lines = [
      JSON.stringify(order('1')),
      '{"orderId": "broken',
      JSON.stringify(order('2', { currency: 'XAU' })),
    ];
    writeFileSync(path.join(project.rootDir, 'orders.jsonl'), `${lines.join('\n')}\n`);
    const { code, outcome } = await invokeJson('--records', 'orders.jsonl');
    expect(code).toBe(1);
    expect(outcome.result.outputs.map((o) => (o.value as { orderId: string }).orderId)).toEqual(['ord-1']);
    expect(outcome.result.deadLetters.map((d) => [d.reason, d.source.offset])).toEqual([['DECODE_ERROR', 1]]);
    expect(outcome.result.failures).toEqual([{ topic: `${tenant.name}.orders`, partition: 0, offset: 2 }]);
    const error = outcome.result.logs.find((l) => l.level === 'ERROR');
    expect(error).toMatchObject({ offset: 2, error: { name: 'UnknownCurrencyError' } });
  });

  it('says what is wrong with the input: two inputs, a missing file', async () => {
    const both = await stratus(
      'invoke',
      '--tenant',
      tenant.name,
      '--consumer',
      'enrich-orders',
      '--event',
      'a',
      '--records',
      'b',
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give exactly one of');
    const missing = await stratus(
      'invoke',
      '--tenant',
      tenant.name,
      '--consumer',
      'enrich-orders',
      '--records',
      'nope.jsonl',
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('cannot read');
    expect(missing.stderr).not.toContain('    at ');
  });
});

describe('stratus invoke --from-topic', () => {
  it('reads the record at --offset from the topic and, with --produce, writes its output to Kafka', async () => {
    const producer = client.producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic: `${tenant.name}.orders`,
      messages: [{ key: 'ord-7', value: JSON.stringify(order('7')), partition: 4 }],
    });
    await producer.send({
      topic: `${tenant.name}.orders`,
      messages: [{ key: 'ord-8', value: JSON.stringify(order('8')), partition: 1 }],
    });
    await producer.disconnect();

    const at = await invokeJson('--from-topic', '--offset', `4:${sent!.baseOffset}`, '--produce');
    expect(at.code, at.stderr).toBe(0);
    expect(at.outcome.result.outputs).toEqual([
      expect.objectContaining({ topic: `${tenant.name}.orders-enriched`, key: 'ord-7' }),
    ]);
    expect(at.outcome.produced).toBe(true);
    expect(await endOffsets(`${tenant.name}.orders-enriched`)).toBe(1);

    const newest = await invokeJson('--from-topic');
    expect(newest.outcome.result.outputs.map((o) => o.key)).toEqual(['ord-8']);
    expect(await endOffsets(`${tenant.name}.orders-enriched`)).toBe(1);

    const outside = await stratus(
      'invoke',
      '--tenant',
      tenant.name,
      '--consumer',
      'enrich-orders',
      '--from-topic',
      '--offset',
      '4:999',
    );
    expect(outside.code).toBe(1);
    expect(outside.stderr).toMatch(/partition 4 holds offsets 0–0; 999 is not one of them/);
  });
});
