/**
 * `stratus demo` on a tenant of another team's shape, run as a user runs it: the CLI in a child process, in a
 * project of its own (test/fixtures: the sensors tenant, whose detector drops most readings, whose alerts fan
 * out and whose notifier is idempotent; the leaky tenant, whose hand-rolled processor loses half its records),
 * against the run's shared broker and emulator (so the demo runs the tenants under unique names).
 *
 * The expected outcome of every record is worked out here, independently of the demo: from the readings read
 * back from Kafka, the demo's record kinds (known by construction) and the tenant's own business functions;
 * the notifications table is read with pyiceberg.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConsumerAccount } from '../../lib/local/demo/accounting.ts';
import { readTopics } from '../../lib/local/demo/read-topics.ts';
import type { DemoSummary } from '../../lib/local/demo/run-demo.ts';
import { DEMO_HEADERS } from '../../lib/local/demo/types.ts';
import { namespacedTenant } from '../../lib/local/namespace.ts';
import { createLakehouse } from '../../lib/local/sink/lakehouse.ts';
import { readTable } from '../../lib/local/sink/table-reader.ts';
import { loadStratusOrThrow } from '../../lib/manifest/index.ts';
import { type Alert, alertsFor, detectAnomaly, type Reading } from '../fixtures/functions/sensors/sensors.ts';
import { testServices } from '../support/services.ts';

const REPO = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(REPO, 'test/fixtures');
const EVENTS = 1000;

/** A throwaway project: the fixtures' manifests, schemas and handlers, state in the temporary directory. */
function fixtureProject(): { rootDir: string; remove(): void } {
  const rootDir = mkdtempSync(path.join(os.tmpdir(), 'stratus-fixtures-'));
  for (const dir of ['functions', 'schemas', 'tenants'])
    symlinkSync(path.join(FIXTURES, dir), path.join(rootDir, dir));
  mkdirSync(path.join(rootDir, '.stratus'));
  writeFileSync(path.join(rootDir, 'stratus.config.yaml'), 'region: eu-west-1\n');
  return { rootDir, remove: () => rmSync(rootDir, { recursive: true, force: true }) };
}

/** `stratus demo … --json` in a child process; its summary, exit code and progress. */
function demo(
  rootDir: string,
  args: string[],
): Promise<{ code: number | null; summary: DemoSummary; stderr: string }> {
  const { brokers, awsEndpoint } = testServices();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [path.join(REPO, 'bin/stratus-cli.mjs'), 'demo', '--json', ...args],
      {
        cwd: rootDir,
        env: { ...process.env, KAFKA_BROKERS: brokers.join(','), AWS_ENDPOINT_URL: awsEndpoint },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      try {
        resolve({ code, summary: JSON.parse(stdout) as DemoSummary, stderr });
      } catch {
        reject(
          new Error(
            `stratus demo exited ${code} without a JSON summary; stderr:\n${stderr}\nstdout:\n${stdout}`,
          ),
        );
      }
    });
  });
}

const spec = loadStratusOrThrow({ rootDir: FIXTURES });
const consumerOf = (summary: DemoSummary, key: string): ConsumerAccount =>
  summary.tenants.flatMap((t) => t.consumers).find((c) => c.consumer.endsWith(`.${key}`))!;

