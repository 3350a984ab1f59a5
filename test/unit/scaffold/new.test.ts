/**
 * `stratus new` on a throwaway copy of the example project: manifests are edited in place (every existing byte
 * kept), generated files never overwrite, --dry-run writes nothing, bad names and references are usage errors,
 * and a plan the manifest validator rejects writes nothing.
 */
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadStratus } from '../../../lib/manifest/index.ts';
import { insertEntry } from '../../../lib/scaffold/yaml-insert.ts';
import { runCli } from '../../support/cli.ts';

const REPO = path.resolve(import.meta.dirname, '../../..');
let root: string;

beforeEach(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'stratus-new-test-'));
  for (const dir of ['tenants', 'schemas'])
    cpSync(path.join(REPO, dir), path.join(root, dir), { recursive: true });
  cpSync(path.join(REPO, 'stratus.config.yaml'), path.join(root, 'stratus.config.yaml'));
  // Copies: the tests write handlers into the tenants' folders. Only the SDK is shared.
  for (const dir of ['payments', 'clickstream'])
    cpSync(path.join(REPO, 'functions', dir), path.join(root, 'functions', dir), { recursive: true });
  symlinkSync(path.join(REPO, 'functions/sdk'), path.join(root, 'functions/sdk'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const stratus = (...argv: string[]) => runCli(argv, root);

/** Lines of `after` that are not in `before`, when `before` is `after` with some lines taken out (else undefined). */
function addedLines(before: string, after: string): string[] | undefined {
  const a = before.split('\n');
  const added: string[] = [];
  let i = 0;
  for (const line of after.split('\n')) {
    if (i < a.length && a[i] === line) i++;
    else added.push(line);
  }
  return i === a.length ? added : undefined;
}

describe('stratus new consumer', () => {
  it('adds a processor, its output topic and schema to the manifest, keeping every existing line', async () => {
    const before = read('tenants/payments.yaml');
    const result = await stratus(
      'new',
      'consumer',
      'payments',
      'fraud-check',
      '--topic',
      'orders',
      '--output',
      'fraud-alerts',
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const after = read('tenants/payments.yaml');
    const added = addedLines(before, after);
    expect(added, 'only lines were added').toBeDefined();
    expect(added!.filter((line) => line.trim() !== '')).toEqual([
      '  fraud-alerts:',
      '    partitions: 3',
      '    retention: 7d',
      '    schema: schemas/payments/fraud-alerts.schema.json',
      '  fraud-check:',
      '    topic: orders',
      '    handler: functions/payments/fraud-check.ts',
      '    output: fraud-alerts',
      '    onFailure: dlq',
    ]);
    // Comments on keys stay where they were (a re-serialised document moves them to the next line).
    expect(after).toContain('  enrich-orders: # consumer group payments.enrich-orders\n');
    const { spec, errors } = loadStratus({ rootDir: root });
    expect(errors).toEqual([]);
    const consumer = spec.tenants
      .find((t) => t.name === 'payments')!
      .consumers.find((c) => c.key === 'fraud-check');
    expect(consumer).toMatchObject({ topic: 'payments.orders', output: 'payments.fraud-alerts' });
    const schema = JSON.parse(read('schemas/payments/fraud-alerts.schema.json'));
    expect(schema.required).toEqual(expect.arrayContaining(['orderId', 'processedAt']));
    const handler = read('functions/payments/fraud-check.ts');
    expect(handler).toContain('export interface Orders {');
    expect(handler).toContain('defineProcessor<Orders, FraudAlerts>');
    expect(read('test/unit/tenants/payments/fraud-check.test.ts')).toContain(
      "loadConsumer({ tenant: 'payments', consumer: 'fraud-check' })",
    );
  });

  it('refuses to overwrite a handler that exists, and changes nothing', async () => {
    const before = read('tenants/payments.yaml');
    writeFileSync(path.join(root, 'schemas/payments/alerts.schema.json'), '{"type":"object"}');
    const result = await stratus(
      'new',
      'consumer',
      'payments',
      'alert',
      '--topic',
      'orders',
      '--output',
      'alerts',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('schemas/payments/alerts.schema.json already exists');
    expect(read('tenants/payments.yaml')).toBe(before);
    expect(existsSync(path.join(root, 'functions/payments/alert.ts'))).toBe(false);
  });

  it('names an unknown topic with a suggestion (usage error, exit 2)', async () => {
    const result = await stratus('new', 'consumer', 'payments', 'audit', '--topic', 'order');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('tenant payments has no topic "order"; did you mean "orders"?');
  });

  it('checks names with the manifest rules before any path is built from them', async () => {
    for (const argv of [
      ['new', 'tenant', '../evil'],
      ['new', 'topic', 'payments', 'Orders_v2'],
      ['new', 'topic', 'payments', 'dlq'],
      ['new', 'consumer', 'payments', 'a/b', '--topic', 'orders'],
    ]) {
      const result = await stratus(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/must be|reserved/);
    }
    expect(existsSync(path.join(root, 'evil'))).toBe(false);
  });
});

describe('stratus new --dry-run', () => {
  it('prints a unified diff of every file and writes nothing', async () => {
    const before = read('tenants/clickstream.yaml');
    const result = await stratus(
      'new',
      'sink',
      'clickstream',
      'views-lake',
      '--topic',
      'page-views',
      '--format',
      'iceberg',
      '--dry-run',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('--- a/tenants/clickstream.yaml\n+++ b/tenants/clickstream.yaml\n@@');
    expect(result.stdout).toContain('+  views-lake:\n+    topic: page-views\n+    format: iceberg');
    expect(result.stdout).not.toMatch(/^-[^-]/m);
    expect(result.stdout).toContain('Nothing was written');
    expect(read('tenants/clickstream.yaml')).toBe(before);
  });
});

describe('stratus new tenant', () => {
  it('writes a manifest, schema, handler and test that validate together', async () => {
    const result = await stratus('new', 'tenant', 'acme', '--owner', 'acme@example.com');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('created tenants/acme.yaml');
    expect(loadStratus({ rootDir: root }).errors).toEqual([]);
    expect(read('tenants/acme.yaml')).toContain('owners: [acme@example.com]');
    const again = await stratus('new', 'tenant', 'acme');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('tenant "acme" is already declared in tenants/acme.yaml');
  });

  it('writes nothing when the validator rejects the result (a governance limit)', async () => {
    writeFileSync(
      path.join(root, 'stratus.config.yaml'),
      'governance: { maxPartitionsPerTopic: 2, requireOwners: true, requireCostCenter: true }\n',
    );
    const result = await stratus('new', 'tenant', 'tiny');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('nothing was written');
    expect(result.stderr).toMatch(
      /tenants\/tiny\.yaml:\d+:\d+ +topics\.events\.partitions +3 partitions exceed/,
    );
    expect(existsSync(path.join(root, 'tenants/tiny.yaml'))).toBe(false);
    expect(existsSync(path.join(root, 'functions/tiny'))).toBe(false);
  });
});

describe('insertEntry', () => {
  it('falls back to the Document API for a flow-style section, and says the file was reformatted', () => {
    const text = 'tenant: x\ntopics: { a: { partitions: 1 } } # flow\n';
    const result = insertEntry(text, 'topics', 'b', { partitions: 2 });
    expect(result.reformatted).toBe(true);
    expect(parse(result.text)).toEqual({
      tenant: 'x',
      topics: { a: { partitions: 1 }, b: { partitions: 2 } },
    });
  });

  it('adds a new section after the one before it in the reference order', () => {
    const text =
      '# head\ntenant: x\ntopics:\n  a: {}   # keep me\n\nalerts: { errors: { ratePercent: 1 } }\n';
    const result = insertEntry(text, 'consumers', 'c', { topic: 'a' });
    expect(result.reformatted).toBe(false);
    expect(result.text).toBe(
      '# head\ntenant: x\ntopics:\n  a: {}   # keep me\n\nconsumers:\n  c:\n    topic: a\n\nalerts: { errors: { ratePercent: 1 } }\n',
    );
  });
});