describe('stratus demo on tenants other than the examples', () => {
  let project: ReturnType<typeof fixtureProject>;
  beforeAll(() => {
    project = fixtureProject();
  });
  afterAll(() => project.remove());

  it('sensors: a filter, a dropping detector, a fan-out, an idempotent chain and two sinks account exactly', {
    timeout: 600_000,
  }, async () => {
    const { code, summary, stderr } = await demo(project.rootDir, [
      '--tenants',
      'sensors',
      '--events',
      String(EVENTS),
      '--timeout',
      '480',
    ]);
    expect(summary.error, stderr).toBeUndefined();
    expect(summary).toMatchObject({ ok: true, lost: 0, duplicates: 0, misrouted: 0, namespaced: true });
    expect(code).toBe(0);
    const tenant = namespacedTenant(spec.tenants.find((t) => t.name === 'sensors')!, summary.runId);

    // What each reading must become, worked out from the readings themselves.
    const { kafka } = testServices();
    const readingsTopic = tenant.topics.find((t) => t.key === 'readings')!.name;
    const source = (await readTopics(kafka('demo-any-tenant'), [readingsTopic])).get(readingsTopic)!;
    expect(source).toHaveLength(EVENTS);
    const expected = { filtered: 0, deadLettered: 0, dropped: 0, delivered: 0 };
    const alerts: Alert[] = [];
    for (const record of source) {
      const kind = record.headers[DEMO_HEADERS.kind];
      let value: Reading | undefined;
      try {
        value = JSON.parse(record.value!.toString()) as Reading;
      } catch {
        value = undefined;
      }
      // The manifest's filter: temperature and humidity only; a non-JSON value never matches a value filter.
      if (!value || (value.kind !== 'temperature' && value.kind !== 'humidity')) expected.filtered++;
      else if (kind === 'schema-violation') expected.deadLettered++;
      else {
        const anomaly = detectAnomaly(value);
        if (anomaly) {
          expected.delivered++;
          alerts.push(...alertsFor(anomaly));
        } else expected.dropped++;
      }
    }
    // The detector drops most readings; the fan-out has 2 and 3 alerts per anomaly.
    expect(expected.dropped).toBeGreaterThan(expected.delivered * 3);
    expect(new Set(alerts.map((a) => a.severity))).toEqual(new Set(['warning', 'critical']));

    expect(consumerOf(summary, 'detect-anomalies')).toMatchObject({
      input: EVENTS,
      ...expected,
      outputs: expected.delivered,
      lost: 0,
      duplicates: 0,
      unexpected: 0,
    });
    expect(consumerOf(summary, 'fan-out-alerts')).toMatchObject({
      input: expected.delivered,
      delivered: expected.delivered,
      outputs: alerts.length,
      dropped: 0,
      lost: 0,
      duplicates: 0,
    });
    expect(consumerOf(summary, 'notify')).toMatchObject({
      input: alerts.length,
      delivered: alerts.length,
      outputs: alerts.length,
      dropped: 0,
      lost: 0,
      duplicates: 0,
    });
    expect(summary.dropped).toBe(expected.dropped);

    // The partitioned Iceberg table, read by pyiceberg: one row per alert, unique by alertId.
    const lakehouse = createLakehouse({ kind: 'aws', aws: testServices().aws });
    const lake = tenant.sinks.find((s) => s.key === 'notifications-lake')!;
    const table = await readTable(lakehouse.readerRequest(lake.database, lake.table));
    const ids = table.rows!.map((row) => row.alertId as string);
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(new Set(alerts.map((a) => a.alertId)));
    expect(table.partitionSpec!.map((field) => field.transform)).toEqual(['identity', 'day']);
    expect(table.identifierFieldIds).toHaveLength(1);
    // The JSON archive of anomalies, read by pyarrow: one object row per anomaly.
    const archive = tenant.sinks.find((s) => s.key === 'anomalies-archive')!;
    const objects = await readTable({ ...lakehouse.objectsReaderRequest(archive.prefix), rows: false });
    expect(objects.rowCount).toBe(expected.delivered);
    const sinks = summary.tenants[0]!.sinks;
    expect(sinks.map((s) => [s.format, s.records, s.rows, s.lost, s.duplicates]).sort()).toEqual(
      [
        ['iceberg', alerts.length, alerts.length, 0, 0],
        ['json', expected.delivered, expected.delivered, 0, 0],
      ].sort(),
    );
  });

  it('leaky: a processor that acknowledges records it never forwarded is caught, and the demo fails', {
    timeout: 300_000,
  }, async () => {
    const { code, summary } = await demo(project.rootDir, ['--tenants', 'leaky', '--events', '200']);
    expect(code).toBe(1);
    const forward = consumerOf(summary, 'forward');
    // It forwards the records at even offsets: every odd one is lost (no output, no DLQ entry, no drop evidence).
    const { kafka } = testServices();
    const admin = kafka('demo-any-tenant').admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(forward.topic).finally(() => admin.disconnect());
    const odd = offsets.reduce((sum, p) => sum + Math.floor(Number(p.high) / 2), 0);
    expect(odd).toBeGreaterThan(50);
    expect(forward).toMatchObject({ input: 200, delivered: 200 - odd, dropped: 0, lost: odd, duplicates: 0 });
    expect(summary).toMatchObject({ ok: false, lost: odd });
  });
});
